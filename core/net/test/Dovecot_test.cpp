// Smoke tests of the private Dovecot peer: it comes up on its two loopback ports, logs users in
// and serves exactly the Maildir files it was given.

#include <Poco/Exception.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/DovecotPeer.h"
#include "support/RawClient.h"

namespace pop3::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

// A line starting with "." (stuffed on the wire) and CRLF input; LF and no final line end.
const std::string kFirst = "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n.dot line\r\n"
                           "..two dots\r\n.\r\nlast\r\n";
const std::string kSecond = "From: b@example.org\nSubject: two\n\nbody 1\nbody 2\nbody 3";

/// The body of a multiline reply without status line, terminator and byte-stuffing.
std::string unstuffedBody(const std::string& reply) {
    std::string body;
    std::size_t pos = reply.find("\r\n") + 2;
    while (pos < reply.size()) {
        const std::size_t end = reply.find("\r\n", pos) + 2;
        std::string line = reply.substr(pos, end - pos);
        pos = end;
        if (line == ".\r\n")
            break;
        if (line[0] == '.')
            line.erase(0, 1);
        body += line;
    }
    return body;
}

/// The size Dovecot reports for a Maildir file's content: one more octet per LF.
std::size_t wireSize(const std::string& text) {
    return text.size() + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class DovecotPeerTest : public ::testing::Test {
protected:
    void SetUp() override {
        peer.addUser("alice", "alice-pw");
        peer.addUser("bob", "bob-pw");
        peer.addMessage("alice", kFirst);
        peer.addMessage("alice", kSecond);
        peer.start();
    }

    RawClient connect(bool tls = false) {
        RawClient client(tls ? peer.tlsPort() : peer.plainPort(), tls);
        greeting = client.readLine();
        return client;
    }

    static void login(RawClient& client, const std::string& user = "alice",
                      const std::string& password = "alice-pw") {
        ASSERT_EQ(client.command("USER " + user), "+OK\r\n");
        ASSERT_EQ(client.command("PASS " + password), "+OK Logged in.\r\n");
    }

    DovecotPeer peer;
    std::string greeting;
};

TEST_F(DovecotPeerTest, GreetsOnThePlainPortWithAnApopTimestamp) {
    RawClient client = connect();
    EXPECT_THAT(greeting, MatchesRegex("\\+OK .* <.+@.+>\r\n"));
    EXPECT_EQ(client.command("QUIT"), "+OK Logging out\r\n");
}

TEST_F(DovecotPeerTest, CapaOffersStlsUserAndSasl) {
    RawClient client = connect();
    const std::string capa = client.multiline("CAPA");
    EXPECT_THAT(capa, StartsWith("+OK"));
    EXPECT_THAT(capa, HasSubstr("\r\nSTLS\r\n"));
    EXPECT_THAT(capa, HasSubstr("\r\nUSER\r\n"));
    EXPECT_THAT(capa, HasSubstr("\r\nSASL PLAIN LOGIN CRAM-MD5"));
    EXPECT_THAT(capa, HasSubstr("\r\nUIDL\r\n"));
}

TEST_F(DovecotPeerTest, UserPassLoginAndStatCountTheMaildir) {
    RawClient client = connect();
    login(client);
    const std::vector<std::string> texts = peer.maildirTexts("alice");
    ASSERT_EQ(texts.size(), 2u);
    const std::size_t first = wireSize(texts[0]);
    const std::size_t second = wireSize(texts[1]);
    EXPECT_EQ(client.command("STAT"), "+OK 2 " + std::to_string(first + second) + "\r\n");
    EXPECT_EQ(client.multiline("LIST"), "+OK 2 messages:\r\n1 " + std::to_string(first) + "\r\n2 " +
                                            std::to_string(second) + "\r\n.\r\n");
    EXPECT_THAT(client.multiline("UIDL"), MatchesRegex("\\+OK\r\n1 [0-9a-f]{16}\r\n"
                                                       "2 [0-9a-f]{16}\r\n\\.\r\n"));
    EXPECT_EQ(client.command("QUIT"), "+OK Logging out.\r\n");
}

TEST_F(DovecotPeerTest, WrongPasswordIsRejected) {
    RawClient client = connect();
    ASSERT_EQ(client.command("USER alice"), "+OK\r\n");
    EXPECT_THAT(client.command("PASS wrong"), StartsWith("-ERR [AUTH] Authentication failed."));
}

TEST_F(DovecotPeerTest, RetrReturnsTheMaildirFilesWithCrlf) {
    const std::vector<std::string> texts = peer.maildirTexts("alice");
    ASSERT_EQ(texts.size(), 2u);
    EXPECT_EQ(texts[0].find('\r'), std::string::npos) << "LF on disk";
    RawClient client = connect();
    login(client);
    const std::string first = client.multiline("RETR 1");
    EXPECT_THAT(first, StartsWith("+OK " + std::to_string(wireSize(texts[0])) + " octets\r\n"));
    EXPECT_THAT(first, HasSubstr("\r\n..dot line\r\n...two dots\r\n..\r\nlast\r\n.\r\n"));
    EXPECT_EQ(unstuffedBody(first), DovecotPeer::wireForm(texts[0]));
    EXPECT_EQ(unstuffedBody(first), kFirst);
    const std::string second = client.multiline("RETR 2");
    EXPECT_EQ(unstuffedBody(second), DovecotPeer::wireForm(texts[1]));
    EXPECT_THAT(second, HasSubstr("\r\nbody 3\r\n.\r\n")) << "line end added before the terminator";
    EXPECT_EQ(client.command("QUIT"), "+OK Logging out.\r\n");
    EXPECT_EQ(peer.maildirTexts("alice"), texts) << "RETR changes no file content";
}

TEST_F(DovecotPeerTest, ImplicitTlsPortGreetsAndLogsIn) {
    RawClient client = connect(true);
    EXPECT_THAT(greeting, StartsWith("+OK "));
    login(client);
    EXPECT_THAT(client.command("STAT"), StartsWith("+OK 2 "));
    EXPECT_EQ(client.command("QUIT"), "+OK Logging out.\r\n");
}

TEST_F(DovecotPeerTest, StlsUpgradesThePlainPort) {
    RawClient client = connect();
    ASSERT_THAT(client.command("STLS"), StartsWith("+OK"));
    client.startTls();
    EXPECT_THAT(client.multiline("CAPA"), Not(HasSubstr("STLS")));
    login(client);
    EXPECT_THAT(client.command("STAT"), StartsWith("+OK 2 "));
}

TEST_F(DovecotPeerTest, UsersAndMessagesAddedAfterStartAreServed) {
    peer.addUser("carol", "carol-pw");
    const std::string text = "Subject: late\n\nhi\n";
    const std::string path = peer.addMessage("carol", text);
    peer.addMessage("alice", "Subject: third\n\nthree\n");
    EXPECT_EQ(peer.maildirFiles("carol"), std::vector<std::string>{path});
    RawClient client = connect();
    login(client, "carol", "carol-pw");
    EXPECT_EQ(client.multiline("RETR 1"), "+OK " + std::to_string(wireSize(text)) +
                                              " octets\r\nSubject: late\r\n\r\nhi\r\n.\r\n");
    RawClient other = connect();
    login(other);
    EXPECT_THAT(other.command("STAT"), StartsWith("+OK 3 "));
    EXPECT_THAT(other.multiline("RETR 3"), HasSubstr("\r\nthree\r\n.\r\n"));
}

TEST_F(DovecotPeerTest, StopLeavesNoProcessesAndStartComesBack) {
    EXPECT_THAT(peer.processes(), Not(IsEmpty()));
    {
        RawClient client = connect();
        login(client);
        peer.stop();
    }
    EXPECT_FALSE(peer.running());
    EXPECT_THAT(peer.processes(), IsEmpty());
    peer.start();
    RawClient client = connect();
    login(client);
    EXPECT_THAT(client.command("STAT"), StartsWith("+OK 2 "));
}

TEST_F(DovecotPeerTest, NumberingFollowsTheOrderMessagesWereAdded) {
    for (int n = 3; n <= 12; ++n)
        peer.addMessage("alice", "Subject: " + std::to_string(n) + "\n\nbody\n");
    RawClient client = connect();
    login(client);
    EXPECT_THAT(client.command("STAT"), StartsWith("+OK 12 "));
    const std::vector<std::string> texts = peer.maildirTexts("alice");
    ASSERT_EQ(texts.size(), 12u);
    for (int n = 1; n <= 12; ++n) {
        const std::string reply = client.multiline("RETR " + std::to_string(n));
        EXPECT_EQ(unstuffedBody(reply), DovecotPeer::wireForm(texts[n - 1])) << "message " << n;
        if (n >= 3) {
            EXPECT_THAT(reply, HasSubstr("\r\nSubject: " + std::to_string(n) + "\r\n"));
        }
    }
}

TEST_F(DovecotPeerTest, TwoInstancesRunSideBySide) {
    DovecotPeer second;
    second.addUser("alice", "second-pw");
    second.start();
    EXPECT_NE(second.plainPort(), peer.plainPort());
    EXPECT_NE(second.instanceName(), peer.instanceName());
    RawClient other(second.plainPort());
    other.readLine();
    EXPECT_EQ(other.command("USER alice"), "+OK\r\n");
    EXPECT_EQ(other.command("PASS second-pw"), "+OK Logged in.\r\n");
    EXPECT_EQ(other.command("STAT"), "+OK 0 0\r\n");
    RawClient client = connect();
    login(client);
    EXPECT_THAT(client.command("STAT"), StartsWith("+OK 2 "));
}

} // namespace
} // namespace pop3::test
