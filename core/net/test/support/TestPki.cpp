#include "support/TestPki.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gtest/gtest.h>

#include <fstream>

#include "support/Subprocess.h"

namespace pop3::test {

namespace {

void openssl(const std::vector<std::string>& args) {
    static const std::string program = requireProgram("openssl");
    const SubprocessResult result = runSubprocess(program, args);
    if (result.exitCode != 0)
        throw std::runtime_error("openssl failed: " + result.err);
}

TestPki generate() {
    TestPki pki;
    Poco::Path dir(Poco::TemporaryFile::tempName());
    Poco::File(dir).createDirectories();
    Poco::TemporaryFile::registerForDeletion(dir.toString());
    pki.dir = dir.toString();
    auto path = [&](const char* name) { return Poco::Path(dir, name).toString(); };
    pki.caCert = path("ca.pem");
    const std::string caKey = path("ca.key");
    pki.serverCert = path("server.pem");
    pki.serverKey = path("server.key");
    pki.otherCaCert = path("other-ca.pem");

    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-days", "2", "-subj", "/CN=pop3-conform test CA", "-keyout", caKey, "-out",
             pki.caCert});
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-days", "2", "-subj", "/CN=unrelated CA", "-keyout", path("other-ca.key"), "-out",
             pki.otherCaCert});
    const std::string extensions = path("server.ext");
    std::ofstream(extensions) << "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
                                 "extendedKeyUsage=serverAuth\n";
    const std::string request = path("server.csr");
    openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-subj", "/CN=localhost", "-keyout", pki.serverKey, "-out", request});
    openssl({"x509", "-req", "-in", request, "-CA", pki.caCert, "-CAkey", caKey, "-CAcreateserial",
             "-extfile", extensions, "-days", "2", "-out", pki.serverCert});

    pki.otherNameCert = path("other-name.pem");
    pki.otherNameKey = path("other-name.key");
    const std::string otherExtensions = path("other-name.ext");
    std::ofstream(otherExtensions) << "subjectAltName=DNS:mail.example.org\n";
    const std::string otherRequest = path("other-name.csr");
    openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-subj", "/CN=mail.example.org", "-keyout", pki.otherNameKey, "-out", otherRequest});
    openssl({"x509", "-req", "-in", otherRequest, "-CA", pki.caCert, "-CAkey", caKey,
             "-CAcreateserial", "-extfile", otherExtensions, "-days", "2", "-out",
             pki.otherNameCert});
    return pki;
}

} // namespace

const TestPki& TestPki::get() {
    static const TestPki pki = generate();
    return pki;
}

} // namespace pop3::test
