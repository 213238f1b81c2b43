// Passwords and SASL secrets never reach what the built pop3-conform prints or writes: fetch -v
// traces with every login method, check reports of failing checks, bench reports, the
// `serve --record` file and the ready line, and the errors for mistyped URLs and options.

#include "pop3/Auth.h"
#include "pop3/Client.h"
#include "pop3/Errors.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioLoader.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gtest/gtest.h>

#include <sstream>

#include "ServeProcess.h"
#include "support/Files.h"
#include "support/Secrets.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using test::holdsNoSecret;
using test::kSecret;
using test::SubprocessResult;

/// carol's password is the secret; mallory has no mailbox, so her logins are refused.
std::string scenarioYaml(const std::string& more = {}) {
    return "mailboxes:\n"
           "  - user: carol\n"
           "    password: " +
           kSecret +
           "\n"
           "    messages:\n"
           "      - {raw: \"Subject: one\\n\\nbody\\n\", uid: u-one}\n" +
           more;
}

/// The mock, in process, on a free loopback port.
class Mock {
public:
    explicit Mock(const std::string& yaml = scenarioYaml())
        : _scenario(mock::ScenarioLoader::loadString(yaml, "secrets.yaml")),
          _server(_scenario, options()) {
        _server.start();
    }

    std::string url(const std::string& user) const {
        return "pop3://" + user + ":" + kSecret + "@127.0.0.1:" + std::to_string(*_server.port());
    }

    /// The APOP digests and CRAM-MD5 responses of `secret` for what the mock sent.
    std::vector<std::string> digests(const std::string& secret = kSecret) {
        std::vector<std::string> found;
        for (const mock::RecordedLine& line : _server.recording().lines()) {
            if (line.direction != TraceDirection::sent)
                continue;
            if (const auto timestamp = extractApopTimestamp(line.line))
                found.push_back(apopDigest(*timestamp, secret));
            if (line.line.rfind("+ ", 0) != 0)
                continue;
            const std::string digest =
                cramMd5Digest(decodeBase64(line.line.substr(2)).value_or(""), secret);
            for (const char* user : {"carol", "mallory"})
                found.push_back(encodeBase64(std::string(user) + " " + digest));
            found.push_back(digest);
        }
        return found;
    }

private:
    static mock::MockServerOptions options() {
        mock::MockServerOptions o;
        o.address = "127.0.0.1";
        o.port = 0;
        return o;
    }

    mock::Scenario _scenario;
    mock::MockServer _server;
};

SubprocessResult pop3Conform(const std::vector<std::string>& args) {
    return test::runSubprocess(POP3_CONFORM_BINARY, args, {}, std::chrono::seconds(30));
}

class SecretsNeverLeak : public ::testing::Test {
protected:
    void SetUp() override { _dir.createDirectories(); }

    std::string inDir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }

private:
    Poco::TemporaryFile _dir;
};

TEST_F(SecretsNeverLeak, FetchVerboseTraceMasksEveryLoginMethod) {
    Mock mock;
    std::string output;
    for (const char* auth : {"user", "apop", "sasl:PLAIN", "sasl:LOGIN", "sasl:CRAM-MD5"}) {
        const SubprocessResult accepted =
            pop3Conform({"fetch", "-v", "--auth", auth, mock.url("carol"), "--out", inDir(auth)});
        EXPECT_EQ(accepted.exitCode, 0) << auth << "\n" << accepted.err;
        const SubprocessResult refused =
            pop3Conform({"fetch", "-v", "--auth", auth, mock.url("mallory"), "--out", inDir(auth)});
        EXPECT_EQ(refused.exitCode, 1) << auth << "\n" << refused.err;
        output += accepted.out + accepted.err + refused.out + refused.err;
    }
    EXPECT_NE(output.find("C: PASS ****"), std::string::npos) << output;
    EXPECT_NE(output.find("C: AUTH PLAIN ****"), std::string::npos) << output;
    EXPECT_NE(output.find("C: APOP carol ****"), std::string::npos) << output;
    EXPECT_TRUE(holdsNoSecret(output, "carol", mock.digests()));
    EXPECT_TRUE(holdsNoSecret(output, "mallory"));
}

TEST_F(SecretsNeverLeak, CheckReportsOfFailingChecksMaskThePassword) {
    // Any password is accepted and STAT fails: the login checks fail, with their transcripts.
    Mock mock(scenarioYaml("server:\n  auth: {acceptAnyPassword: true}\n"
                           "rules:\n  - {command: STAT, reply: \"-ERR [SYS/TEMP] offline\"}\n"));
    const SubprocessResult run =
        pop3Conform({"check", "--target", mock.url("carol"), "--strict", "--json",
                     inDir("report.json"), "--junit", inDir("report.xml"),
                     "rfc1939-4-wrong-password-refused", "rfc1939-7-apop-login", "rfc5034-4-*"});
    EXPECT_EQ(run.exitCode, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("transcript"), std::string::npos) << run.out;
    const std::string everything = run.out + run.err + test::readFile(inDir("report.json")) +
                                   test::readFile(inDir("report.xml"));
    // The wrong password the checks try is the secret with "-wrong" appended.
    std::vector<std::string> digests = mock.digests();
    for (const std::string& form : mock.digests(kSecret + "-wrong"))
        digests.push_back(form);
    for (const std::string& form : test::secretForms("carol", kSecret + "-wrong"))
        digests.push_back(form);
    EXPECT_TRUE(holdsNoSecret(everything, "carol", digests));
}

TEST_F(SecretsNeverLeak, BenchReportOfRefusedLoginsNamesNoPassword) {
    Mock mock;
    const SubprocessResult run =
        pop3Conform({"bench", "--target", mock.url("mallory"), "--duration", "0.3", "--connections",
                     "2", "--quiet", "--json", inDir("bench.json")});
    EXPECT_EQ(run.exitCode, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("auth"), std::string::npos) << "refused logins counted: " << run.out;
    EXPECT_TRUE(holdsNoSecret(run.out + run.err + test::readFile(inDir("bench.json")), "mallory"));
}

TEST_F(SecretsNeverLeak, ServeRecordFileAndReadyLineMaskEveryLoginMethod) {
    Poco::File(inDir("mail")).createDirectories();
    Poco::FileOutputStream(inDir("mail/a.eml")) << "Subject: a\n\nA\n";
    std::string ready;
    {
        ServeProcess serve({"serve", "--user", "carol:" + kSecret, "--messages", inDir("mail"),
                            "--record", inDir("record.jsonl")});
        std::ostringstream line;
        serve.ready->stringify(line);
        ready = line.str();
        for (const char* user : {"carol", "mallory"}) {
            for (const auto& [mode, mechanism] :
                 {std::pair<AuthMode, const char*>{AuthMode::userPass, ""},
                  {AuthMode::apop, ""},
                  {AuthMode::sasl, "PLAIN"},
                  {AuthMode::sasl, "LOGIN"},
                  {AuthMode::sasl, "CRAM-MD5"}}) {
                Client client;
                client.host = "127.0.0.1";
                client.port = serve.port("pop3");
                client.timeout = std::chrono::seconds(5);
                client.username = user;
                client.password = kSecret;
                client.authMode = mode;
                if (*mechanism)
                    client.saslMechanisms = {mechanism};
                try {
                    client.connect();
                    client.disconnect();
                } catch (const ServerError&) {
                    EXPECT_EQ(std::string(user), "mallory");
                }
            }
        }
        EXPECT_EQ(serve.stop(), 0);
    }
    const std::string record = test::readFile(inDir("record.jsonl"));
    EXPECT_NE(record.find(R"("line":"PASS ****")"), std::string::npos) << record;
    EXPECT_TRUE(holdsNoSecret(ready + record, "carol"));
    EXPECT_TRUE(holdsNoSecret(record, "mallory"));
}

TEST_F(SecretsNeverLeak, MistypedUrlsAndOptionsAreNotEchoed) {
    const std::string secret = kSecret;
    Poco::FileOutputStream(inDir("scenario.yaml")) << scenarioYaml();
    const std::vector<std::vector<std::string>> mistakes = {
        {"fetch", "--out", inDir("m"), "pop3://carol:" + secret + "@127.0.0.1:1/inbox"},
        {"fetch", "--out", inDir("m"), "pop3://carol:" + secret + "@[::1"},
        {"fetch", "--out", inDir("m"), "pop3://carol:" + secret + "%zz@127.0.0.1:1"},
        {"fetch", "--out", inDir("m"), "pop3://carol:" + secret + "@x@127.0.0.1:1"},
        {"fetch", "--out", inDir("m"), "imap://carol:" + secret + "@127.0.0.1:1"},
        {"fetch", "--out", inDir("m"), "pop3://:" + secret + "@127.0.0.1:1"},
        {"fetch", "--out", inDir("m"), "pop3://carol:" + secret + "@127.0.0.1:1",
         "pop3://carol:" + secret + "@127.0.0.1:2"},
        {"check", "pop3://carol:" + secret + "@127.0.0.1:1"},
        {"check", "--target", "pop3://carol:" + secret + "@127.0.0.1:1?x", "--user2", "b"},
        {"check", "--target", "pop3://carol:pw@127.0.0.1:1", "--user2", "bob" + secret},
        {"run", "--target", "pop3://carol:" + secret + "@127.0.0.1:110", inDir("scenario.yaml")},
        {"bench", "--target", "pop3s://carol:" + secret + "@127.0.0.1:1", "--starttls"},
        {"serve", "--user", ":" + secret},
        {"serve", "--user", secret},
    };
    for (const std::vector<std::string>& args : mistakes) {
        const SubprocessResult run = pop3Conform(args);
        EXPECT_NE(run.exitCode, 0) << args.at(0) << " " << args.back();
        EXPECT_FALSE(run.err.empty()) << args.at(0) << " " << args.back();
        EXPECT_TRUE(holdsNoSecret(run.out + run.err, "carol"));
    }
}

} // namespace
} // namespace pop3::cli
