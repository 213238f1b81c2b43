#pragma once

#include <string>

namespace pop3::test {

/// Certificates generated with the openssl tool at test time, once per test process, in a
/// temporary folder: a CA, a server certificate signed by it for "localhost" and 127.0.0.1, and an
/// unrelated self-signed CA.
struct TestPki {
    std::string dir;
    std::string caCert;
    std::string serverCert;
    std::string serverKey;
    std::string otherCaCert;

    static const TestPki& get();
};

} // namespace pop3::test
