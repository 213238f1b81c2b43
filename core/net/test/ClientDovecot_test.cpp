// pop3::Client against a real server nobody here wrote: a private Dovecot on loopback. Every
// login method, both TLS modes, and every command; messages compared with the Maildir files.

#include "pop3/Client.h"
#include "pop3/Errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/DovecotPeer.h"

namespace pop3::test {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kMessages = {
    "From: a@example.org\nSubject: one\n\nHello\n.dot line\n..two dots\n.\nlast\n",
    "From: b@example.org\nSubject: two\n\nbody 1\nbody 2\nbody 3\n",
    "From: c@example.org\nSubject: three\n\n" + std::string(200000, 'x') + "\nend\n",
};

class ClientDovecotTest : public ::testing::Test {
protected:
    void SetUp() override {
        peer.addUser("alice", "alice-pw");
        for (const std::string& message : kMessages)
            peer.addMessage("alice", message);
        peer.start();
    }

    Client makeClient(EncryptMode mode, AuthMode auth = AuthMode::userPass) {
        Client client;
        client.host = "localhost";
        client.port = mode == EncryptMode::sslTls ? peer.tlsPort() : peer.plainPort();
        client.encryptMode = mode;
        client.authMode = auth;
        client.caFile = peer.caFile();
        client.username = "alice";
        client.password = "alice-pw";
        client.timeout = std::chrono::seconds(10);
        return client;
    }

    DovecotPeer peer;
};

TEST_F(ClientDovecotTest, EveryLoginMethodOverEveryTransport) {
    struct Case {
        EncryptMode mode;
        AuthMode auth;
        const char* mechanism;
    };
    const std::vector<Case> cases = {
        {EncryptMode::none, AuthMode::userPass, ""},
        {EncryptMode::none, AuthMode::apop, ""},
        {EncryptMode::none, AuthMode::sasl, "PLAIN"},
        {EncryptMode::none, AuthMode::sasl, "LOGIN"},
        {EncryptMode::none, AuthMode::sasl, "CRAM-MD5"},
        {EncryptMode::startTls, AuthMode::userPass, ""},
        {EncryptMode::startTls, AuthMode::sasl, "PLAIN"},
        {EncryptMode::sslTls, AuthMode::userPass, ""},
        {EncryptMode::sslTls, AuthMode::sasl, "CRAM-MD5"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(std::to_string(static_cast<int>(c.mode)) + "/" +
                     std::to_string(static_cast<int>(c.auth)) + "/" + c.mechanism);
        Client client = makeClient(c.mode, c.auth);
        if (*c.mechanism)
            client.saslMechanisms = {c.mechanism};
        client.connect();
        EXPECT_EQ(client.secure(), c.mode != EncryptMode::none);
        EXPECT_EQ(client.count(), kMessages.size());
        client.disconnect();
    }
}

TEST_F(ClientDovecotTest, RetrieveTopListUidlMatchTheMaildir) {
    Client client = makeClient(EncryptMode::startTls);
    client.connect();
    EXPECT_FALSE(client.capabilities().stls);
    const std::vector<ListEntry> list = client.list();
    const std::vector<UidlEntry> uidl = client.uidl();
    ASSERT_EQ(list.size(), kMessages.size());
    ASSERT_EQ(uidl.size(), kMessages.size());
    const std::vector<MessageListing> listing = client.listing();
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < kMessages.size(); ++i) {
        const std::string expected = DovecotPeer::wireForm(kMessages[i]);
        const std::string retrieved = client.retrieve(i + 1);
        EXPECT_EQ(retrieved, expected) << "message " << i + 1;
        EXPECT_EQ(list[i].size, expected.size());
        EXPECT_EQ(client.size(i + 1), expected.size());
        EXPECT_EQ(listing[i].uid, uidl[i].id);
        EXPECT_EQ(client.uidl(i + 1).at(0).id, uidl[i].id);
        total += expected.size();
    }
    EXPECT_EQ(client.size(), total);
    EXPECT_EQ(client.top(2, 1), "From: b@example.org\r\nSubject: two\r\n\r\nbody 1\r\n");
    EXPECT_EQ(client.top(1, 0), "From: a@example.org\r\nSubject: one\r\n\r\n");
    client.disconnect();
}

TEST_F(ClientDovecotTest, DeleteIsAppliedAtDisconnectOnly) {
    {
        Client client = makeClient(EncryptMode::none);
        client.connect();
        EXPECT_EQ(client.remove({1, 3}), (std::vector<bool>{true, true}));
        // Destroyed without disconnect(): no QUIT, no UPDATE.
    }
    EXPECT_EQ(peer.maildirTexts("alice").size(), kMessages.size());
    Client client = makeClient(EncryptMode::sslTls);
    client.connect();
    const std::string kept = client.uidl(2).at(0).id;
    EXPECT_TRUE(client.remove(1));
    EXPECT_FALSE(client.remove(1)) << "Dovecot refuses a second DELE";
    EXPECT_TRUE(client.remove(3));
    client.disconnect();
    EXPECT_EQ(peer.maildirTexts("alice"), std::vector<std::string>{kMessages[1]});
    client.connect();
    EXPECT_EQ(client.count(), 1u);
    EXPECT_EQ(client.uidl().at(0).id, kept) << "UIDs are stable across sessions";
    client.disconnect();
}

TEST_F(ClientDovecotTest, WrongPasswordIsAnAuthError) {
    Client client = makeClient(EncryptMode::none);
    client.password = "wrong";
    try {
        client.connect();
        FAIL() << "logged in with a wrong password";
    } catch (const ServerError& e) {
        EXPECT_EQ(e.code(), ServerError::Code::Auth) << e.what();
    }
}

TEST_F(ClientDovecotTest, ImplicitTlsPortRejectsAnUnknownCa) {
    Client client = makeClient(EncryptMode::sslTls);
    client.caFile.clear();
    try {
        client.connect();
        FAIL() << "trusted a certificate from an unknown CA";
    } catch (const TlsError& e) {
        EXPECT_THAT(e.what(), HasSubstr("verifyServerCertificate"));
    }
}

} // namespace
} // namespace pop3::test
