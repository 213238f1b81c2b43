// The mock server running scenarios: mailboxes, TLS, rules, faults and the recording, seen by
// pop3::Client and by a raw client that checks the bytes.

#include "pop3/Client.h"
#include "pop3/Errors.h"
#include "pop3/Message.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioLoader.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "support/RawClient.h"

namespace pop3::mock {
namespace {

using test::RawClient;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kAlice = R"(
mailboxes:
  - user: alice
    password: wonderland
    messages:
      - {raw: "Subject: one\n\n.dotted\nbody\n", uid: u-one}
      - {raw: "Subject: two\n\nsecond\n", uid: u-two}
)";

/// A running mock for a scenario given as YAML.
class Mock {
public:
    explicit Mock(const std::string& yaml)
        : scenario(ScenarioLoader::loadString(yaml, "test.yaml")), server(scenario) {
        server.start();
    }

    Client client(EncryptMode mode = EncryptMode::none) {
        Client c;
        c.host = "localhost";
        c.port = mode == EncryptMode::sslTls ? *server.tlsPort() : *server.port();
        c.encryptMode = mode;
        c.caFile = server.certificateFile();
        c.username = "alice";
        c.password = "wonderland";
        c.timeout = std::chrono::seconds(5);
        return c;
    }

    RawClient raw() {
        RawClient c(*server.port());
        c.readLine();
        return c;
    }

    RawClient loggedIn() {
        RawClient c = raw();
        c.command("USER alice");
        c.command("PASS wonderland");
        return c;
    }

    Scenario scenario;
    MockServer server;
};

bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 500 && !condition(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return condition();
}

TEST(MockServerTest, ServesTheDeclaredMailboxAndAppliesDeletionsAtQuit) {
    Mock mock(kAlice);
    Client client = mock.client();
    client.connect();
    EXPECT_EQ(client.count(), 2u);
    EXPECT_EQ(client.retrieve(1), canonicalMessage("Subject: one\n\n.dotted\nbody\n"));
    EXPECT_EQ(client.uidl(2).at(0).id, "u-two");
    EXPECT_TRUE(client.remove(1));
    client.disconnect();
    ASSERT_TRUE(eventually([&] { return mock.server.mailbox("alice").size() == 1; }));
    EXPECT_EQ(mock.server.mailbox("alice")[0].uid, "u-two");
    const std::vector<RecordedSession> sessions = mock.server.recording().sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(sessions[0].loggedIn);
    EXPECT_TRUE(sessions[0].quit);
    EXPECT_TRUE(sessions[0].plaintextPassword);
    EXPECT_EQ(sessions[0].deletedUids, std::vector<std::string>{"u-one"});
    EXPECT_EQ(sessions[0].deletedPositions, std::vector<std::uint64_t>{1});
}

TEST(MockServerTest, RecordingHasBothDirectionsWithSecretsMasked) {
    Mock mock(kAlice);
    Client client = mock.client();
    client.connect();
    client.retrieve(2);
    client.disconnect();
    std::vector<std::string> lines;
    for (const RecordedLine& line : mock.server.recording().lines())
        lines.push_back((line.direction == TraceDirection::received ? "C: " : "S: ") + line.line);
    EXPECT_THAT(lines, Contains("C: PASS ****"));
    EXPECT_THAT(lines, Contains("C: RETR 2"));
    EXPECT_THAT(lines, Contains(StartsWith("S: [message data: ")));
    EXPECT_THAT(lines, Not(Contains(HasSubstr("wonderland"))));
}

TEST(MockServerTest, StlsModeServesBothPortsWithAGeneratedCertificate) {
    Mock mock(std::string(kAlice) + "server: {tls: {mode: stls, certificate: {generate: true}}}\n");
    ASSERT_TRUE(mock.server.port() && mock.server.tlsPort());
    Client stls = mock.client(EncryptMode::startTls);
    stls.connect();
    EXPECT_TRUE(stls.secure());
    stls.disconnect(); // one session per maildrop, whichever port it came in on
    Client implicit = mock.client(EncryptMode::sslTls);
    implicit.connect();
    EXPECT_EQ(implicit.count(), 2u);
}

TEST(MockServerTest, CapabilitiesFollowTheDeclaredStates) {
    Mock mock(std::string(kAlice) + R"(
server:
  capabilities:
    plain:
      beforeLogin: [TOP, USER, X-BEFORE]
      afterLogin: [TOP, X-AFTER]
)");
    RawClient raw = mock.raw();
    EXPECT_EQ(raw.multiline("CAPA"),
              "+OK Capability list follows\r\nTOP\r\nUSER\r\nX-BEFORE\r\n.\r\n");
    raw.command("USER alice");
    raw.command("PASS wonderland");
    EXPECT_EQ(raw.multiline("CAPA"), "+OK Capability list follows\r\nTOP\r\nX-AFTER\r\n.\r\n");
}

TEST(MockServerTest, RuleRepliesOnlyOnTheNthOccurrence) {
    Mock mock(std::string(kAlice) + R"(
rules:
  - command: PASS
    occurrence: 1
    reply: "-ERR [SYS/TEMP] try again"
)");
    RawClient raw = mock.raw();
    raw.command("USER alice");
    EXPECT_EQ(raw.command("PASS wonderland"), "-ERR [SYS/TEMP] try again\r\n");
    raw.command("USER alice");
    EXPECT_THAT(raw.command("PASS wonderland"), StartsWith("+OK"));
}

TEST(MockServerTest, RuleDropsTheConnectionInTheMiddleOfAMessage) {
    Mock mock(std::string(kAlice) + R"(
rules:
  - {command: RETR, arguments: '^1$', drop: {afterBytes: 20}}
)");
    Client client = mock.client();
    client.connect();
    EXPECT_THROW(client.retrieve(1), ConnectionError);
    EXPECT_EQ(mock.server.mailbox("alice").size(), 2u);
}

TEST(MockServerTest, RuleDelaysAndStalls) {
    Mock mock(std::string(kAlice) + R"(
rules:
  - {command: NOOP, delay: 300}
  - {command: STAT, stall: true}
)");
    Client client = mock.client();
    client.timeout = std::chrono::milliseconds(1000);
    client.connect();
    const auto start = std::chrono::steady_clock::now();
    client.noop();
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
    EXPECT_THROW(client.count(), TimeoutError);
}

TEST(MockServerTest, GreetingRuleAffectsOnlyTheFirstConnection) {
    Mock mock(std::string(kAlice) + R"(
rules:
  - {command: greeting, occurrence: 1, reply: "-ERR [SYS/TEMP] busy"}
)");
    Client first = mock.client();
    try {
        first.connect();
        FAIL();
    } catch (const ServerError& e) {
        EXPECT_EQ(e.code(), ServerError::Code::SysTemp);
    }
    Client second = mock.client();
    second.connect();
    EXPECT_EQ(second.count(), 2u);
}

TEST(MockServerTest, FaultNoByteStuffingSendsDotLinesAsTheyAre) {
    Mock mock(std::string(kAlice) + "rules: [{command: RETR, fault: noByteStuffing}]\n");
    RawClient raw = mock.loggedIn();
    const std::string reply = raw.multiline("RETR 1");
    EXPECT_THAT(reply, HasSubstr("\r\n.dotted\r\n"));
    EXPECT_THAT(reply, Not(HasSubstr("..dotted")));
}

TEST(MockServerTest, FaultLfLineEndsIsAProtocolErrorForTheClient) {
    Mock mock(std::string(kAlice) + "rules: [{command: STAT, fault: lfLineEnds}]\n");
    Client client = mock.client();
    client.connect();
    EXPECT_THROW(client.count(), ProtocolError);
}

TEST(MockServerTest, FaultsOnSizesCountsAndUids) {
    Mock mock(std::string(kAlice) + R"(
rules:
  - {command: STAT, fault: wrongCount}
  - {command: LIST, fault: wrongSize}
  - {command: UIDL, fault: duplicateUidl}
)");
    RawClient raw = mock.loggedIn();
    const std::uint64_t one = measureMessage("Subject: one\n\n.dotted\nbody\n").octets;
    const std::uint64_t two = measureMessage("Subject: two\n\nsecond\n").octets;
    EXPECT_EQ(raw.command("STAT"), "+OK 3 " + std::to_string(one + two) + "\r\n");
    EXPECT_EQ(raw.multiline("LIST"), "+OK Scan listing follows\r\n1 " + std::to_string(one + 1) +
                                         "\r\n2 " + std::to_string(two + 1) + "\r\n.\r\n");
    EXPECT_EQ(raw.multiline("UIDL"),
              "+OK Unique-ID listing follows\r\n1 u-one\r\n2 u-one\r\n.\r\n");
}

TEST(MockServerTest, FaultQuitWithoutUpdateKeepsEverything) {
    Mock mock(std::string(kAlice) + "rules: [{command: QUIT, fault: quitWithoutUpdate}]\n");
    Client client = mock.client();
    client.connect();
    client.remove(1);
    client.disconnect();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(mock.server.mailbox("alice").size(), 2u);
}

TEST(MockServerTest, FaultUpdateRemovesUnmarkedTakesAnotherMessage) {
    Mock mock(std::string(kAlice) + "rules: [{command: QUIT, fault: updateRemovesUnmarked}]\n");
    RawClient raw = mock.loggedIn();
    raw.command("DELE 2");
    EXPECT_THAT(raw.command("QUIT"), StartsWith("+OK"));
    EXPECT_TRUE(raw.closedByServer());
    EXPECT_TRUE(mock.server.mailbox("alice").empty());
}

TEST(MockServerTest, FaultQuitKeepsLockRefusesTheNextLogin) {
    Mock mock(std::string(kAlice) + "rules: [{command: QUIT, fault: quitKeepsLock}]\n");
    RawClient first = mock.loggedIn();
    EXPECT_THAT(first.command("QUIT"), StartsWith("+OK"));
    EXPECT_TRUE(first.closedByServer());
    RawClient second = mock.raw();
    second.command("USER alice");
    EXPECT_THAT(second.command("PASS wonderland"), StartsWith("-ERR [IN-USE]"));
    mock.server.resetMailboxes();
    EXPECT_THAT(second.command("PASS wonderland"), StartsWith("-ERR")) << "PASS needs USER again";
    second.command("USER alice");
    EXPECT_THAT(second.command("PASS wonderland"), StartsWith("+OK"));
}

TEST(MockServerTest, FailNextUpdateAnswersErrAndReleasesTheMaildrop) {
    Mock mock(kAlice);
    RawClient first = mock.loggedIn();
    first.command("DELE 1");
    mock.server.failNextUpdate();
    EXPECT_THAT(first.command("QUIT"), StartsWith("-ERR"));
    EXPECT_TRUE(first.closedByServer());
    EXPECT_EQ(mock.server.mailbox("alice").size(), 2u);
    RawClient second = mock.loggedIn();
    second.command("DELE 1");
    EXPECT_THAT(second.command("QUIT"), StartsWith("+OK")) << "only the next UPDATE fails";
    EXPECT_EQ(mock.server.mailbox("alice").size(), 1u);
}

TEST(MockServerTest, DeliverAddsAMessageForTheNextSession) {
    Mock mock(kAlice);
    RawClient open = mock.loggedIn();
    mock.server.deliver("alice");
    mock.server.deliver("alice");
    EXPECT_THAT(open.command("STAT"), StartsWith("+OK 2 "));
    open.command("QUIT");
    RawClient next = mock.loggedIn();
    EXPECT_THAT(next.command("STAT"), StartsWith("+OK 4 "));
    EXPECT_EQ(next.command("UIDL 3"), "+OK 3 delivered-1\r\n");
    EXPECT_THAT(next.multiline("RETR 4"), HasSubstr("Subject: Delivered 2\r\n"));
    const std::string size = std::to_string(mock.server.mailbox("alice").back().size);
    EXPECT_EQ(next.command("LIST 4"), "+OK 4 " + size + "\r\n");
}

TEST(MockServerTest, FaultDeleteWithoutQuitRemovesAtOnce) {
    Mock mock(std::string(kAlice) + "rules: [{command: DELE, fault: deleteWithoutQuit}]\n");
    {
        Client client = mock.client();
        client.connect();
        client.remove(2);
    } // no QUIT
    EXPECT_TRUE(eventually([&] { return mock.server.mailbox("alice").size() == 1; }));
}

TEST(MockServerTest, FaultDeletedStillListedAndAccessible) {
    Mock mock(std::string(kAlice) + R"(
rules:
  - {command: STAT, fault: deletedStillListed}
  - {command: RETR, fault: deletedStillAccessible}
)");
    RawClient raw = mock.loggedIn();
    raw.command("DELE 1");
    EXPECT_THAT(raw.command("STAT"), StartsWith("+OK 2 "));
    EXPECT_THAT(raw.multiline("RETR 1"), HasSubstr("\r\n..dotted\r\n"));
}

TEST(MockServerTest, FaultStlsWithoutTlsStaysPlaintext) {
    Mock mock(std::string(kAlice) + R"(
server: {tls: {mode: stls, certificate: {generate: true}}}
rules: [{command: STLS, fault: stlsWithoutTls}]
)");
    Client client = mock.client(EncryptMode::startTls);
    EXPECT_THROW(client.connect(), Error) << "the client must notice there is no TLS";
}

TEST(MockServerTest, FaultNoImplicitTlsServesTheTlsPortInPlaintext) {
    Mock mock(std::string(kAlice) + R"(
server: {tls: {mode: stls, certificate: {generate: true}}}
rules: [{command: greeting, fault: noImplicitTls}]
)");
    RawClient plain(*mock.server.tlsPort());
    EXPECT_THAT(plain.readLine(), StartsWith("+OK "));
    EXPECT_THAT(plain.command("USER alice"), StartsWith("+OK"));
    Client stls = mock.client(EncryptMode::startTls);
    stls.connect();
    EXPECT_TRUE(stls.secure()) << "the plaintext port keeps its STLS";
}

TEST(MockServerTest, FaultUntrustedCertificateFailsVerification) {
    Mock mock(std::string(kAlice) + R"(
server: {tls: {mode: stls, certificate: {generate: true}}}
rules: [{command: greeting, fault: untrustedCertificate}]
)");
    Client client = mock.client(EncryptMode::sslTls);
    EXPECT_THROW(client.connect(), Error) << "the served certificate is not certificateFile()";
    client.verifyServerCertificate = false;
    client.connect();
    EXPECT_EQ(client.count(), 2u);
}

TEST(MockServerTest, FaultCapaMissingAndAcceptAnyPassword) {
    Mock mock(R"(
server: {auth: {acceptAnyPassword: true}}
rules: [{command: CAPA, fault: capaMissing}]
)");
    Client client = mock.client();
    client.username = "anybody";
    client.password = "anything";
    client.connect();
    EXPECT_TRUE(client.capabilities().lines.empty());
    EXPECT_EQ(client.count(), 0u);
}

TEST(MockServerTest, LoginDelayIsAdvertisedAndEnforced) {
    Mock mock(std::string(kAlice) + "server: {limits: {loginDelaySeconds: 60}}\n");
    Client first = mock.client();
    first.connect();
    EXPECT_EQ(first.capabilities().loginDelay, "60");
    first.disconnect();
    Client second = mock.client();
    try {
        second.connect();
        FAIL() << "logged in again within the delay";
    } catch (const ServerError& e) {
        EXPECT_EQ(e.code(), ServerError::Code::LoginDelay);
    }
}

TEST(MockServerTest, Utf8LangAndExpireAreAdvertised) {
    Mock mock(std::string(kAlice) +
              "server: {utf8: true, languages: [en English], expire: NEVER}\n");
    Client client = mock.client();
    client.connect();
    const auto& lines = client.capabilities().lines;
    for (const char* line : {"UTF8 USER", "LANG", "EXPIRE NEVER"})
        EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end()) << line;
    EXPECT_EQ(client.capabilities().expire, "NEVER");
}

TEST(MockServerTest, MaildirMessagesAreServedAndRemovedAtQuit) {
    Poco::TemporaryFile dir;
    const Poco::Path base = Poco::Path::forDirectory(dir.path());
    for (const char* sub : {"new", "cur", "tmp"})
        Poco::File(Poco::Path(base, std::string(sub) + "/")).createDirectories();
    const std::string first = Poco::Path(base, "cur/1000.a.host:2,S").toString();
    const std::string second = Poco::Path(base, "new/2000.b.host").toString();
    Poco::FileOutputStream(first) << "Subject: a\n\nA\n";
    Poco::FileOutputStream(second) << "Subject: b\n\nB\n";
    Mock mock("mailboxes:\n  - {user: alice, password: wonderland, maildir: '" + dir.path() +
              "'}\n");
    Client client = mock.client();
    client.connect();
    EXPECT_EQ(client.uidl().at(0).id, "1000.a.host");
    EXPECT_EQ(client.retrieve(2), "Subject: b\r\n\r\nB\r\n");
    client.remove(1);
    client.disconnect();
    EXPECT_TRUE(eventually([&] { return !Poco::File(first).exists(); }));
    EXPECT_TRUE(Poco::File(second).exists());
}

} // namespace
} // namespace pop3::mock
