#pragma once

#include <string>

namespace pop3::test {

/// Certificates generated with the openssl tool at test time, once per test process, in a
/// temporary folder: a CA, a server certificate signed by it for "localhost" and 127.0.0.1, one
/// signed by it for another name only, and an unrelated self-signed CA.
struct TestPki {
    std::string dir;
    std::string caCert;
    std::string serverCert;
    std::string serverKey;
    /// Signed by caCert for "mail.example.org" only (no loopback names), with its key.
    std::string otherNameCert;
    std::string otherNameKey;
    std::string otherCaCert;

    static const TestPki& get();
};

} // namespace pop3::test
