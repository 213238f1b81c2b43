#pragma once

#include <string>

namespace pop3 {

/// PEM files of a certificate and its key.
struct CertificateFiles {
    std::string certFile;
    std::string keyFile;
};

/// Writes a new self-signed certificate (EC P-256, valid for 30 days from yesterday) for
/// `hostname`, "localhost", 127.0.0.1 and ::1 into `directory` as server.pem and server.key.
/// Clients trust it by using server.pem as their CA file. Throws CertificateError on failure.
CertificateFiles generateSelfSignedCertificate(const std::string& hostname,
                                               const std::string& directory);

} // namespace pop3
