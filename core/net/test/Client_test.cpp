// pop3::Client against pop3::Server on loopback, and against a scripted peer for the replies a
// correct server never sends.

#include "pop3/Client.h"
#include "pop3/Errors.h"

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <sstream>

#include "support/Files.h"
#include "support/ScriptedPeer.h"
#include "support/ServerFixture.h"

namespace pop3::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ClientTest : public ServerFixture {
protected:
    /// A client for the fixture's server, logging in as alice.
    Client makeClient(EncryptMode mode = EncryptMode::none) {
        Client client;
        client.host = mode == EncryptMode::none ? "127.0.0.1" : "localhost";
        client.port = server->port();
        client.encryptMode = mode;
        client.caFile = TestPki::get().caCert;
        client.username = "alice";
        client.password = "alice-pw";
        client.timeout = std::chrono::seconds(5);
        return client;
    }
};

TEST_F(ClientTest, Rfc1939EveryCommandAgainstTheServer) {
    startServer();
    Client client = makeClient();
    client.connect();
    const std::string first = wireForm(kFirstMessage);
    const std::string second = wireForm(kSecondMessage);
    EXPECT_EQ(client.count(), 2u);
    EXPECT_EQ(client.size(), first.size() + second.size());
    EXPECT_EQ(client.size(2), second.size());
    const std::vector<ListEntry> list = client.list();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1].msgNum, 2u);
    EXPECT_EQ(list[1].size, second.size());
    EXPECT_EQ(client.list(1).at(0).size, first.size());
    const std::vector<UidlEntry> uidl = client.uidl();
    ASSERT_EQ(uidl.size(), 2u);
    EXPECT_EQ(uidl[0].id, "uid-1");
    EXPECT_EQ(client.uidl(2).at(0).id, "uid-2");
    EXPECT_EQ(client.retrieve(1), first);
    EXPECT_EQ(client.top(2, 1), "From: b@example.org\r\nSubject: two\r\n\r\nbody 1\r\n");
    EXPECT_EQ(client.top(2), "From: b@example.org\r\nSubject: two\r\n\r\n");
    client.noop();
    EXPECT_TRUE(client.remove(1));
    EXPECT_FALSE(client.remove(1)) << "already deleted";
    EXPECT_EQ(client.count(), 1u);
    client.reset();
    EXPECT_EQ(client.count(), 2u);
    EXPECT_EQ(client.remove({1, 2, 3}), (std::vector<bool>{true, true, false}));
    client.disconnect();
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(mailbox.uids("alice").empty());
}

TEST_F(ClientTest, Rfc2449ListingPipelinesListAndUidl) {
    startServer();
    Client client = makeClient();
    client.connect();
    EXPECT_TRUE(client.capabilities().pipelining);
    const std::vector<MessageListing> listing = client.listing();
    ASSERT_EQ(listing.size(), 2u);
    EXPECT_EQ(listing[0].uid, "uid-1");
    EXPECT_EQ(listing[1].size, wireForm(kSecondMessage).size());
}

TEST_F(ClientTest, Rfc2449ManyRetrievesArePipelinedInWindows) {
    for (int i = 0; i < 100; ++i)
        mailbox.addMessage("bob", "uid-b" + std::to_string(i),
                           "Subject: " + std::to_string(i) + "\r\n\r\n" + std::string(i * 97, 'z'));
    startServer();
    Client client = makeClient();
    client.username = "bob";
    client.password = "bob-pw";
    std::size_t sentBeforeFirstReply = 0;
    bool replied = false;
    client.onTrace = [&](TraceDirection direction, std::string_view) {
        if (direction == TraceDirection::received)
            replied = true;
        else if (!replied)
            ++sentBeforeFirstReply;
    };
    client.connect();
    replied = false;
    sentBeforeFirstReply = 0;
    std::vector<std::uint64_t> numbers;
    for (std::uint64_t n = 1; n <= 100; ++n)
        numbers.push_back(n);
    std::map<std::uint64_t, std::ostringstream> messages;
    const std::vector<std::uint64_t> octets =
        client.retrieve(numbers, [&](std::uint64_t n) -> std::ostream& { return messages[n]; });
    EXPECT_EQ(sentBeforeFirstReply, 32u) << "one window of commands in flight";
    ASSERT_EQ(messages.size(), 100u);
    for (std::uint64_t n = 1; n <= 100; ++n) {
        const std::string expected =
            "Subject: " + std::to_string(n - 1) + "\r\n\r\n" + std::string((n - 1) * 97, 'z');
        EXPECT_EQ(messages[n].str(), wireForm(expected)) << n;
        EXPECT_EQ(octets[n - 1], wireForm(expected).size());
    }
    std::map<std::uint64_t, std::ostringstream> partial;
    EXPECT_THROW(
        client.retrieve({1, 101, 2}, [&](std::uint64_t n) -> std::ostream& { return partial[n]; }),
        ServerError);
    EXPECT_EQ(partial[2].str(), messages[2].str()) << "the message after the refused one arrived";
    EXPECT_EQ(client.count(), 100u) << "the session is still in step";
}

TEST_F(ClientTest, Rfc2449CapabilitiesParsed) {
    startServer();
    Client client = makeClient();
    client.username.clear(); // stay in AUTHORIZATION
    client.connect();
    const Capabilities& capa = client.capabilities();
    EXPECT_TRUE(capa.top && capa.uidl && capa.user && capa.stls && capa.respCodes);
    EXPECT_THAT(capa.saslMechanisms, ElementsAre("CRAM-MD5", "PLAIN", "LOGIN"));
    EXPECT_EQ(capa.implementation, "pop3-conform");
    EXPECT_TRUE(capa.has("pipelining"));
    EXPECT_THROW(client.count(), ServerError) << "STAT before login";
}

TEST_F(ClientTest, Rfc1939Section7ApopLogin) {
    startServer();
    Client client = makeClient();
    client.authMode = AuthMode::apop;
    client.connect();
    EXPECT_EQ(client.count(), 2u);
}

TEST_F(ClientTest, Rfc5034SaslEveryMechanism) {
    startServer();
    for (const char* mechanism : {"", "CRAM-MD5", "PLAIN", "LOGIN"}) {
        Client client = makeClient();
        client.authMode = AuthMode::sasl;
        if (*mechanism)
            client.saslMechanisms = {mechanism};
        std::vector<std::string> sent;
        client.onTrace = [&](TraceDirection direction, std::string_view line) {
            if (direction == TraceDirection::sent)
                sent.emplace_back(line);
        };
        client.connect();
        EXPECT_EQ(client.count(), 2u) << mechanism;
        ASSERT_GE(sent.size(), 2u);
        EXPECT_THAT(sent[1], StartsWith(std::string("AUTH ") + (*mechanism ? mechanism : "CRAM")))
            << "the strongest mechanism is the default";
        client.disconnect();
    }
}

TEST_F(ClientTest, WrongPasswordIsAnAuthServerError) {
    startServer();
    Client client = makeClient();
    client.password = "wrong";
    try {
        client.connect();
        FAIL() << "login succeeded";
    } catch (const ServerError& e) {
        EXPECT_EQ(e.code(), ServerError::Code::Auth);
        EXPECT_EQ(e.command(), "PASS ****");
        EXPECT_THAT(e.what(), Not(HasSubstr("wrong")));
    }
    EXPECT_FALSE(client.connected());
}

TEST_F(ClientTest, TraceMasksPasswordsAndSaslData) {
    startServer();
    for (AuthMode mode : {AuthMode::userPass, AuthMode::sasl}) {
        Client client = makeClient();
        client.authMode = mode;
        client.saslMechanisms = {"PLAIN"};
        std::string trace;
        client.onTrace = [&](TraceDirection direction, std::string_view line) {
            trace += (direction == TraceDirection::sent ? "C: " : "S: ") + std::string(line) + "\n";
        };
        client.connect();
        client.disconnect();
        EXPECT_THAT(trace, Not(HasSubstr("alice-pw")));
        EXPECT_THAT(trace, Not(HasSubstr(encodeBase64(std::string("\0alice\0alice-pw", 15)))));
        EXPECT_THAT(trace, HasSubstr(mode == AuthMode::userPass ? "C: PASS ****\n"
                                                                : "C: AUTH PLAIN ****\n"));
        EXPECT_THAT(trace, HasSubstr("S: +OK Bye\n"));
    }
}

TEST_F(ClientTest, Rfc2595StlsUpgradesVerifiesAndRereadsCapa) {
    startServer();
    Client client = makeClient(EncryptMode::startTls);
    client.connect();
    EXPECT_TRUE(client.secure());
    EXPECT_FALSE(client.capabilities().stls) << "CAPA read again over TLS";
    EXPECT_EQ(client.retrieve(2), wireForm(kSecondMessage));
}

TEST_F(ClientTest, Rfc2595StlsNotOfferedFailsBeforeSendingCredentials) {
    server = std::make_unique<Server>(false, false, 0);
    server->options().address = "127.0.0.1";
    mailbox.attach(*server);
    server->start();
    Client client = makeClient(EncryptMode::startTls);
    std::vector<std::string> sent;
    client.onTrace = [&](TraceDirection direction, std::string_view line) {
        if (direction == TraceDirection::sent)
            sent.emplace_back(line);
    };
    EXPECT_THROW(client.connect(), NotSupportedError);
    EXPECT_THAT(sent, ElementsAre("CAPA"));
}

TEST_F(ClientTest, Rfc8314ImplicitTls) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    Client client = makeClient(EncryptMode::sslTls);
    client.connect();
    EXPECT_TRUE(client.secure());
    EXPECT_EQ(client.retrieve(1), wireForm(kFirstMessage));
}

TEST_F(ClientTest, UnknownCaIsRejectedByDefaultAndNamesTheSwitch) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    Client client = makeClient(EncryptMode::sslTls);
    client.caFile.clear(); // the system CAs do not know the test CA
    try {
        client.connect();
        FAIL() << "connected to an untrusted server";
    } catch (const TlsError& e) {
        EXPECT_THAT(e.what(), HasSubstr("self-signed certificate in certificate chain"));
        EXPECT_THAT(e.what(), HasSubstr("verifyServerCertificate"));
    }
    client.caFile = TestPki::get().otherCaCert;
    EXPECT_THROW(client.connect(), TlsError);
    client.caFile.clear();
    client.verifyServerCertificate = false;
    client.connect();
    EXPECT_EQ(client.count(), 2u);
}

TEST_F(ClientTest, HostNameMismatchIsRejectedOnLoopbackToo) {
    startServer([](Server& s) {
        s.options().implicitTls = true;
        s.setCertificate(TestPki::get().otherNameCert, TestPki::get().otherNameKey);
    });
    Client client = makeClient(EncryptMode::sslTls);
    try {
        client.connect();
        FAIL() << "accepted a certificate for mail.example.org as localhost";
    } catch (const TlsError& e) {
        EXPECT_THAT(e.what(), HasSubstr("hostname mismatch"));
    }
}

TEST_F(ClientTest, MissingCaFileIsNamed) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    Client client = makeClient(EncryptMode::sslTls);
    client.caFile = "/nonexistent/ca.pem";
    try {
        client.connect();
        FAIL();
    } catch (const CertificateError& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/ca.pem"));
    }
}

TEST_F(ClientTest, RetrieveToFileAndProgress) {
    startServer();
    Client client = makeClient();
    std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
    client.onProgress = [&](std::uint64_t received, std::uint64_t expected) {
        progress.emplace_back(received, expected);
    };
    client.connect();
    Poco::TemporaryFile file;
    const std::string expected = wireForm(kFirstMessage);
    EXPECT_EQ(client.retrieve(1, file.path()), expected.size());
    EXPECT_EQ(readFile(file.path()), expected);
    ASSERT_FALSE(progress.empty());
    EXPECT_EQ(progress.back(), std::make_pair<std::uint64_t>(expected.size(), expected.size()));

    Poco::TemporaryFile missing;
    EXPECT_THROW(client.retrieve(7, missing.path()), ServerError);
    EXPECT_FALSE(Poco::File(missing.path()).exists()) << "no file for a failed retrieve";
    EXPECT_EQ(client.count(), 2u) << "the session goes on after -ERR";
}

TEST_F(ClientTest, LineEndsInCredentialsCannotSmuggleACommand) {
    startServer();
    for (const std::string& bad :
         {std::string("alice\r\nDELE 1"), std::string("a\nb"), std::string("a\0b", 3)}) {
        Client client = makeClient();
        client.username = bad;
        EXPECT_THROW(client.connect(), UsageError);
        client.username = "alice";
        client.password = bad;
        EXPECT_THROW(client.connect(), UsageError);
        EXPECT_FALSE(client.connected());
    }
    EXPECT_EQ(server->connections(), 0) << "refused before connecting";
}

TEST_F(ClientTest, UsageErrorsBeforeConnect) {
    Client client;
    EXPECT_THROW(client.count(), UsageError);
    EXPECT_THROW(client.retrieve(1), UsageError);
    EXPECT_NO_THROW(client.disconnect());
}

TEST_F(ClientTest, MovedClientKeepsItsSession) {
    startServer();
    Client first = makeClient();
    first.connect();
    Client second = std::move(first);
    EXPECT_FALSE(first.connected()); // NOLINT(bugprone-use-after-move): moved-from is defined
    EXPECT_EQ(second.count(), 2u);
    second.disconnect();
}

TEST_F(ClientTest, DestroyingWithoutDisconnectDeletesNothing) {
    startServer();
    {
        Client client = makeClient();
        client.connect();
        EXPECT_TRUE(client.remove(1));
    }
    EXPECT_TRUE(eventually([&] { return mailbox.disconnects() == 1; }));
    EXPECT_EQ(mailbox.uids("alice").size(), 2u);
}

// Scripted peers: what a broken or hostile server sends.

constexpr const char* kGreeting = "+OK ready <1.2@test>\r\n";
constexpr const char* kCapa = "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n";

Client clientFor(const ScriptedPeer& peer,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    Client client;
    client.host = "127.0.0.1";
    client.port = peer.port();
    client.username = "u";
    client.password = "p";
    client.timeout = timeout;
    return client;
}

ScriptedPeer::Script loggedIn() {
    ScriptedPeer::Script script;
    script.send(kGreeting).reply({kCapa, "+OK\r\n", "+OK\r\n"});
    return script;
}

TEST(ClientErrorTest, Rfc2449ResponseCodesBecomeTypedServerErrors) {
    const std::vector<std::pair<std::string, ServerError::Code>> cases = {
        {"-ERR [IN-USE] locked", ServerError::Code::InUse},
        {"-ERR [LOGIN-DELAY] wait", ServerError::Code::LoginDelay},
        {"-ERR [SYS/TEMP] later", ServerError::Code::SysTemp},
        {"-ERR [SYS/PERM] never", ServerError::Code::SysPerm},
        {"-ERR [AUTH] no", ServerError::Code::Auth},
        {"-ERR [X-VENDOR] hm", ServerError::Code::Other},
        {"-ERR plain", ServerError::Code::None},
    };
    for (const auto& [reply, code] : cases) {
        ScriptedPeer peer(
            ScriptedPeer::Script().send(kGreeting).reply({kCapa, "+OK\r\n", reply + "\r\n"}));
        Client client = clientFor(peer);
        try {
            client.connect();
            FAIL() << reply;
        } catch (const ServerError& e) {
            EXPECT_EQ(e.code(), code) << reply;
            EXPECT_EQ(e.isTemporary(), code == ServerError::Code::InUse ||
                                           code == ServerError::Code::LoginDelay ||
                                           code == ServerError::Code::SysTemp);
        }
    }
}

TEST(ClientErrorTest, ConnectionDroppedMidRetrIsAnErrorNotATruncatedMessage) {
    ScriptedPeer peer(loggedIn().reply({"+OK 100 octets\r\nSubject: x\r\n\r\nhalf a bo"}).close());
    Client client = clientFor(peer);
    client.connect();
    Poco::TemporaryFile file;
    try {
        client.retrieve(1, file.path());
        FAIL() << "a truncated message was accepted";
    } catch (const ConnectionError& e) {
        EXPECT_THAT(e.what(), HasSubstr("RETR 1"));
    }
    EXPECT_FALSE(Poco::File(file.path()).exists()) << "no partial file at the target";
    EXPECT_FALSE(client.connected());
}

TEST(ClientErrorTest, MissingTerminatorBeforeCloseIsAnError) {
    ScriptedPeer peer(loggedIn().reply({"+OK\r\nSubject: x\r\n\r\nbody\r\n"}).close());
    Client client = clientFor(peer);
    client.connect();
    EXPECT_THROW(client.retrieve(1), ConnectionError);
}

TEST(ClientErrorTest, GarbageStatusIsAProtocolError) {
    for (const char* reply : {"+garbage\r\n", "+OKAY 1 2\r\n", "+OK 1 2\n", "hello\r\n"}) {
        ScriptedPeer peer(loggedIn().reply({reply}));
        Client client = clientFor(peer);
        client.connect();
        EXPECT_THROW(client.count(), ProtocolError) << reply;
        EXPECT_FALSE(client.connected());
    }
}

TEST(ClientErrorTest, Rfc1939Section5MalformedStatIsAProtocolError) {
    for (const char* reply : {"+OK\r\n", "+OK two 3\r\n", "+OK 1\r\n", "+OK -1 5\r\n"}) {
        ScriptedPeer peer(loggedIn().reply({reply}));
        Client client = clientFor(peer);
        client.connect();
        EXPECT_THROW(client.stat(), ProtocolError) << reply;
    }
}

TEST(ClientErrorTest, Rfc1939Section7MalformedUidlIsAProtocolError) {
    for (const std::string& body : {std::string("1 has space"), "1 " + std::string(71, 'x'),
                                    std::string("0 uid"), std::string("1")}) {
        ScriptedPeer peer(loggedIn().reply({"+OK\r\n" + body + "\r\n.\r\n"}));
        Client client = clientFor(peer);
        client.connect();
        EXPECT_THROW(client.uidl(), ProtocolError) << body;
    }
}

TEST(ClientErrorTest, SlowServerTimesOutWithinTheSetting) {
    ScriptedPeer peer(loggedIn().expectLine().pause(std::chrono::seconds(3)));
    const auto timeout = std::chrono::milliseconds(1000);
    Client client = clientFor(peer, timeout);
    client.connect();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.count(), TimeoutError);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, timeout * 8 / 10);
    EXPECT_LE(elapsed, timeout * 14 / 10);
}

TEST(ClientErrorTest, SlowTlsServerTimesOutWithinTheSettingNotTwice) {
    const TestPki& pki = TestPki::get();
    ScriptedPeer peer(loggedIn().expectLine().pause(std::chrono::seconds(3)),
                      ScriptedPeer::serverContext(pki.serverCert, pki.serverKey));
    const auto timeout = std::chrono::milliseconds(1000);
    Client client = clientFor(peer, timeout);
    client.encryptMode = EncryptMode::sslTls;
    client.caFile = pki.caCert;
    client.connect();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.count(), TimeoutError);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, timeout * 8 / 10);
    EXPECT_LE(elapsed, timeout * 14 / 10);
}

TEST(ClientErrorTest, Rfc2595StlsResponseInjectionDoesNotFoolTheClient) {
    // The +OK to STLS arrives with a forged reply behind it in the same segment; it must be
    // discarded, so the CAPA read over TLS gets the real answer.
    ScriptedPeer peer(
        ScriptedPeer::Script()
            .send(kGreeting)
            .reply({"+OK\r\nSTLS\r\nUSER\r\n.\r\n"})
            .expectLine()
            .send("+OK begin\r\n+OK\r\nFORGED\r\n.\r\n")
            .startTls()
            .reply({"+OK\r\nUSER\r\nTOP\r\n.\r\n", "+OK\r\n", "+OK\r\n", "+OK 3 30\r\n"}));
    Client client = clientFor(peer);
    client.host = "localhost";
    client.encryptMode = EncryptMode::startTls;
    client.caFile = TestPki::get().caCert;
    client.connect();
    EXPECT_FALSE(client.capabilities().has("FORGED"));
    EXPECT_TRUE(client.capabilities().top);
    EXPECT_EQ(client.count(), 3u);
    client = Client(); // close before reading what the peer received
    EXPECT_THAT(peer.received(), ElementsAre("CAPA", "STLS", "CAPA", "USER u", "PASS p", "STAT"));
}

TEST(ClientErrorTest, Tls10OnlyServerIsRefusedWithMinimumTls12) {
    const TestPki& pki = TestPki::get();
    Poco::Net::Context::Ptr old = ScriptedPeer::serverContext(pki.serverCert, pki.serverKey);
    applyProtocolRange(*old, TlsProtocol::tls1_0, TlsProtocol::tls1_0);
    ScriptedPeer peer(ScriptedPeer::Script().send(kGreeting), old);
    Client client = clientFor(peer);
    client.host = "localhost";
    client.encryptMode = EncryptMode::sslTls;
    client.caFile = pki.caCert;
    try {
        client.connect();
        FAIL() << "negotiated TLS 1.0";
    } catch (const TlsError& e) {
        EXPECT_THAT(e.what(), HasSubstr("TLSv1.2..TLSv1.3"));
    }
}

TEST(ClientErrorTest, Rfc1939Section7ApopWithoutTimestampIsNotSupported) {
    ScriptedPeer peer(ScriptedPeer::Script().send("+OK no timestamp here\r\n").reply({kCapa}));
    Client client = clientFor(peer);
    client.authMode = AuthMode::apop;
    EXPECT_THROW(client.connect(), NotSupportedError);
}

TEST(ClientErrorTest, NoCommonSaslMechanismIsNotSupported) {
    ScriptedPeer peer(
        ScriptedPeer::Script().send(kGreeting).reply({"+OK\r\nSASL GSSAPI\r\n.\r\n"}));
    Client client = clientFor(peer);
    client.authMode = AuthMode::sasl;
    try {
        client.connect();
        FAIL();
    } catch (const NotSupportedError& e) {
        EXPECT_THAT(e.what(), HasSubstr("GSSAPI"));
    }
}

} // namespace
} // namespace pop3::test
