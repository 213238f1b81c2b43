#pragma once

#include <stdexcept>
#include <string>

namespace pop3 {

/// Base of every exception the network layer throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// TLS set-up or handshake failed; the message says why.
class TlsError : public Error {
public:
    using Error::Error;
};

/// A certificate, key or CA file could not be used; the message names the file.
class CertificateError : public TlsError {
public:
    using TlsError::TlsError;
};

/// An API call that is not valid now (e.g. start() twice, implicit TLS without certificate).
class UsageError : public Error {
public:
    using Error::Error;
};

} // namespace pop3
