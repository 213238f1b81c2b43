#include "pop3/mock/ExpectationChecker.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioLoader.h"
#include "pop3/mock/StepRunner.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/ScriptedPeer.h"
#include "support/ServerFixture.h"
#include "support/TestPki.h"

namespace pop3::mock {
namespace {

using pop3::test::ScriptedPeer;
using pop3::test::TestPki;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

StepRunner::Options optionsFor(std::uint16_t port) {
    StepRunner::Options options;
    options.host = "127.0.0.1";
    options.port = port;
    options.caFile = TestPki::get().caCert;
    options.timeout = 3s;
    return options;
}

StepReport runSteps(const std::string& yaml, const StepRunner::Options& options) {
    const Scenario scenario = ScenarioLoader::loadString(yaml, "steps.yaml");
    return StepRunner(options).run(scenario);
}

bool hasLine(const StepReport& report, const std::string& line) {
    for (const TranscriptLine& entry : report.transcript) {
        if (entry.toString() == line)
            return true;
    }
    return false;
}

std::string size(const std::string& message) {
    return std::to_string(pop3::test::wireForm(message).size());
}

/// Steps against the loopback pop3::Server: alice ("alice-pw") has uid-1 and uid-2.
class StepRunnerTest : public pop3::test::ServerFixture {
protected:
    StepReport run(const std::string& yaml) { return runSteps(yaml, options()); }
    StepRunner::Options options() const { return optionsFor(server->port()); }
};

TEST_F(StepRunnerTest, PlainSessionCoversCommandsAndMultiLineReplies) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: {status: ok, regex: '^\+OK POP3 server ready <[^>]+>$'}
  - send: USER alice
  - expect: {line: "+OK"}
  - send: PASS alice-pw
  - expect: ok
  - send: STAT
  - expect: {regex: '^\+OK 2 \d+$'}
  - send: LIST
  - expect:
      lines: ["1 )" + size(pop3::test::kFirstMessage) +
                                  R"(", "2 )" + size(pop3::test::kSecondMessage) + R"("]
  - send: UIDL
  - expect: {status: ok, regex: '^2 uid-2$'}
  - send: RETR 1
  - expect:
      lines: ["From: a@example.org", "Subject: one", "", "Hello", ".dot line", "..two dots",
              ".", "last"]
  - send: TOP 2 0
  - expect: {regex: '^Subject: two$'}
  - send: RETR 9
  - expect: {status: err, regex: 'No such message'}
  - send: NOOP
  - expect: ok
  - send: QUIT
  - expect: {status: ok, line: "+OK Bye"}
  - expect: {closed: true}
)");
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_EQ(report.stepsRun, report.steps);
    EXPECT_EQ(report.steps, 23u);
    EXPECT_TRUE(hasLine(report, "[default] C: USER alice")) << report.transcriptText();
    EXPECT_TRUE(hasLine(report, "[default] S: +OK Bye")) << report.transcriptText();
    EXPECT_TRUE(hasLine(report, "[default] S: ..two dots")) << report.transcriptText();
    EXPECT_TRUE(hasLine(report, "[default] *: closed by the server")) << report.transcriptText();
    EXPECT_EQ(mailbox.quits(), 1);
}

TEST_F(StepRunnerTest, CapturesFromTheGreetingAndReusesThem) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: {status: ok, capture: {timestamp: '(<[^>]+>)', greeting: '^\+OK (.*)$'}}
  - send: USER alice
  - expect: ok
  - send: PASS alice-pw
  - expect: ok
  - send: UIDL 2
  - expect: {capture: {uid: '^\+OK 2 (\S+)$'}}
  - send: UIDL 2
  - expect: {line: "+OK 2 ${uid}"}
  - send: QUIT
  - expect: ok
)");
    ASSERT_TRUE(report.passed()) << report.toString();
    EXPECT_EQ(report.variables.at("uid"), "uid-2");
    const std::string& timestamp = report.variables.at("timestamp");
    EXPECT_THAT(timestamp, StartsWith("<"));
    EXPECT_EQ(report.variables.at("greeting"), "POP3 server ready " + timestamp);
    EXPECT_TRUE(hasLine(report, "[default] *: captured uid = 'uid-2'")) << report.transcriptText();
}

TEST_F(StepRunnerTest, RawSendsArePipelinedAndAnsweredInOrder) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: ok
  - send: {raw: "USER alice\r\nPASS alice-pw\r\n"}
  - expect: ok
  - expect: ok
  - send: {raw: "LIST\r\nUIDL 1\r\nNOOP\r\n"}
  - expect: {regex: '^2 \d+$'}
  - expect: {line: "+OK 1 uid-1"}
  - expect: ok
  - send: {raw: "QU"}
  - send: {raw: "IT\r\n"}
  - expect: {line: "+OK Bye"}
)");
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_TRUE(hasLine(report, "[default] C: QU [no CRLF]")) << report.transcriptText();
}

TEST_F(StepRunnerTest, SaslContinuationIsReadAndAnswered) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: ok
  - send: AUTH PLAIN
  - expect: {regex: '^\+ ?$'}
  - send: AGFsaWNlAGFsaWNlLXB3
  - expect: ok
  - send: STAT
  - expect: {regex: '^\+OK 2 '}
)");
    EXPECT_TRUE(report.passed()) << report.toString();
}

TEST_F(StepRunnerTest, ImplicitTlsVerifiesTheServerAgainstTheCa) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    const StepReport report = run(R"(steps:
  - connect: {tls: implicit}
  - expect: ok
  - send: USER alice
  - expect: ok
  - send: PASS alice-pw
  - expect: ok
  - send: QUIT
  - expect: ok
  - expect: {closed: true}
)");
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_TRUE(
        hasLine(report, "[default] *: connected to 127.0.0.1:" + std::to_string(server->port()) +
                            " with TLS (certificate verified for '127.0.0.1')"))
        << report.transcriptText();
}

TEST_F(StepRunnerTest, StlsUpgradesThePlainConnection) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: ok
  - send: CAPA
  - expect: {regex: '^STLS$'}
  - stls
  - send: CAPA
  - expect: {regex: '^USER$'}
  - send: USER alice
  - expect: ok
  - send: PASS alice-pw
  - expect: ok
  - send: QUIT
  - expect: ok
)");
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_TRUE(hasLine(report, "[default] C: STLS"));
    EXPECT_TRUE(hasLine(report, "[default] S: +OK Begin TLS negotiation"));
    EXPECT_TRUE(hasLine(report, "[default] *: TLS started (certificate verified for '127.0.0.1')"))
        << report.transcriptText();
}

TEST_F(StepRunnerTest, StlsTwiceIsRefusedByTheRunner) {
    startServer();
    std::vector<Step> steps{
        {ConnectStep{}, {}}, {ExpectStep{}, {}}, {StlsStep{}, {}}, {StlsStep{}, {4, 5}}};
    std::get<ExpectStep>(steps[1].action).status = Status::Ok;
    const StepReport report = StepRunner(options()).run(steps, "hand.yaml");
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->index, 3u);
    EXPECT_EQ(report.failure->message, "connection 'default' already uses TLS");
    EXPECT_EQ(report.where(), "hand.yaml:4:5");
}

TEST_F(StepRunnerTest, StlsBeforeReadingTheGreetingFails) {
    startServer();
    const StepReport report = run("steps:\n  - connect\n  - stls\n");
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->index, 1u);
    EXPECT_THAT(report.failure->message, HasSubstr("(greeting) has not been read"));
}

TEST_F(StepRunnerTest, CertificateForAnotherNameIsRejected) {
    const TestPki& pki = TestPki::get();
    startServer([&](Server& s) {
        s.options().implicitTls = true;
        s.setCertificate(pki.otherNameCert, pki.otherNameKey, pki.caCert);
    });
    const std::string steps = "steps:\n  - connect: {tls: implicit}\n  - expect: ok\n";
    const StepReport rejected = run(steps);
    ASSERT_FALSE(rejected.passed());
    EXPECT_EQ(rejected.failure->index, 0u);
    EXPECT_EQ(rejected.failure->kind, "connect");
    EXPECT_THAT(rejected.failure->message, HasSubstr("rejected for '127.0.0.1'"));
    EXPECT_THAT(rejected.failure->message, HasSubstr("mismatch"));
    EXPECT_EQ(rejected.where(), "steps.yaml:2:5");

    StepRunner::Options named = options();
    named.tlsServerName = "mail.example.org";
    const StepReport byName = runSteps(steps, named);
    EXPECT_TRUE(byName.passed()) << byName.toString();

    StepRunner::Options unverified = options();
    unverified.verifyCertificate = false;
    unverified.caFile.clear();
    const StepReport any = runSteps(steps, unverified);
    EXPECT_TRUE(any.passed()) << any.toString();
    EXPECT_TRUE(
        hasLine(any, "[default] *: connected to 127.0.0.1:" + std::to_string(server->port()) +
                         " with TLS (certificate not verified)"));
}

TEST_F(StepRunnerTest, UntrustedCaIsRejectedOnStls) {
    startServer();
    StepRunner::Options untrusted = options();
    untrusted.caFile = TestPki::get().otherCaCert;
    const StepReport report =
        runSteps("steps:\n  - connect\n  - expect: ok\n  - stls\n  - send: NOOP\n", untrusted);
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->index, 2u);
    EXPECT_EQ(report.failure->kind, "stls");
    EXPECT_THAT(report.failure->message, HasSubstr("certificate of 127.0.0.1:"));
    EXPECT_THAT(report.failure->message, HasSubstr("rejected for '127.0.0.1'"));
}

TEST_F(StepRunnerTest, MissingCaFileIsAFailedStep) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    StepRunner::Options missing = options();
    missing.caFile = "/nonexistent/ca.pem";
    const StepReport report = runSteps("steps:\n  - connect: {tls: implicit}\n", missing);
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message, "cannot read the CA file '/nonexistent/ca.pem'");
}

TEST_F(StepRunnerTest, NamedConnectionsSeeTheMailboxLock) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: ok
  - send: USER alice
  - expect: ok
  - send: PASS alice-pw
  - expect: ok
  - connect: {name: second}
  - expect: {status: ok, connection: second}
  - send: {command: USER alice, connection: second}
  - expect: {status: ok, connection: second}
  - send: {command: PASS alice-pw, connection: second}
  - expect: {status: err, code: IN-USE, connection: second}
  - close: {connection: second}
  - send: QUIT
  - expect: ok
)");
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_TRUE(hasLine(report, "[second] *: closed by the client")) << report.transcriptText();
    EXPECT_TRUE(hasLine(report, "[second] S: -ERR [IN-USE] Mailbox is locked by another session") ||
                hasLine(report, "[second] C: PASS alice-pw"))
        << report.transcriptText();
}

TEST_F(StepRunnerTest, FailingExpectShowsExpectedReceivedAndWhere) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: ok
  - send: USER alice
  - expect: ok
  - send: PASS alice-pw
  - expect: ok
  - send: UIDL 1
  - expect: {status: ok, line: "+OK 1 wrong", code: SYS/TEMP}
  - send: QUIT
)");
    ASSERT_FALSE(report.passed());
    const StepFailure& failure = *report.failure;
    EXPECT_EQ(failure.index, 7u);
    EXPECT_EQ(failure.kind, "expect");
    EXPECT_EQ(failure.location.line, 9);
    EXPECT_EQ(failure.location.column, 5);
    EXPECT_EQ(report.where(), "steps.yaml:9:5");
    EXPECT_EQ(failure.sent, "UIDL 1");
    EXPECT_EQ(failure.expected, "status ok; code SYS/TEMP; line '+OK 1 wrong'");
    EXPECT_EQ(failure.received, "+OK 1 uid-1");
    EXPECT_EQ(failure.message, "code: expected [SYS/TEMP], got none; line: expected "
                               "'+OK 1 wrong', got '+OK 1 uid-1'");
    EXPECT_EQ(report.stepsRun, 8u);
    const std::string text = report.toString();
    EXPECT_THAT(text, StartsWith("steps.yaml:9:5: step 8 (expect) failed: code: expected"));
    EXPECT_THAT(text, HasSubstr("\n  sent:     UIDL 1\n"));
    EXPECT_THAT(text, HasSubstr("\n  expected: status ok; code SYS/TEMP; line '+OK 1 wrong'\n"));
    EXPECT_THAT(text, HasSubstr("\n  received: +OK 1 uid-1\n"));
    EXPECT_THAT(text, HasSubstr("\ntranscript:\n  [default] *: connected to"));
    EXPECT_THAT(text, HasSubstr("\n  [default] S: +OK 1 uid-1\n"));
}

TEST_F(StepRunnerTest, FailingLinesPointAtTheFirstDifference) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: ok
  - send: USER alice
  - expect: ok
  - send: PASS alice-pw
  - expect: ok
  - send: UIDL
  - expect: {lines: ["1 uid-1", "2 other"]}
)");
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message,
              "lines: expected 2 lines, got 2; line 2: expected '2 other', got '2 uid-2'");
    EXPECT_EQ(report.failure->received, "+OK Unique-ID listing follows\n1 uid-1\n2 uid-2");
}

TEST_F(StepRunnerTest, FailingRegexAndCaptureAreReported) {
    startServer();
    const StepReport report = run(R"(steps:
  - connect
  - expect: {regex: '^-ERR', capture: {n: 'nothing (here)'}}
)");
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message,
              "regex '^-ERR' does not match; capture n: 'nothing (here)' does not match");
    EXPECT_EQ(report.failure->sent, "(greeting)");
}

TEST_F(StepRunnerTest, SleepWaits) {
    startServer();
    const auto start = Clock::now();
    const StepReport report = run("steps:\n  - connect\n  - sleep: 200\n  - expect: ok\n");
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_GE(Clock::now() - start, 200ms);
}

TEST_F(StepRunnerTest, ClosedFailsWhileTheServerKeepsTheConnection) {
    startServer();
    const auto start = Clock::now();
    const StepReport report =
        run("steps:\n  - connect\n  - expect: ok\n  - expect: {closed: true, timeoutMs: 200}\n");
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message, "the connection is still open after 200 ms");
    EXPECT_EQ(report.failure->expected, "the server closes the connection");
    EXPECT_LT(Clock::now() - start, 2s);
}

TEST_F(StepRunnerTest, ClosedFailsWhenTheServerAnswers) {
    startServer();
    const StepReport report =
        run("steps:\n  - connect\n  - expect: ok\n  - send: NOOP\n  - expect: {closed: true}\n");
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message,
              "expected the server to close the connection, but it sent data");
    EXPECT_EQ(report.failure->sent, "NOOP");
    EXPECT_EQ(report.failure->received, "-ERR NOOP is not valid in this state\\r\\n");
}

TEST_F(StepRunnerTest, ReportsAllPassedAsText) {
    startServer();
    const StepReport report = run("steps:\n  - connect\n  - expect: ok\n  - close\n");
    ASSERT_TRUE(report.passed());
    EXPECT_EQ(report.where(), "");
    EXPECT_THAT(report.toString(), StartsWith("steps.yaml: all 3 steps passed\ntranscript:\n"));
    EXPECT_TRUE(hasLine(report, "[default] *: closed by the client"));
}

TEST(StepRunnerNetworkTest, ConnectionRefusedIsAFailedStep) {
    std::uint16_t port = 0;
    {
        Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = probe.address().port();
    }
    const StepReport report = runSteps("steps:\n  - connect\n  - expect: ok\n", optionsFor(port));
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->index, 0u);
    EXPECT_EQ(report.failure->kind, "connect");
    EXPECT_THAT(report.failure->message,
                HasSubstr("cannot connect to 127.0.0.1:" + std::to_string(port)));
    EXPECT_EQ(report.failure->received, "(no connection)");
}

TEST(StepRunnerNetworkTest, StepsOnUnknownConnectionsAndVariablesFail) {
    std::vector<Step> steps{{SendStep{"nope", "NOOP", false}, {1, 1}}};
    const StepReport report = StepRunner().run(steps);
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message, "connection 'nope' is not open");
    EXPECT_EQ(report.where(), "1:1");

    std::vector<Step> unset{{SendStep{"default", "USER ${who}", false}, {2, 3}}};
    const StepReport missing = StepRunner().run(unset, "x.yaml");
    ASSERT_FALSE(missing.passed());
    EXPECT_THAT(missing.failure->message, HasSubstr("who"));
}

TEST(StepRunnerNetworkTest, TimesOutWhenTheServerNeverAnswers) {
    ScriptedPeer peer(ScriptedPeer::Script().send("+OK ready\r\n").expectLine());
    const auto start = Clock::now();
    const StepReport report = runSteps(R"(steps:
  - connect
  - expect: ok
  - send: NOOP
  - expect: {status: ok, timeoutMs: 300}
)",
                                       optionsFor(peer.port()));
    const auto elapsed = Clock::now() - start;
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->index, 3u);
    EXPECT_EQ(report.failure->message, "no response within 300 ms");
    EXPECT_EQ(report.failure->received, "(nothing)");
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 2s);
    EXPECT_EQ(peer.received(), std::vector<std::string>{"NOOP"});
}

TEST(StepRunnerNetworkTest, DefaultTimeoutAppliesWithoutTimeoutMs) {
    ScriptedPeer peer(ScriptedPeer::Script().send("+OK rea"));
    StepRunner::Options options = optionsFor(peer.port());
    options.timeout = 250ms;
    const auto start = Clock::now();
    const StepReport report = runSteps("steps:\n  - connect\n  - expect: ok\n", options);
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message, "the response was incomplete after 250 ms (7 octets)");
    EXPECT_EQ(report.failure->received, "+OK rea");
    EXPECT_LT(Clock::now() - start, 2s);
}

TEST(StepRunnerNetworkTest, TlsHandshakeThatNeverComesTimesOut) {
    ScriptedPeer peer(ScriptedPeer::Script().send("+OK ready\r\n").reply({"+OK go ahead\r\n"}));
    StepRunner::Options options = optionsFor(peer.port());
    options.timeout = 300ms;
    const auto start = Clock::now();
    const StepReport report = runSteps("steps:\n  - connect\n  - expect: ok\n  - stls\n", options);
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->kind, "stls");
    EXPECT_THAT(report.failure->message, HasSubstr("TLS handshake"));
    EXPECT_LT(Clock::now() - start, 3s);
}

TEST(StepRunnerNetworkTest, StlsDiscardsLinesInjectedBeforeTheHandshake) {
    ScriptedPeer peer(ScriptedPeer::Script()
                          .send("+OK ready\r\n")
                          .expectLine()
                          .send("+OK begin\r\n+OK injected\r\n")
                          .startTls()
                          .reply({"+OK real\r\n"}));
    const StepReport report = runSteps(R"(steps:
  - connect
  - expect: ok
  - stls
  - send: NOOP
  - expect: {line: "+OK real"}
)",
                                       optionsFor(peer.port()));
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_TRUE(
        hasLine(report, "[default] *: discarded 14 octets received before the TLS handshake"))
        << report.transcriptText();
    EXPECT_EQ(peer.received(), (std::vector<std::string>{"STLS", "NOOP"}));
}

TEST(StepRunnerNetworkTest, StlsRefusedIsAFailedStep) {
    ScriptedPeer peer(
        ScriptedPeer::Script().send("+OK ready\r\n").reply({"-ERR [SYS/PERM] no TLS\r\n"}));
    const StepReport report =
        runSteps("steps:\n  - connect\n  - expect: ok\n  - stls\n", optionsFor(peer.port()));
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message, "STLS refused");
    EXPECT_EQ(report.failure->received, "-ERR [SYS/PERM] no TLS");
}

TEST(StepRunnerNetworkTest, VariablesAreMatchedLiterallyInPatterns) {
    ScriptedPeer peer(ScriptedPeer::Script()
                          .send("+OK hi <1896.697170952@dbc.mtview.ca.us>\r\n")
                          .reply({"+OK echo <1896.697170952@dbc.mtview.ca.us>\r\n",
                                  "+OK echo <1896x697170952@dbc.mtview.ca.us>\r\n"}));
    const std::string steps = R"(steps:
  - connect
  - expect: {capture: {ts: '<[^>]+>'}}
  - send: APOP mrose ${ts}
  - expect: {regex: 'echo ${ts}$'}
  - send: NOOP
  - expect: {regex: 'echo ${ts}$'}
)";
    const StepReport report = runSteps(steps, optionsFor(peer.port()));
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->index, 5u) << report.toString();
    EXPECT_EQ(report.failure->expected, "regex 'echo \\Q<1896.697170952@dbc.mtview.ca.us>\\E$'");
    EXPECT_EQ(report.variables.at("ts"), "<1896.697170952@dbc.mtview.ca.us>");
    EXPECT_EQ(peer.received(),
              (std::vector<std::string>{"APOP mrose <1896.697170952@dbc.mtview.ca.us>", "NOOP"}));
}

TEST(StepRunnerNetworkTest, Utf8TextIsKeptAsIs) {
    ScriptedPeer peer(ScriptedPeer::Script().send("+OK gr\xc3\xbc\xc3\x9f"
                                                  "e\r\n"));
    const StepReport report = runSteps("steps:\n  - connect\n  - expect: {line: \"+OK grüße\"}\n",
                                       optionsFor(peer.port()));
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_TRUE(hasLine(report, "[default] S: +OK grüße")) << report.transcriptText();
}

TEST(StepRunnerNetworkTest, MultilineOverridesTheCommand) {
    ScriptedPeer peer(
        ScriptedPeer::Script()
            .send("+OK ready\r\n")
            .reply({"+OK\r\nfirst\r\n..second\r\n.\r\n", "+OK capa off\r\n", "+OK noop\r\n"}));
    const StepReport report = runSteps(R"(steps:
  - connect
  - expect: ok
  - send: XLIST
  - expect: {multiline: true, regex: '^\.second$'}
  - send: CAPA
  - expect: {multiline: false, line: "+OK capa off"}
  - send: NOOP
  - expect: {line: "+OK noop"}
)",
                                       optionsFor(peer.port()));
    EXPECT_TRUE(report.passed()) << report.toString();
}

TEST(StepRunnerMockTest, ScenarioStepsAndExpectationsAgainstTheMock) {
    const Scenario scenario = ScenarioLoader::loadString(R"(
mailboxes:
  - user: alice
    password: wonderland
    messages:
      - {raw: "Subject: one\n\nfirst\n", uid: first-uid}
      - generate: 2
server:
  tls: {mode: stls, certificate: {generate: true}}
  auth: {refusePlaintextLoginWithoutTls: true}
steps:
  - connect
  - expect: {status: ok, capture: {timestamp: '(<[^>]+>)'}}
  - send: USER alice
  - expect: {status: err, code: AUTH}
  - stls
  - send: USER alice
  - expect: ok
  - send: PASS wonderland
  - expect: ok
  - send: UIDL
  - expect: {lines: ["1 first-uid", "2 msg-2", "3 msg-3"], capture: {uid: '^3 (\S+)$'}}
  - send: RETR 1
  - expect: {lines: ["Subject: one", "", "first"]}
  - send: DELE 1
  - expect: ok
  - send: DELE 3
  - expect: ok
  - send: QUIT
  - expect: ok
  - expect: {closed: true}
expectations:
  commandsInOrder: [USER, STLS, USER, PASS, UIDL, RETR, DELE, DELE, QUIT]
  noPlaintextPassword: true
  quitSent: true
  deleted: {alice: [1, "msg-3"]}
  loggedIn: [alice]
)",
                                                         "mock.yaml");
    MockServer mock(scenario);
    mock.start();
    StepRunner::Options options = optionsFor(*mock.port());
    options.caFile = mock.certificateFile();
    options.tlsServerName = "localhost";
    const StepReport report = StepRunner(options).run(scenario);
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_EQ(report.variables.at("uid"), "msg-3");
    mock.stop();

    const std::vector<ExpectationResult> results =
        ExpectationChecker(scenario.expectations).check(mock.recording());
    EXPECT_EQ(results.size(), 5u);
    for (const ExpectationResult& result : results)
        EXPECT_TRUE(result.passed) << result.toString(scenario.sourceFile);

    Expectations wrong;
    wrong.location = scenario.expectations.location;
    wrong.deleted = std::vector<DeletedExpectation>{{"alice", {std::uint64_t{2}}, {}}};
    const std::vector<ExpectationResult> failed = ExpectationChecker(wrong).check(mock.recording());
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_FALSE(failed[0].passed);
    EXPECT_EQ(failed[0].message, "deleted: expected alice's deleted messages to be 2; saw "
                                 "1 (first-uid), 3 (msg-3) (2 not deleted; 1 (first-uid), "
                                 "3 (msg-3) deleted but not listed)");
}

struct Garbage {
    const char* name;
    std::string bytes;
    const char* message;
    const char* received;
};

void PrintTo(const Garbage& garbage, std::ostream* out) {
    *out << garbage.name;
}

class StepRunnerGarbageTest : public ::testing::TestWithParam<Garbage> {};

TEST_P(StepRunnerGarbageTest, GarbageGreetingIsAFailedStep) {
    const Garbage& garbage = GetParam();
    ScriptedPeer peer(ScriptedPeer::Script().send(garbage.bytes).close());
    StepRunner::Options options = optionsFor(peer.port());
    options.timeout = 500ms;
    const StepReport report = runSteps("steps:\n  - connect\n  - expect: ok\n", options);
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->index, 1u);
    EXPECT_THAT(report.failure->message, HasSubstr(garbage.message));
    EXPECT_THAT(report.failure->received, HasSubstr(garbage.received));
}

INSTANTIATE_TEST_SUITE_P(
    Replies, StepRunnerGarbageTest,
    ::testing::Values(
        Garbage{"PlusGarbage", "+garbage\r\n", "malformed response: malformed status line", "+g"},
        Garbage{"OkayIsNotOk", "+OKAY\r\n", "malformed response", "+OKA"},
        Garbage{"BareLf", "+OK hello\n", "bare LF", "+OK hello\\n"},
        Garbage{"Binary", std::string("\0\x01\xff\r\n", 5), "malformed response",
                "\\x00\\x01\\xFF\\r\\n"},
        Garbage{"Latin1", "\xe9t\xe9\r\n", "malformed response", "\\xE9t\\xE9"},
        Garbage{"HugeLine", "+OK " + std::string(10000, 'x'), "longer than 4096 octets",
                "+OK xxxx"},
        Garbage{"Nothing", "", "the server closed the connection instead of answering",
                "(nothing)"},
        Garbage{"CutShort", "+OK hal", "closed the connection after 7 octets", "+OK hal"}),
    [](const ::testing::TestParamInfo<Garbage>& info) { return std::string(info.param.name); });

TEST(StepRunnerNetworkTest, BodyCutByACloseIsAFailedStep) {
    ScriptedPeer peer(ScriptedPeer::Script()
                          .send("+OK ready\r\n")
                          .reply({"+OK list follows\r\n1 100\r\n"})
                          .close());
    const StepReport report = runSteps("steps:\n  - connect\n  - expect: ok\n  - send: LIST\n"
                                       "  - expect: ok\n",
                                       optionsFor(peer.port()));
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message,
              "the server closed the connection after 25 octets of the response");
    EXPECT_EQ(report.failure->sent, "LIST");
    EXPECT_EQ(report.failure->received, "+OK list follows\\r\\n1 100\\r\\n");
}

TEST(StepRunnerNetworkTest, OversizedBodyIsAFailedStep) {
    ScriptedPeer peer(ScriptedPeer::Script()
                          .send("+OK ready\r\n")
                          .reply({"+OK\r\n" + std::string(2000, 'a') + "\r\n.\r\n"}));
    StepRunner::Options options = optionsFor(peer.port());
    options.maxResponseOctets = 1000;
    const StepReport report = runSteps(
        "steps:\n  - connect\n  - expect: ok\n  - send: RETR 1\n  - expect: ok\n", options);
    ASSERT_FALSE(report.passed());
    EXPECT_EQ(report.failure->message, "the body exceeds 1000 octets");
}

TEST(StepRunnerNetworkTest, SendingToAClosedConnectionDoesNotCrash) {
    ScriptedPeer peer(ScriptedPeer::Script().send("+OK ready\r\n").close());
    std::string steps = "steps:\n  - connect\n  - expect: ok\n  - sleep: 100\n";
    for (int i = 0; i < 5; ++i)
        steps += "  - send: {raw: \"" + std::string(100000, 'x') + "\"}\n";
    steps += "  - expect: ok\n";
    const StepReport report = runSteps(steps, optionsFor(peer.port()));
    ASSERT_FALSE(report.passed());
    EXPECT_THAT(report.failure->message, ::testing::AnyOf(HasSubstr("lost while sending"),
                                                          HasSubstr("closed the connection")));
}

} // namespace
} // namespace pop3::mock
