// Passwords and SASL secrets never reach the mock's recording (and so its control API and
// `serve --record`), nor the step runner's transcripts and reports: real sessions with every
// login method, accepted and refused.

#include "pop3/Auth.h"
#include "pop3/Client.h"
#include "pop3/Errors.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioLoader.h"
#include "pop3/mock/StepRunner.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/Secrets.h"

namespace pop3::mock {
namespace {

using test::holdsNoSecret;
using test::kSecret;

/// carol's password is the secret; mallory has no mailbox, so her logins are refused.
std::string scenarioYaml(const std::string& rules = {}) {
    return "mailboxes:\n"
           "  - user: carol\n"
           "    password: " +
           kSecret +
           "\n"
           "    messages:\n"
           "      - {raw: \"Subject: one\\n\\nbody\\n\", uid: u-one}\n" +
           rules;
}

/// A running mock with its control API.
class Mock {
public:
    explicit Mock(const std::string& yaml = scenarioYaml())
        : _scenario(ScenarioLoader::loadString(yaml, "secrets.yaml")),
          _server(_scenario, options()) {
        _server.start();
    }

    std::uint16_t port() { return *_server.port(); }

    Client client(const std::string& user, AuthMode mode, const std::string& mechanism = {}) {
        Client c;
        c.host = "127.0.0.1";
        c.port = port();
        c.timeout = std::chrono::seconds(5);
        c.username = user;
        c.password = kSecret;
        c.authMode = mode;
        if (!mechanism.empty())
            c.saslMechanisms = {mechanism};
        return c;
    }

    /// Every recorded line, once the sessions ended, as "C: ..." and "S: ...".
    std::string recording() {
        waitForSessionsToEnd();
        std::string text;
        for (const RecordedLine& line : _server.recording().lines())
            text += (line.direction == TraceDirection::received ? "C: " : "S: ") + line.line + "\n";
        return text;
    }

    /// The body of GET /api/v1/recording.
    std::string recordingFromControlApi() {
        waitForSessionsToEnd();
        Poco::Net::HTTPClientSession session("127.0.0.1", *_server.controlPort());
        session.setTimeout(Poco::Timespan(10, 0));
        Poco::Net::HTTPRequest request("GET", "/api/v1/recording",
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string body;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
        EXPECT_EQ(response.getStatus(), Poco::Net::HTTPResponse::HTTP_OK) << body;
        return body;
    }

    /// What a client holding the secret would have sent for the APOP timestamps and CRAM-MD5
    /// challenges the mock sent: the digests and CRAM-MD5 responses.
    std::vector<std::string> digests(const std::vector<std::string>& users) {
        std::vector<std::string> found;
        for (const RecordedLine& line : _server.recording().lines()) {
            if (line.direction != TraceDirection::sent)
                continue;
            if (const auto timestamp = extractApopTimestamp(line.line))
                found.push_back(apopDigest(*timestamp, kSecret));
            if (line.line.rfind("+ ", 0) != 0)
                continue;
            const std::string digest =
                cramMd5Digest(decodeBase64(line.line.substr(2)).value_or(""), kSecret);
            found.push_back(digest);
            for (const std::string& user : users)
                found.push_back(encodeBase64(user + " " + digest));
        }
        return found;
    }

private:
    static MockServerOptions options() {
        MockServerOptions o;
        o.address = "127.0.0.1";
        o.controlPort = 0;
        return o;
    }

    void waitForSessionsToEnd() {
        for (int i = 0; i < 500 && _server.counters().openSessions > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        EXPECT_EQ(_server.counters().openSessions, 0u);
    }

    Scenario _scenario;
    MockServer _server;
};

/// Logs in as carol (accepted) and as mallory (refused) with the method.
void logInTwice(Mock& mock, AuthMode mode, const std::string& mechanism = {}) {
    Client accepted = mock.client("carol", mode, mechanism);
    accepted.connect();
    EXPECT_EQ(accepted.count(), 1u);
    accepted.disconnect();
    Client refused = mock.client("mallory", mode, mechanism);
    EXPECT_THROW(refused.connect(), ServerError);
}

struct LoginMethod {
    const char* name;
    AuthMode mode;
    const char* mechanism;
};

const LoginMethod kLoginMethods[] = {{"USER/PASS", AuthMode::userPass, ""},
                                     {"APOP", AuthMode::apop, ""},
                                     {"AUTH PLAIN", AuthMode::sasl, "PLAIN"},
                                     {"AUTH LOGIN", AuthMode::sasl, "LOGIN"},
                                     {"AUTH CRAM-MD5", AuthMode::sasl, "CRAM-MD5"}};

TEST(SecretsNeverLeak, MockRecordingMasksEveryLoginMethod) {
    for (const LoginMethod& method : kLoginMethods) {
        SCOPED_TRACE(method.name);
        Mock mock;
        logInTwice(mock, method.mode, method.mechanism);
        const std::string recorded = mock.recording();
        const std::vector<std::string> digests = mock.digests({"carol", "mallory"});
        EXPECT_TRUE(holdsNoSecret(recorded, "carol", digests));
        EXPECT_TRUE(holdsNoSecret(recorded, "mallory"));
        EXPECT_NE(recorded.find("C: QUIT"), std::string::npos) << recorded;
    }
}

TEST(SecretsNeverLeak, ControlApiRecordingMasksEveryLoginMethod) {
    Mock mock;
    for (const LoginMethod& method : kLoginMethods)
        logInTwice(mock, method.mode, method.mechanism);
    const std::string body = mock.recordingFromControlApi();
    const std::vector<std::string> digests = mock.digests({"carol", "mallory"});
    EXPECT_TRUE(holdsNoSecret(body, "carol", digests));
    EXPECT_TRUE(holdsNoSecret(body, "mallory"));
    EXPECT_NE(body.find(R"("line":"PASS ****")"), std::string::npos) << body;
}

TEST(SecretsNeverLeak, MockRecordingMasksSaslDataAnsweringARuleChallenge) {
    // The rule's "+ " makes the client send its PLAIN message again, as SASL data the mock
    // then reads as an (unknown) command.
    Mock mock(scenarioYaml("rules:\n  - {command: AUTH, reply: \"+ \"}\n"));
    Client client = mock.client("carol", AuthMode::sasl, "PLAIN");
    EXPECT_THROW(client.connect(), ServerError);
    const std::string recorded = mock.recording();
    EXPECT_TRUE(holdsNoSecret(recorded, "carol"));
    EXPECT_NE(recorded.find("C: ****\n"), std::string::npos) << recorded;
}

/// The step runner against the mock.
StepReport runSteps(Mock& mock, const std::string& steps) {
    StepRunner::Options options;
    options.host = "127.0.0.1";
    options.port = mock.port();
    options.timeout = std::chrono::seconds(3);
    return StepRunner(options).run(ScenarioLoader::loadString("steps:\n" + steps, "steps.yaml"));
}

const std::string kPlain = encodeBase64(std::string("\0carol\0", 7) + kSecret);
const std::string kLoginUser = encodeBase64("carol");
const std::string kLoginPassword = encodeBase64(kSecret);

TEST(SecretsNeverLeak, StepTranscriptMasksEveryLoginMethod) {
    Mock mock;
    const StepReport report = runSteps(mock, R"(  - connect
  - expect: ok
  - send: USER carol
  - expect: ok
  - send: PASS )" + kSecret + R"(
  - expect: ok
  - send: QUIT
  - expect: ok
  - connect: {name: plain}
  - expect: {status: ok, connection: plain}
  - send: {command: AUTH PLAIN )" + kPlain + R"(, connection: plain}
  - expect: {status: ok, connection: plain}
  - send: {command: QUIT, connection: plain}
  - expect: {status: ok, connection: plain}
  - connect: {name: login}
  - expect: {status: ok, connection: login}
  - send: {command: AUTH LOGIN, connection: login}
  - expect: {regex: '^\+ ', connection: login}
  - send: {command: )" + kLoginUser + R"(, connection: login}
  - expect: {regex: '^\+ ', connection: login}
  - send: {command: )" + kLoginPassword + R"(, connection: login}
  - expect: {status: ok, connection: login}
  - send: {command: QUIT, connection: login}
  - expect: {status: ok, connection: login}
  - connect: {name: pipelined}
  - expect: {status: ok, connection: pipelined}
  - send: {raw: "AUTH LOGIN\r\n)" + kLoginUser + R"(\r\n)" +
                                                 kLoginPassword +
                                                 R"(\r\nQUIT\r\n", connection: pipelined}
  - expect: {regex: '^\+ ', connection: pipelined}
  - expect: {regex: '^\+ ', connection: pipelined}
  - expect: {status: ok, connection: pipelined}
  - expect: {status: ok, connection: pipelined}
  - connect: {name: split}
  - expect: {status: ok, connection: split}
  - send: {command: USER carol, connection: split}
  - expect: {status: ok, connection: split}
  - send: {raw: "PASS )" + kSecret.substr(0, 4) + R"(", connection: split}
  - send: {raw: ")" + kSecret.substr(4) + R"(\r\n", connection: split}
  - expect: {status: ok, connection: split}
  - send: {command: QUIT, connection: split}
  - expect: {status: ok, connection: split}
)");
    EXPECT_TRUE(report.passed()) << report.toString();
    EXPECT_TRUE(holdsNoSecret(report.toString(), "carol"));
    EXPECT_TRUE(holdsNoSecret(mock.recording(), "carol"));
    EXPECT_NE(report.transcriptText().find("[default] C: PASS ****\n"), std::string::npos)
        << report.transcriptText();
    EXPECT_NE(report.transcriptText().find("[login] C: ****\n"), std::string::npos)
        << report.transcriptText();
}

TEST(SecretsNeverLeak, FailedExpectAfterASaslResponseShowsItMasked) {
    Mock mock;
    const StepReport report = runSteps(mock, R"(  - connect
  - expect: ok
  - send: AUTH LOGIN
  - expect: {regex: '^\+ '}
  - send: )" + kLoginUser + R"(
  - expect: {regex: '^\+ '}
  - send: )" + kLoginPassword + R"(
  - expect: err
)");
    ASSERT_TRUE(report.failure) << report.toString();
    EXPECT_EQ(report.failure->sent, "****");
    EXPECT_TRUE(holdsNoSecret(report.toString(), "carol"));
}

TEST(SecretsNeverLeak, FailedExpectAfterPassShowsItMasked) {
    Mock mock;
    const StepReport report = runSteps(mock, R"(  - connect
  - expect: ok
  - send: USER carol
  - expect: ok
  - send: PASS )" + kSecret + R"(
  - expect: err
)");
    ASSERT_TRUE(report.failure) << report.toString();
    EXPECT_EQ(report.failure->sent, "PASS ****");
    EXPECT_TRUE(holdsNoSecret(report.toString(), "carol"));
}

TEST(SecretsNeverLeak, FailedExpectAfterAuthPlainShowsItMasked) {
    Mock mock;
    const StepReport report = runSteps(mock, R"(  - connect
  - expect: ok
  - send: AUTH PLAIN )" + kPlain + R"(
  - expect: err
)");
    ASSERT_TRUE(report.failure) << report.toString();
    EXPECT_EQ(report.failure->sent, "AUTH PLAIN ****");
    EXPECT_TRUE(holdsNoSecret(report.toString(), "carol"));
}

} // namespace
} // namespace pop3::mock
