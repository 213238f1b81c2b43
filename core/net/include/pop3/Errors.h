#pragma once

#include <stdexcept>
#include <string>

namespace pop3 {

/// Base of every exception the network layer throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The server answered -ERR. code() is the RFC 2449 §8 / RFC 3206 response code.
class ServerError : public Error {
public:
    /// The response codes a client acts on; anything else is Other (see codeText()).
    enum class Code { None, InUse, LoginDelay, SysTemp, SysPerm, Auth, Other };

    ServerError(const std::string& command, const std::string& codeText, const std::string& text);

    Code code() const { return _code; }
    /// The code as sent, without brackets ("SYS/TEMP"); empty when there was none.
    const std::string& codeText() const { return _codeText; }
    /// The server's text after the code.
    const std::string& text() const { return _text; }
    /// The command that was refused ("RETR 3"; passwords are masked).
    const std::string& command() const { return _command; }
    /// True for codes that say "try again later" (IN-USE, LOGIN-DELAY, SYS/TEMP).
    bool isTemporary() const;

private:
    std::string _command;
    std::string _codeText;
    std::string _text;
    Code _code;
};

/// No reply within the client's timeout.
class TimeoutError : public Error {
public:
    using Error::Error;
};

/// The connection could not be made, or was lost (also mid-message: never a truncated result).
class ConnectionError : public Error {
public:
    using Error::Error;
};

/// The peer sent something POP3 does not allow (`+garbage`, a malformed STAT, a bare LF...).
class ProtocolError : public Error {
public:
    using Error::Error;
};

/// The server lacks what the settings ask for (STLS, an APOP timestamp, a SASL mechanism).
class NotSupportedError : public Error {
public:
    using Error::Error;
};

/// TLS set-up, handshake or certificate verification failed; the message says why.
class TlsError : public Error {
public:
    using Error::Error;
};

/// A certificate, key or CA file could not be used; the message names the file.
class CertificateError : public TlsError {
public:
    using TlsError::TlsError;
};

/// An API call that is not valid now (a command before connect(), start() twice...).
class UsageError : public Error {
public:
    using Error::Error;
};

} // namespace pop3
