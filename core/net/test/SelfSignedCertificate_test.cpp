#include "pop3/Client.h"
#include "pop3/Errors.h"
#include "pop3/SelfSignedCertificate.h"
#include "pop3/Server.h"

#include <Poco/TemporaryFile.h>

#include <gtest/gtest.h>

namespace pop3 {
namespace {

TEST(SelfSignedCertificateTest, ClientsThatTrustItVerifyNameAndAddress) {
    Poco::TemporaryFile dir;
    const CertificateFiles files = generateSelfSignedCertificate("mail.test", dir.path());
    Server server(true, false, 0);
    server.options().address = "127.0.0.1";
    server.options().implicitTls = true;
    server.setCertificate(files.certFile, files.keyFile, files.certFile, true);
    server.onLogin = [](Session& session) { session.authenticated = true; };
    server.start();
    for (const char* host : {"localhost", "127.0.0.1"}) {
        Client client;
        client.host = host;
        client.port = server.port();
        client.encryptMode = EncryptMode::sslTls;
        client.caFile = files.certFile;
        client.username = "u";
        client.password = "p";
        client.connect();
        EXPECT_EQ(client.count(), 0u) << host;
        client.disconnect();
    }
    Client other;
    other.host = "localhost";
    other.port = server.port();
    other.encryptMode = EncryptMode::sslTls;
    EXPECT_THROW(other.connect(), TlsError) << "not trusted without the file";
}

TEST(SelfSignedCertificateTest, UnwritableDirectoryIsNamed) {
    try {
        generateSelfSignedCertificate("localhost", "/proc/no-such-dir");
        FAIL();
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("/proc/no-such-dir"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace pop3
