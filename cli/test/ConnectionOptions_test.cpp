#include "pop3/Client.h"

#include <Poco/Environment.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "CommandLineError.h"
#include "ConnectionOptions.h"

namespace pop3::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kVariable = "POP3_CONFORM_TEST_PASSWORD";

class ConnectionOptionsTest : public ::testing::Test {
protected:
    void TearDown() override { ::unsetenv(kVariable); }

    /// configure() into a fresh client; the CommandLineError's message in `error`.
    Client configure(const ConnectionOptions& options, std::string* error = nullptr) {
        Client client;
        try {
            options.configure(client);
            if (error)
                ADD_FAILURE() << "accepted";
        } catch (const CommandLineError& e) {
            if (!error)
                ADD_FAILURE() << e.what();
            else
                *error = e.what();
        }
        return client;
    }

    std::string writePasswordFile(const std::string& content) {
        std::ofstream(_passwordFile.path(), std::ios::binary) << content;
        return _passwordFile.path();
    }

private:
    Poco::TemporaryFile _passwordFile;
};

TEST_F(ConnectionOptionsTest, UrlAndOptionsConfigureTheClient) {
    ConnectionOptions options;
    options.url = "pop3://alice:pw@localhost:1234";
    options.startTls = true;
    options.auth = "sasl:cram-md5,PLAIN";
    options.caFile = "/tmp/ca.pem";
    options.insecure = true;
    options.timeoutMs = 1500;
    const Client client = configure(options);
    EXPECT_EQ(client.host, "localhost");
    EXPECT_EQ(client.port, 1234);
    EXPECT_EQ(client.username, "alice");
    EXPECT_EQ(client.password, "pw");
    EXPECT_EQ(client.encryptMode, EncryptMode::startTls);
    EXPECT_EQ(client.authMode, AuthMode::sasl);
    EXPECT_THAT(client.saslMechanisms, ElementsAre("CRAM-MD5", "PLAIN"));
    EXPECT_EQ(client.caFile, "/tmp/ca.pem");
    EXPECT_FALSE(client.verifyServerCertificate);
    EXPECT_EQ(client.timeout, std::chrono::milliseconds(1500));
}

TEST_F(ConnectionOptionsTest, DefaultsArePlainUserPassVerified) {
    ConnectionOptions options;
    options.url = "pop3s://alice:pw@localhost";
    const Client client = configure(options);
    EXPECT_EQ(client.encryptMode, EncryptMode::sslTls);
    EXPECT_EQ(client.port, 0);
    EXPECT_EQ(client.authMode, AuthMode::userPass);
    EXPECT_THAT(client.saslMechanisms, IsEmpty());
    EXPECT_TRUE(client.verifyServerCertificate);
    EXPECT_EQ(client.timeout, std::chrono::milliseconds(30000));
}

TEST_F(ConnectionOptionsTest, AuthModes) {
    ConnectionOptions options;
    options.url = "pop3://alice:pw@localhost";
    options.auth = "APOP";
    EXPECT_EQ(configure(options).authMode, AuthMode::apop);
    options.auth = "sasl";
    EXPECT_EQ(configure(options).authMode, AuthMode::sasl);
    std::string error;
    for (const char* bad : {"kerberos", "user:x", "sasl:", ""}) {
        options.auth = bad;
        configure(options, &error);
        EXPECT_THAT(error, HasSubstr("--auth")) << bad;
    }
}

TEST_F(ConnectionOptionsTest, StartTlsWithPop3sIsAUsageError) {
    ConnectionOptions options;
    options.url = "pop3s://alice:pw@localhost";
    options.startTls = true;
    std::string error;
    configure(options, &error);
    EXPECT_THAT(error, HasSubstr("--starttls"));
}

TEST_F(ConnectionOptionsTest, PasswordFromEnvironment) {
    ::setenv(kVariable, "from-env", 1);
    ConnectionOptions options;
    options.url = "pop3://alice@localhost";
    options.passwordEnv = kVariable;
    EXPECT_EQ(configure(options).password, "from-env");

    ::unsetenv(kVariable);
    std::string error;
    configure(options, &error);
    EXPECT_THAT(error, HasSubstr(std::string(kVariable) + ": the variable is not set"));
}

TEST_F(ConnectionOptionsTest, PasswordFileFirstLineWithoutLineEnd) {
    ConnectionOptions options;
    options.url = "pop3://alice@localhost";
    options.passwordFile = writePasswordFile("from file\r\nsecond line\n");
    EXPECT_EQ(configure(options).password, "from file");
    options.passwordFile = writePasswordFile("no newline");
    EXPECT_EQ(configure(options).password, "no newline");

    std::string error;
    options.passwordFile = writePasswordFile("\nsecond line\n");
    configure(options, &error);
    EXPECT_THAT(error, HasSubstr("empty"));
    options.passwordFile = "/nonexistent/password";
    configure(options, &error);
    EXPECT_THAT(error, HasSubstr("/nonexistent/password"));
}

TEST_F(ConnectionOptionsTest, ExactlyOnePasswordSource) {
    ::setenv(kVariable, "from-env", 1);
    ConnectionOptions options;
    options.url = "pop3://alice:pw@localhost";
    options.passwordEnv = kVariable;
    std::string error;
    configure(options, &error);
    EXPECT_THAT(error, HasSubstr("one way only"));

    options.url = "pop3://alice@localhost";
    options.passwordFile = writePasswordFile("pw\n");
    error.clear();
    configure(options, &error);
    EXPECT_THAT(error, HasSubstr("one way only"));

    options.passwordEnv.clear();
    options.passwordFile.clear();
    error.clear();
    configure(options, &error);
    EXPECT_THAT(error, HasSubstr("no password"));
}

} // namespace
} // namespace pop3::cli
