#include "pop3/Message.h"
#include "pop3/mock/MessageGenerator.h"
#include "pop3/mock/ScenarioError.h"
#include "pop3/mock/ScenarioLoader.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace {

using namespace pop3::mock;

/// A scenario file path inside test/data/good, so that relative paths find the test files.
const std::string kGood = std::string(POP3_SCENARIO_TEST_DATA) + "/good/";

Scenario load(const std::string& yaml) {
    try {
        return ScenarioLoader::loadString(yaml, kGood + "test.yaml");
    } catch (const ScenarioError& e) {
        ADD_FAILURE() << e.what();
        throw;
    }
}

template <typename T> const T& stepAs(const Scenario& scenario, std::size_t i) {
    return std::get<T>(scenario.steps.at(i).action);
}

TEST(ScenarioLoaderTest, EmptyMapIsAValidScenarioWithDefaults) {
    const Scenario scenario = ScenarioLoader::loadString("{}", "dir/my-scenario.yaml");
    EXPECT_EQ("my-scenario", scenario.name);
    EXPECT_EQ("dir/my-scenario.yaml", scenario.sourceFile);
    EXPECT_TRUE(scenario.mailboxes.empty());
    EXPECT_FALSE(scenario.server.greeting);
    EXPECT_EQ(TlsMode::None, scenario.server.tls.mode);
    EXPECT_FALSE(scenario.server.auth.acceptAnyPassword);
    EXPECT_TRUE(scenario.rules.empty());
    EXPECT_TRUE(scenario.steps.empty());
    EXPECT_FALSE(scenario.expectations.quitSent);
}

TEST(ScenarioLoaderTest, EmptySectionsCountAsAbsent) {
    const Scenario scenario =
        load("version: 1\nmailboxes:\nserver:\nrules:\nsteps:\nexpectations:\n");
    EXPECT_TRUE(scenario.mailboxes.empty());
    EXPECT_TRUE(scenario.rules.empty());
}

TEST(ScenarioLoaderTest, NameAndDescription) {
    const Scenario scenario = load("name: Retry\ndescription: |\n  Two lines\n  of text\n");
    EXPECT_EQ("Retry", scenario.name);
    EXPECT_EQ("Two lines\nof text\n", scenario.description);
}

TEST(ScenarioLoaderTest, MailboxCredentials) {
    const Scenario scenario = load(R"(
mailboxes:
  - {user: alice, password: wonderland, secret: apop}
  - {user: bob, password: 1234}
  - {user: carol, secret: only-secret}
)");
    ASSERT_EQ(3u, scenario.mailboxes.size());
    EXPECT_EQ("wonderland", scenario.mailboxes[0].password);
    EXPECT_EQ("apop", scenario.mailboxes[0].effectiveSecret());
    EXPECT_EQ("1234", scenario.mailboxes[1].password);
    EXPECT_EQ("1234", scenario.mailboxes[1].effectiveSecret());
    EXPECT_FALSE(scenario.mailboxes[2].password);
    EXPECT_EQ("only-secret", scenario.mailboxes[2].effectiveSecret());
    EXPECT_EQ(&scenario.mailboxes[1], scenario.findMailbox("bob"));
    EXPECT_EQ(nullptr, scenario.findMailbox("Bob"));
    EXPECT_EQ(4, scenario.mailboxes[1].location.line); // the text starts with a newline
    EXPECT_EQ(5, scenario.mailboxes[1].location.column);
}

TEST(ScenarioLoaderTest, AcceptAnyPasswordAllowsMailboxesWithoutPassword) {
    const Scenario scenario =
        load("server: {auth: {acceptAnyPassword: true}}\nmailboxes: [{user: app}]\n");
    EXPECT_TRUE(scenario.server.auth.acceptAnyPassword);
    EXPECT_FALSE(scenario.mailboxes[0].effectiveSecret());
}

TEST(ScenarioLoaderTest, InlineMessageFromHeaderMapAndBody) {
    const Scenario scenario = load(R"(
mailboxes:
  - user: alice
    password: pw
    messages:
      - headers: {From: bob@example.org, Subject: Hi}
        body: |
          Hello.
          .dot
)");
    const MessageSource& source = scenario.mailboxes[0].messages.at(0);
    EXPECT_EQ(MessageSource::Kind::Inline, source.kind);
    const std::string expected = "From: bob@example.org\r\nSubject: Hi\r\n\r\nHello.\r\n.dot\r\n";
    EXPECT_EQ(expected, source.textOf(0));
    EXPECT_EQ(expected.size(), source.sizeOf(0));
}

TEST(ScenarioLoaderTest, HeaderListKeepsRepeatsAndOrder) {
    const Scenario scenario = load(R"(
mailboxes:
  - user: alice
    password: pw
    messages:
      - headers: ["Received: a", "Received: b", "Subject:no space"]
)");
    EXPECT_EQ("Received: a\r\nReceived: b\r\nSubject: no space\r\n\r\n",
              scenario.mailboxes[0].messages[0].text);
}

TEST(ScenarioLoaderTest, BodyOnlyMessageHasEmptyHeaderSection) {
    const Scenario scenario =
        load("mailboxes: [{user: a, password: p, messages: [{body: \"just text\"}]}]\n");
    EXPECT_EQ("\r\njust text\r\n", scenario.mailboxes[0].messages[0].text);
}

TEST(ScenarioLoaderTest, RawMessageIsKeptAsWrittenAndMeasuredWithCrlf) {
    const Scenario scenario = load(R"(
mailboxes:
  - user: alice
    password: pw
    messages:
      - raw: "Subject: x\n\nbody"
        uid: raw-1
)");
    const MessageSource& source = scenario.mailboxes[0].messages[0];
    EXPECT_EQ("Subject: x\n\nbody", source.textOf(0));
    // CRLF line ends and a final CRLF: 12 + 2 + 6.
    EXPECT_EQ(20u, source.sizeOf(0));
    EXPECT_EQ("raw-1", source.uid);
}

TEST(ScenarioLoaderTest, FileMessageResolvesAgainstTheScenarioAndIsMeasured) {
    const Scenario scenario = load(R"(
mailboxes:
  - user: alice
    password: pw
    messages:
      - file: mail/hello.eml
)");
    const MessageSource& source = scenario.mailboxes[0].messages[0];
    EXPECT_EQ(MessageSource::Kind::File, source.kind);
    EXPECT_EQ(kGood + "mail/hello.eml", source.path);
    const std::string text = source.textOf(0);
    EXPECT_NE(std::string::npos, text.find("Subject: Hello from a file"));
    EXPECT_EQ(pop3::measureMessage(text).octets, source.sizeOf(0));
    EXPECT_GT(source.sizeOf(0), text.size()); // LF line ends in the file
}

TEST(ScenarioLoaderTest, GeneratedMessagesAreDescribedNotProduced) {
    const Scenario scenario = load(R"(
mailboxes:
  - user: alice
    password: pw
    messages:
      - {raw: "first\n"}
      - generate: {count: 10000, size: 2048, seed: 7}
      - generate: 3
      - {raw: "last\n", uid: last}
)");
    const Mailbox& mailbox = scenario.mailboxes[0];
    ASSERT_EQ(4u, mailbox.messages.size());
    EXPECT_EQ(10005u, mailbox.messageCount());
    const MessageSource& generated = mailbox.messages[1];
    EXPECT_EQ(MessageSource::Kind::Generated, generated.kind);
    EXPECT_EQ(10000u, generated.generate.count);
    EXPECT_EQ(2048u, generated.generate.size);
    EXPECT_EQ(7u, generated.generate.seed);
    EXPECT_EQ(1024u, mailbox.messages[2].generate.size);
    EXPECT_EQ(1u, mailbox.messages[2].generate.seed);

    const auto refs = mailbox.messageRefs();
    ASSERT_EQ(10005u, refs.size());
    EXPECT_EQ("msg-1", refs[0].uid());
    EXPECT_EQ("msg-2", refs[1].uid());
    EXPECT_EQ(0u, refs[1].ordinal);
    EXPECT_EQ(9999u, refs[10000].ordinal);
    EXPECT_EQ("msg-10001", refs[10000].uid());
    EXPECT_EQ("last", refs[10004].uid());
    EXPECT_EQ(2048u, refs[5].size());
    EXPECT_EQ(2048u, pop3::measureMessage(refs[5].text()).octets);

    const auto listing = mailbox.listing();
    ASSERT_EQ(10005u, listing.size());
    EXPECT_EQ(10005u, listing.back().id);
    EXPECT_EQ("last", listing.back().uid);
    EXPECT_EQ(7u, listing.front().size); // "first\r\n"
}

TEST(ScenarioLoaderTest, GenerateWithCountZeroIsAllowed) {
    const Scenario scenario =
        load("mailboxes: [{user: a, password: p, messages: [{generate: 0}, {raw: x}]}]\n");
    EXPECT_EQ(1u, scenario.mailboxes[0].messageCount());
    EXPECT_EQ("msg-1", scenario.mailboxes[0].messageRefs()[0].uid());
}

TEST(ScenarioLoaderTest, Maildir) {
    const Scenario scenario = load("mailboxes: [{user: bob, password: p, maildir: maildir/bob}]\n");
    EXPECT_EQ(kGood + "maildir/bob", scenario.mailboxes[0].maildir);
    EXPECT_EQ(0u, scenario.mailboxes[0].messageCount());
}

TEST(ScenarioLoaderTest, ServerSettings) {
    const Scenario scenario = load(R"(
server:
  greeting: Mock ready
  apopTimestamp: false
  hostname: mock.example.org
  address: 127.0.0.1
  port: 0
  auth:
    mechanisms: [plain, CRAM-MD5, PLAIN]
    userPass: false
    apop: false
    refusePlaintextLoginWithoutTls: yes
  tls:
    mode: implicit
    certificate: {cert: certs/server.pem, key: certs/server.key}
    minProtocol: TLSv1.0
    maxProtocol: TLSv1.2
  limits:
    maxConnections: 3
    poolSize: 2
    idleTimeoutMs: 1500
    loginDelaySeconds: 0
    maxCommandLine: 512
    maxBadCommands: 5
  mailboxLock: false
  utf8: true
  languages: [en English, de-DE]
  expire: 30
)");
    const ServerSpec& server = scenario.server;
    EXPECT_EQ("Mock ready", server.greeting);
    EXPECT_EQ(false, server.apopTimestamp);
    EXPECT_EQ("mock.example.org", server.hostname);
    EXPECT_EQ("127.0.0.1", server.address);
    EXPECT_EQ(0, server.port);
    EXPECT_EQ((std::vector<std::string>{"PLAIN", "CRAM-MD5"}), server.auth.mechanisms);
    EXPECT_EQ(false, server.auth.userPass);
    EXPECT_EQ(false, server.auth.apop);
    EXPECT_EQ(true, server.auth.refusePlaintextLoginWithoutTls);
    EXPECT_EQ(TlsMode::Implicit, server.tls.mode);
    ASSERT_TRUE(server.tls.certificate);
    EXPECT_EQ(kGood + "certs/server.pem", server.tls.certificate->certFile);
    EXPECT_EQ(kGood + "certs/server.key", server.tls.certificate->keyFile);
    EXPECT_FALSE(server.tls.certificate->generate);
    EXPECT_EQ(TlsVersion::tls1_0, server.tls.minProtocol);
    EXPECT_EQ(TlsVersion::tls1_2, server.tls.maxProtocol);
    EXPECT_EQ(4, static_cast<int>(*server.tls.maxProtocol)); // pop3::TlsProtocol::tls1_2
    EXPECT_EQ(3, server.limits.maxConnections);
    EXPECT_EQ(2, server.limits.poolSize);
    EXPECT_EQ(std::chrono::milliseconds(1500), server.limits.idleTimeout);
    EXPECT_EQ(std::chrono::seconds(0), server.limits.loginDelay);
    EXPECT_EQ(512u, server.limits.maxCommandLine);
    EXPECT_EQ(5u, server.limits.maxBadCommands);
    EXPECT_EQ(false, server.mailboxLock);
    EXPECT_EQ(true, server.utf8);
    EXPECT_EQ((std::vector<std::string>{"en English", "de-DE"}), server.languages);
    EXPECT_EQ("30", server.expire);
}

TEST(ScenarioLoaderTest, GeneratedCertificateAndEmptyMechanisms) {
    const Scenario scenario = load(
        "server: {auth: {mechanisms: []}, tls: {mode: stls, certificate: {generate: true}}}\n");
    EXPECT_EQ(TlsMode::Stls, scenario.server.tls.mode);
    EXPECT_TRUE(scenario.server.tls.certificate->generate);
    EXPECT_TRUE(scenario.server.auth.mechanisms->empty());
}

TEST(ScenarioLoaderTest, CapabilitiesOneListForAllStates) {
    const Scenario scenario = load("server: {capabilities: [TOP, UIDL]}\n");
    const auto& caps = scenario.server.capabilities;
    for (bool tls : {false, true})
        for (bool loggedIn : {false, true}) {
            ASSERT_NE(nullptr, caps.forState(tls, loggedIn));
            EXPECT_EQ((std::vector<std::string>{"TOP", "UIDL"}), *caps.forState(tls, loggedIn));
        }
}

TEST(ScenarioLoaderTest, CapabilitiesPerTransportAndState) {
    const Scenario scenario = load(R"(
server:
  capabilities:
    plain: [STLS, "SASL PLAIN"]
    tls:
      afterLogin: [TOP]
      beforeLogin: []
)");
    const auto& caps = scenario.server.capabilities;
    EXPECT_EQ((std::vector<std::string>{"STLS", "SASL PLAIN"}), *caps.forState(false, false));
    EXPECT_EQ((std::vector<std::string>{"STLS", "SASL PLAIN"}), *caps.forState(false, true));
    EXPECT_TRUE(caps.forState(true, false)->empty());
    EXPECT_EQ((std::vector<std::string>{"TOP"}), *caps.forState(true, true));
}

TEST(ScenarioLoaderTest, CapabilitiesNotGivenKeepTheServersOwn) {
    const Scenario scenario = load("server: {capabilities: {tls: {afterLogin: [TOP]}}}\n");
    EXPECT_EQ(nullptr, scenario.server.capabilities.forState(false, false));
    EXPECT_EQ(nullptr, scenario.server.capabilities.forState(true, false));
    EXPECT_NE(nullptr, scenario.server.capabilities.forState(true, true));
}

TEST(ScenarioLoaderTest, RuleMatchForms) {
    const Scenario scenario = load(R"(
mailboxes: [{user: alice, password: pw}]
rules:
  - {delay: 5}
  - {command: greeting, occurrence: 2, delay: 1}
  - {command: retr, arguments: '^2$', user: alice, occurrence: every, delay: 1}
  - {command: "*", occurrence: 3, delay: 1}
)");
    ASSERT_EQ(4u, scenario.rules.size());
    EXPECT_EQ(RuleMatch::Kind::AnyCommand, scenario.rules[0].match.kind);
    EXPECT_EQ(std::chrono::milliseconds(5), scenario.rules[0].delay);
    EXPECT_EQ(RuleMatch::Kind::Greeting, scenario.rules[1].match.kind);
    EXPECT_EQ(2u, scenario.rules[1].match.occurrence);
    const RuleMatch& retr = scenario.rules[2].match;
    EXPECT_EQ(RuleMatch::Kind::Command, retr.kind);
    EXPECT_EQ(pop3::CommandId::Retr, retr.command);
    EXPECT_EQ("^2$", retr.arguments);
    EXPECT_EQ("alice", retr.user);
    EXPECT_FALSE(retr.occurrence);
    EXPECT_EQ(3u, scenario.rules[3].match.occurrence);
    EXPECT_EQ(6, scenario.rules[2].location.line);
}

TEST(ScenarioLoaderTest, ReplyTextIsSentAsCrlfLines) {
    const Scenario scenario = load(R"(
rules:
  - {command: NOOP, reply: "-ERR no"}
  - command: CAPA
    reply: |
      +OK
      TOP
      .
  - {command: STAT, reply: "+OK 1 2\r\n"}
  - {command: LIST, reply: {bytes: "+OK\nbare LF, no end"}}
  - {command: STLS, append: "+OK injected"}
)");
    EXPECT_EQ("-ERR no\r\n", scenario.rules[0].reply);
    EXPECT_EQ("+OK\r\nTOP\r\n.\r\n", scenario.rules[1].reply);
    EXPECT_EQ("+OK 1 2\r\n", scenario.rules[2].reply);
    EXPECT_EQ("+OK\nbare LF, no end", scenario.rules[3].reply);
    EXPECT_FALSE(scenario.rules[4].reply);
    EXPECT_EQ("+OK injected\r\n", scenario.rules[4].append);
}

TEST(ScenarioLoaderTest, DropStallAndFaultActions) {
    const Scenario scenario = load(R"(
server: {tls: {mode: stls, certificate: {generate: true}}}
rules:
  - {command: RETR, drop: before}
  - {command: RETR, drop: after, reply: "+OK bye"}
  - {command: RETR, drop: {afterBytes: 10}, fault: noByteStuffing, delay: 3}
  - {command: QUIT, stall: true, delay: 100}
  - {command: STLS, fault: stlsInjectedLines}
  - {command: "*", fault: lfLineEnds}
  - {command: greeting, fault: longResponseLine}
)");
    EXPECT_EQ(DropAction::When::BeforeReply, scenario.rules[0].drop->when);
    EXPECT_EQ(DropAction::When::AfterReply, scenario.rules[1].drop->when);
    EXPECT_EQ(DropAction::When::AfterBytes, scenario.rules[2].drop->when);
    EXPECT_EQ(10u, scenario.rules[2].drop->afterBytes);
    EXPECT_EQ(Fault::NoByteStuffing, scenario.rules[2].fault);
    EXPECT_TRUE(scenario.rules[3].stall);
    EXPECT_EQ(Fault::StlsInjectedLines, scenario.rules[4].fault);
    EXPECT_EQ(Fault::LfLineEnds, scenario.rules[5].fault);
    EXPECT_EQ(Fault::LongResponseLine, scenario.rules[6].fault);
}

TEST(ScenarioLoaderTest, RuleUserMayBeUnknownWithAcceptAnyPassword) {
    const Scenario scenario =
        load("server: {auth: {acceptAnyPassword: true}}\nrules: [{user: anyone, delay: 1}]\n");
    EXPECT_EQ("anyone", scenario.rules[0].match.user);
}

TEST(ScenarioLoaderTest, StepsInEveryForm) {
    const Scenario scenario = load(R"(
steps:
  - connect
  - expect: ok
  - send: USER alice
  - expect: {status: err, code: AUTH, line: "-ERR [AUTH] no", regex: 'no$', timeoutMs: 500}
  - connect: {name: tls, tls: implicit}
  - send: {command: CAPA, connection: tls}
  - expect: {connection: tls, lines: [TOP, UIDL], multiline: true}
  - send: {raw: "NOOP\r\nNOOP\r\n"}
  - stls
  - sleep: 250
  - expect: {closed: true, connection: tls}
  - close
)");
    ASSERT_EQ(12u, scenario.steps.size());
}

TEST(ScenarioLoaderTest, StepsDetails) {
    const Scenario scenario = load(R"(
steps:
  - connect
  - expect: ok
  - send: USER alice
  - expect: {status: err, code: AUTH, line: "-ERR [AUTH] no", regex: 'no$', timeoutMs: 500}
  - connect: {name: second, tls: implicit}
  - send: {command: CAPA, connection: second}
  - expect: {connection: second, lines: [TOP, UIDL], multiline: true}
  - send: {raw: "NOOP\r\nNOOP\r\n"}
  - stls
  - sleep: 250
  - expect: {closed: true, connection: second}
  - close
  - connect
)");
    EXPECT_EQ(kDefaultConnection, stepAs<ConnectStep>(scenario, 0).connection);
    EXPECT_FALSE(stepAs<ConnectStep>(scenario, 0).implicitTls);
    EXPECT_EQ(pop3::Status::Ok, stepAs<ExpectStep>(scenario, 1).status);
    EXPECT_EQ("USER alice", stepAs<SendStep>(scenario, 2).text);
    EXPECT_FALSE(stepAs<SendStep>(scenario, 2).raw);
    const auto& err = stepAs<ExpectStep>(scenario, 3);
    EXPECT_EQ(pop3::Status::Err, err.status);
    EXPECT_EQ("AUTH", err.code);
    EXPECT_EQ("-ERR [AUTH] no", err.line);
    EXPECT_EQ("no$", err.regex);
    EXPECT_EQ(std::chrono::milliseconds(500), err.timeout);
    EXPECT_EQ("second", stepAs<ConnectStep>(scenario, 4).connection);
    EXPECT_TRUE(stepAs<ConnectStep>(scenario, 4).implicitTls);
    EXPECT_EQ("second", stepAs<SendStep>(scenario, 5).connection);
    EXPECT_EQ((std::vector<std::string>{"TOP", "UIDL"}), stepAs<ExpectStep>(scenario, 6).lines);
    EXPECT_EQ(true, stepAs<ExpectStep>(scenario, 6).multiline);
    EXPECT_EQ("NOOP\r\nNOOP\r\n", stepAs<SendStep>(scenario, 7).text);
    EXPECT_TRUE(stepAs<SendStep>(scenario, 7).raw);
    EXPECT_EQ(kDefaultConnection, stepAs<StlsStep>(scenario, 8).connection);
    EXPECT_EQ(std::chrono::milliseconds(250), stepAs<SleepStep>(scenario, 9).duration);
    EXPECT_TRUE(stepAs<ExpectStep>(scenario, 10).closed);
    EXPECT_EQ(kDefaultConnection, stepAs<CloseStep>(scenario, 11).connection);
    // A closed connection's name can be used again.
    EXPECT_EQ(kDefaultConnection, stepAs<ConnectStep>(scenario, 12).connection);
    EXPECT_EQ(6, scenario.steps[3].location.line);
}

TEST(ScenarioLoaderTest, CapturedVariablesCanBeUsedLater) {
    const Scenario scenario = load(R"(
steps:
  - connect
  - expect: {status: ok, capture: {ts: '(<[^>]+>)', _whole: '\+OK'}}
  - send: "APOP alice ${ts} ${_whole} costs $$5 and $${literal}"
  - expect: {regex: '${ts}', lines: ["${ts}"], line: "${_whole}", code: "${ts}"}
)");
    const auto& capture = stepAs<ExpectStep>(scenario, 1).captures;
    ASSERT_EQ(2u, capture.size());
    EXPECT_EQ("ts", capture[0].first);
    EXPECT_EQ("(<[^>]+>)", capture[0].second);
    EXPECT_EQ("APOP alice ${ts} ${_whole} costs $$5 and $${literal}",
              stepAs<SendStep>(scenario, 2).text);
}

TEST(ScenarioLoaderTest, Expectations) {
    const Scenario scenario = load(R"(
mailboxes:
  - user: alice
    password: pw
    messages: [{generate: 3}, {raw: x, uid: "7"}]
  - {user: bob, password: pw, maildir: maildir/bob}
expectations:
  commandsInOrder: [user, PASS, QUIT]
  noPlaintextPassword: true
  quitSent: false
  deleted:
    alice: [1, "msg-2", "7"]
    bob: [99, some-maildir-uid]
  loggedIn: [alice, someone-else]
)");
    const Expectations& e = scenario.expectations;
    EXPECT_EQ((std::vector<std::string>{"USER", "PASS", "QUIT"}), e.commandsInOrder);
    EXPECT_EQ(true, e.noPlaintextPassword);
    EXPECT_EQ(false, e.quitSent);
    ASSERT_TRUE(e.deleted);
    ASSERT_EQ(2u, e.deleted->size());
    const DeletedExpectation& alice = e.deleted->at(0);
    EXPECT_EQ("alice", alice.user);
    ASSERT_EQ(3u, alice.messages.size());
    EXPECT_EQ(MessageSelector{std::uint64_t{1}}, alice.messages[0]);
    EXPECT_EQ(MessageSelector{std::string("msg-2")}, alice.messages[1]);
    EXPECT_EQ(MessageSelector{std::string("7")}, alice.messages[2]);
    // Maildir contents are only known when served.
    EXPECT_EQ(MessageSelector{std::uint64_t{99}}, e.deleted->at(1).messages[0]);
    EXPECT_EQ((std::vector<std::string>{"alice", "someone-else"}), e.loggedIn);
}

TEST(ScenarioLoaderTest, EmptyDeletedListMeansNothingDeleted) {
    const Scenario scenario =
        load("mailboxes: [{user: a, password: p, messages: [{raw: x}]}]\nexpectations: {deleted: "
             "{a: []}}\n");
    ASSERT_TRUE(scenario.expectations.deleted);
    EXPECT_TRUE(scenario.expectations.deleted->at(0).messages.empty());
}

TEST(ScenarioLoaderTest, LoadFileReadsFromDisk) {
    const Scenario scenario =
        ScenarioLoader::loadFile(kGood + "../bad/../good/mail/../" + "minimal.yaml");
    EXPECT_EQ("minimal", scenario.name);
    EXPECT_EQ(1u, scenario.mailboxes.at(0).messageCount());
}

TEST(ScenarioLoaderTest, YamlAnchorsAndAliasesWork) {
    const Scenario scenario = load(R"(
mailboxes:
  - user: alice
    password: &pw shared
    messages: &msgs [{raw: x}, {generate: 2}]
  - {user: bob, password: *pw, messages: *msgs}
)");
    EXPECT_EQ("shared", scenario.mailboxes[1].password);
    EXPECT_EQ(3u, scenario.mailboxes[1].messageCount());
}

TEST(ScenarioLoaderTest, TenThousandGeneratedMessagesListWithoutProducingThem) {
    const Scenario scenario = load("mailboxes: [{user: a, password: p, messages: [{generate: "
                                   "{count: 10000, size: 4096}}]}]\n");
    std::uint64_t total = 0;
    for (const auto& info : scenario.mailboxes[0].listing())
        total += info.size;
    EXPECT_EQ(10000u * 4096u, total);
}

// Whatever the bytes, validation reports and returns: every prefix of a full scenario, and
// bytes YAML cannot read.
TEST(ScenarioLoaderTest, NeverThrowsOnTruncatedOrGarbageInput) {
    const std::string full = R"(name: all
mailboxes:
  - user: alice
    password: pw
    messages:
      - headers: {From: a@b, Subject: x}
        body: "hi"
      - generate: {count: 2, size: 300, seed: 3}
server:
  capabilities: {plain: [TOP], tls: {beforeLogin: [UIDL], afterLogin: []}}
  tls: {mode: stls, certificate: {generate: true}}
  limits: {maxConnections: 2}
rules:
  - {command: RETR, arguments: '^1$', occurrence: 2, drop: {afterBytes: 3}}
  - {command: STLS, append: "+OK x"}
steps:
  - connect
  - expect: {status: ok, capture: {ts: '(<.*>)'}}
  - send: "APOP alice ${ts}"
  - stls
expectations: {deleted: {alice: [1]}, quitSent: true}
)";
    EXPECT_TRUE(ScenarioLoader::validateString(full, kGood + "full.yaml").empty());
    for (std::size_t n = 0; n < full.size(); ++n)
        EXPECT_NO_THROW(ScenarioLoader::validateString(full.substr(0, n), "cut.yaml")) << n;
    const std::string garbage("\0\xff\xfe{[\"\x01: \t- &*!<%>\n\n---\n...", 27);
    EXPECT_NO_THROW(ScenarioLoader::validateString(garbage, "garbage.yaml"));
    EXPECT_FALSE(ScenarioLoader::validateString(garbage, "garbage.yaml").empty());
    EXPECT_FALSE(ScenarioLoader::validateString(std::string(5000, '['), "deep.yaml").empty());
}

} // namespace
