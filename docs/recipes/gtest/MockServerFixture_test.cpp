// The example of docs/embedding.md: a mock server in a GoogleTest fixture, in a few lines.

#include "pop3/Client.h"
#include "pop3/Errors.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioLoader.h"

#include <gtest/gtest.h>

namespace {

class MailFetcherTest : public ::testing::Test {
protected:
    // The scenario: one mailbox, and a server that fails the first RETR with [SYS/TEMP].
    pop3::mock::Scenario scenario = pop3::mock::ScenarioLoader::loadString(R"(
mailboxes:
  - user: alice
    password: secret
    messages:
      - {raw: "Subject: hello\n\nHi Alice.\n", uid: hello}
server:
  tls: {mode: stls, certificate: {generate: true}}
rules:
  - {command: RETR, occurrence: 1, reply: "-ERR [SYS/TEMP] try again later"}
)",
                                                                           "fetcher.yaml");
    pop3::mock::MockServer mock{scenario};

    void SetUp() override { mock.start(); }

    pop3::Client client() {
        pop3::Client c;
        c.host = "localhost";
        c.port = *mock.port();
        c.encryptMode = pop3::EncryptMode::startTls;
        c.caFile = mock.certificateFile(); // the generated certificate
        c.username = "alice";
        c.password = "secret";
        return c;
    }
};

TEST_F(MailFetcherTest, RetriesAfterATemporaryFailureAndDeletes) {
    pop3::Client c = client();
    c.connect();
    // The code under test would do this: retry once on a temporary error, then delete.
    std::string message;
    try {
        message = c.retrieve(1);
    } catch (const pop3::ServerError& e) {
        ASSERT_TRUE(e.isTemporary());
        message = c.retrieve(1);
    }
    EXPECT_EQ(message, "Subject: hello\r\n\r\nHi Alice.\r\n");
    c.remove(1);
    c.disconnect();

    mock.stop(); // every session has ended: the recording is complete
    const auto sessions = mock.recording().sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].plaintextPassword);
    EXPECT_EQ(sessions[0].deletedUids, std::vector<std::string>{"hello"});
    EXPECT_TRUE(mock.mailbox("alice").empty());
}

} // namespace
