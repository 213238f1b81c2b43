// `pop3-conform check` and `list-checks`: the target options and the seed command in process,
// then end to end through the built tool against the embedded mock, `serve`, and peers that are
// not POP3 servers at all.

#include "pop3/Errors.h"
#include "pop3/conformance/Check.h"
#include "pop3/conformance/EmbeddedMock.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fnmatch.h>
#include <set>

#include "CheckTarget.h"
#include "CommandLineError.h"
#include "ServeProcess.h"
#include "support/Files.h"
#include "support/ScriptedPeer.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

// --- the target options ---

CheckTargetOptions options(const std::string& url) {
    CheckTargetOptions result;
    result.url = url;
    return result;
}

TEST(CheckTargetTest, PlainTargetWithAnImplicitTlsPortAndASecondAccount) {
    CheckTargetOptions given = options("pop3://alice:p%40ss@127.0.0.1:1110");
    given.tlsPort = 1995;
    given.startTls = true;
    given.user2 = "bob:pw:with:colons";
    given.minTls = "1.3";
    given.timeoutMs = 700;
    given.tlsName = "mail.example.org";
    given.insecure = true;
    const conformance::Target target = makeCheckTarget(given);
    EXPECT_EQ(target.host, "127.0.0.1");
    EXPECT_EQ(target.plainPort, std::optional<std::uint16_t>(1110));
    EXPECT_EQ(target.implicitTlsPort, std::optional<std::uint16_t>(1995));
    EXPECT_TRUE(target.startTls);
    EXPECT_EQ(target.account.user, "alice");
    EXPECT_EQ(target.account.password, "p@ss");
    ASSERT_TRUE(target.secondAccount);
    EXPECT_EQ(target.secondAccount->user, "bob");
    EXPECT_EQ(target.secondAccount->password, "pw:with:colons");
    EXPECT_EQ(target.minimumTlsVersion, TlsProtocol::tls1_3);
    EXPECT_EQ(target.timeout, std::chrono::milliseconds(700));
    EXPECT_EQ(target.serverName(), "mail.example.org");
    EXPECT_FALSE(target.verifyCertificate);
    EXPECT_FALSE(target.allowDestructive);
    EXPECT_FALSE(target.seed);
}

TEST(CheckTargetTest, Pop3sTargetHasOnlyTheImplicitTlsPort) {
    const conformance::Target target = makeCheckTarget(options("pop3s://alice:pw@localhost"));
    EXPECT_FALSE(target.plainPort);
    EXPECT_EQ(target.implicitTlsPort, std::optional<std::uint16_t>(995));
    EXPECT_EQ(makeCheckTarget(options("pop3://alice:pw@localhost")).plainPort,
              std::optional<std::uint16_t>(110));
}

TEST(CheckTargetTest, SecondAccountFromATargetOnTheSameServer) {
    CheckTargetOptions given = options("pop3://alice:pw@127.0.0.1:1110");
    given.url2 = "pop3://bob:pw2@127.0.0.1:1110";
    EXPECT_EQ(makeCheckTarget(given).secondAccount->user, "bob");
    given.url2 = "pop3://bob:pw2@127.0.0.1:1111";
    EXPECT_THROW(makeCheckTarget(given), CommandLineError) << "another server";
    given.url2 = "pop3://bob@127.0.0.1:1110";
    EXPECT_THROW(makeCheckTarget(given), CommandLineError) << "no password";
}

TEST(CheckTargetTest, PasswordFromTheEnvironment) {
    CheckTargetOptions given = options("pop3://alice@127.0.0.1");
    EXPECT_THROW(makeCheckTarget(given), CommandLineError) << "no password at all";
    given.passwordEnv = "POP3_CHECK_TEST_PASSWORD";
    Poco::Environment::set(given.passwordEnv, "from-env");
    EXPECT_EQ(makeCheckTarget(given).account.password, "from-env");
    given.url = "pop3://alice:pw@127.0.0.1";
    EXPECT_THROW(makeCheckTarget(given), CommandLineError) << "two sources";
}

TEST(CheckTargetTest, OptionsThatDoNotFitTogetherAreUsageErrors) {
    CheckTargetOptions given = options("pop3s://alice:pw@127.0.0.1");
    given.startTls = true;
    EXPECT_THROW(makeCheckTarget(given), CommandLineError);
    given = options("pop3s://alice:pw@127.0.0.1");
    given.tlsPort = 995;
    EXPECT_THROW(makeCheckTarget(given), CommandLineError);
    given = options("pop3://alice:pw@127.0.0.1");
    given.user2 = "bob:pw";
    given.url2 = "pop3://bob:pw@127.0.0.1";
    EXPECT_THROW(makeCheckTarget(given), CommandLineError);
    given = options("pop3://alice:pw@127.0.0.1");
    given.user2 = "bob";
    EXPECT_THROW(makeCheckTarget(given), CommandLineError);
    given = options("pop3://alice:pw@127.0.0.1");
    given.seedCommand = "true";
    EXPECT_THROW(makeCheckTarget(given), CommandLineError) << "seed without destructive";
    given.allowDestructive = true;
    EXPECT_TRUE(makeCheckTarget(given).seed);
    EXPECT_THROW(makeCheckTarget(options("http://alice:pw@127.0.0.1")), CommandLineError);
    EXPECT_THROW(parseTlsVersion("1.4"), CommandLineError);
    EXPECT_EQ(parseTlsVersion("1.0"), TlsProtocol::tls1_0);
}

// --- the seed command ---

class SeedCommandTest : public ::testing::Test {
protected:
    void SetUp() override { _dir.createDirectories(); }
    std::string inDir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }

private:
    Poco::TemporaryFile _dir;
};

TEST_F(SeedCommandTest, GetsTheRequestInItsEnvironment) {
    conformance::SeedRequest request;
    request.checkId = "rfc1939-6-dele-commits";
    request.account = {"alice", "pw"};
    request.messageCount = 5;
    const std::string log = inDir("seed.log");
    const std::string command = "echo \"$POP3_CONFORM_CHECK $POP3_CONFORM_USER "
                                "$POP3_CONFORM_COUNT ${POP3_CONFORM_USER2-none}\" >> '" +
                                log + "'; echo noise; echo more noise >&2";
    runSeedCommand(command, request);
    request.secondAccount = conformance::Account{"bob", "pw2"};
    request.secondMessageCount = 2;
    runSeedCommand(command + "; echo \"$POP3_CONFORM_USER2 $POP3_CONFORM_COUNT2\" >> '" + log + "'",
                   request);
    EXPECT_EQ(test::readFile(log), "rfc1939-6-dele-commits alice 5 none\n"
                                   "rfc1939-6-dele-commits alice 5 bob\n"
                                   "bob 2\n");
}

TEST_F(SeedCommandTest, AFailureNamesTheCommandItsStatusAndItsOutput) {
    conformance::SeedRequest request;
    request.account = {"alice", "pw"};
    try {
        runSeedCommand("echo cannot copy the Maildir >&2; exit 3", request);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("'echo cannot copy the Maildir >&2; exit 3'"));
        EXPECT_THAT(e.what(), HasSubstr("exited with status 3"));
        EXPECT_THAT(e.what(), HasSubstr("cannot copy the Maildir"));
    }
}

// --- end to end ---

struct ToolRun {
    test::SubprocessResult result;
    std::chrono::milliseconds elapsed{0};
};

ToolRun pop3Conform(const std::vector<std::string>& args) {
    const Clock::time_point start = Clock::now();
    ToolRun run;
    run.result = test::runSubprocess(POP3_CONFORM_BINARY, args, {}, std::chrono::seconds(60));
    run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return run;
}

Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// The verdict of every check of a JSON report, by id.
std::map<std::string, std::string> verdicts(const Poco::JSON::Object::Ptr& report) {
    std::map<std::string, std::string> result;
    const Poco::JSON::Array::Ptr checks = report->getArray("checks");
    for (std::size_t i = 0; i < checks->size(); ++i) {
        const Poco::JSON::Object::Ptr check = checks->getObject(static_cast<unsigned>(i));
        result[check->getValue<std::string>("id")] = check->getValue<std::string>("verdict");
    }
    return result;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + 1))
        ++n;
    return n;
}

class CheckCommandTest : public ::testing::Test {
protected:
    void SetUp() override { _dir.createDirectories(); }
    std::string inDir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }

    /// A bad target must give one overall error, an error verdict for every check, exit 1, and
    /// no wait beyond the timeout (1 s here) and process start.
    void expectCannotBeChecked(std::uint16_t port, const std::string& why) {
        const ToolRun run =
            pop3Conform({"check", "--target", "pop3://alice:pw@127.0.0.1:" + std::to_string(port),
                         "--timeout", "1000", "--json", inDir("bad.json")});
        EXPECT_EQ(run.result.exitCode, 1) << run.result.out << run.result.err;
        EXPECT_LT(run.elapsed, std::chrono::milliseconds(4000)) << why;
        EXPECT_THAT(run.result.err, HasSubstr("cannot be checked")) << why;
        EXPECT_EQ(count(run.result.err, "\n"), 1U) << "one overall message: " << run.result.err;
        EXPECT_THAT(run.result.out, HasSubstr("cannot be checked"));
        const Poco::JSON::Object::Ptr report = parseJson(test::readFile(inDir("bad.json")));
        EXPECT_THAT(report->getValue<std::string>("overallError"), HasSubstr("cannot be checked"));
        for (const auto& [id, verdict] : verdicts(report))
            EXPECT_EQ(verdict, "error") << id << " (" << why << ")";
    }

private:
    Poco::TemporaryFile _dir;
};

TEST_F(CheckCommandTest, TheEmbeddedMockPassesEveryCheckWithinFiveSeconds) {
    const ToolRun run =
        pop3Conform({"check", "--json", inDir("report.json"), "--junit", inDir("report.xml")});
    EXPECT_EQ(run.result.exitCode, 0) << run.result.out << run.result.err;
    EXPECT_EQ(run.result.err, "") << "stderr is not a terminal: no progress";
    EXPECT_THAT(run.result.out, HasSubstr("pop3-conform check: embedded mock"));

    const Poco::JSON::Object::Ptr report = parseJson(test::readFile(inDir("report.json")));
    EXPECT_TRUE(report->getValue<bool>("passed"));
    const std::map<std::string, std::string> byId = verdicts(report);
    EXPECT_EQ(byId.size(), conformance::catalogue().size());
    for (const auto& [id, verdict] : byId)
        EXPECT_TRUE(verdict == "pass" || verdict == "skip") << id << ": " << verdict;
#if !defined(__SANITIZE_ADDRESS__)
    EXPECT_LT(report->getValue<int>("durationMs"), 5000) << "the catalogue must stay fast";
#endif

    std::set<std::string> rfcs;
    for (const conformance::Check& check : conformance::catalogue())
        rfcs.insert(check.info.rfc);
    const std::string junit = test::readFile(inDir("report.xml"));
    EXPECT_EQ(count(junit, "<testsuite "), rfcs.size()) << junit;
    for (const std::string& rfc : rfcs)
        EXPECT_THAT(junit, HasSubstr("name=\"RFC " + rfc + "\""));
    EXPECT_EQ(count(junit, "<testcase "), conformance::catalogue().size());
}

TEST_F(CheckCommandTest, APatternSelectsOnlyTheMatchingChecks) {
    const std::string pattern = "rfc1939-*";
    const ToolRun run = pop3Conform({"check", pattern, "--quiet", "--json", inDir("report.json")});
    EXPECT_EQ(run.result.exitCode, 0) << run.result.err;
    EXPECT_EQ(run.result.out, "") << "--quiet";
    const std::map<std::string, std::string> byId =
        verdicts(parseJson(test::readFile(inDir("report.json"))));
    std::size_t expected = 0;
    for (const conformance::Check& check : conformance::catalogue())
        expected += fnmatch(pattern.c_str(), check.info.id.c_str(), 0) == 0;
    EXPECT_EQ(byId.size(), expected);
    for (const auto& [id, verdict] : byId)
        EXPECT_EQ(id.rfind("rfc1939-", 0), 0U) << id;

    const ToolRun none = pop3Conform({"check", pattern, "rfc9999-*"});
    EXPECT_EQ(none.result.exitCode, 2);
    EXPECT_THAT(none.result.err, HasSubstr("'rfc9999-*'"));
}

TEST_F(CheckCommandTest, StrictTurnsABrokenShouldIntoAFailure) {
    const conformance::Check* chosen = nullptr;
    for (const conformance::Check& check : conformance::catalogue()) {
        const unsigned unwanted = conformance::needsDestructive | conformance::needsSlow;
        if (!chosen && check.info.level == conformance::Level::should &&
            !check.info.fault.empty() && (check.info.needs & unwanted) == 0)
            chosen = &check;
    }
    if (!chosen)
        GTEST_SKIP() << "the catalogue has no SHOULD check with a fault yet";
    const std::string scenario = inDir("faulty.yaml");
    Poco::FileOutputStream(scenario)
        << conformance::mergeScenario(conformance::embeddedMockScenario(), chosen->info.fault);
    ServeProcess serve({"serve", scenario});
    std::vector<std::string> args = {
        "check",
        chosen->info.id,
        "--target",
        "pop3://alice:alice-conform-pw@127.0.0.1:" + std::to_string(serve.port("pop3")),
        "--user2",
        "bob:bob-conform-pw",
        "--ca",
        serve.certificate(),
        "--tls-name",
        "localhost",
        "--json",
        inDir("report.json")};
    if (serve.ready->has("pop3s"))
        args.insert(args.end(), {"--tls-port", std::to_string(serve.port("pop3s"))});

    const ToolRun lenient = pop3Conform(args);
    EXPECT_EQ(lenient.result.exitCode, 0) << lenient.result.out;
    EXPECT_EQ(verdicts(parseJson(test::readFile(inDir("report.json")))).at(chosen->info.id),
              "warn");
    args.push_back("--strict");
    const ToolRun strict = pop3Conform(args);
    EXPECT_EQ(strict.result.exitCode, 1) << strict.result.out;
    EXPECT_EQ(verdicts(parseJson(test::readFile(inDir("report.json")))).at(chosen->info.id),
              "fail");
}

TEST_F(CheckCommandTest, AnUnreachablePortIsOneOverallError) {
    std::uint16_t port = 0;
    {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = socket.address().port();
    }
    expectCannotBeChecked(port, "connection refused");
}

TEST_F(CheckCommandTest, AnHttpServerIsNotPop3) {
    test::ScriptedPeer peer(test::ScriptedPeer::Script().send(
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    expectCannotBeChecked(peer.port(), "HTTP");
}

TEST_F(CheckCommandTest, AnSmtpBannerIsNotAPop3Greeting) {
    test::ScriptedPeer peer(
        test::ScriptedPeer::Script().send("220 mail.example.org ESMTP ready\r\n"));
    expectCannotBeChecked(peer.port(), "SMTP");
}

TEST_F(CheckCommandTest, ASilentServerIsGivenUpAfterTheTimeout) {
    test::ScriptedPeer peer{test::ScriptedPeer::Script()};
    expectCannotBeChecked(peer.port(), "silent");
}

TEST_F(CheckCommandTest, WrongCredentialsAreOneOverallError) {
    ServeProcess serve({"serve", "--user", "alice:right"});
    const ToolRun run =
        pop3Conform({"check", "--target",
                     "pop3://alice:s3cr3t-guess@127.0.0.1:" + std::to_string(serve.port("pop3")),
                     "--timeout", "2000"});
    EXPECT_EQ(run.result.exitCode, 1) << run.result.out;
    EXPECT_THAT(run.result.err, HasSubstr("cannot log in as alice"));
    EXPECT_THAT(run.result.err, Not(HasSubstr("s3cr3t-guess"))) << "the password stays secret";
    EXPECT_THAT(run.result.out, Not(HasSubstr("s3cr3t-guess")));
    EXPECT_LT(run.elapsed, std::chrono::milliseconds(8000));
}

TEST_F(CheckCommandTest, DestructiveChecksRunAfterTheSeedCommand) {
    const conformance::Check* destructive = nullptr;
    for (const conformance::Check& check : conformance::catalogue()) {
        if (!destructive && (check.info.needs & conformance::needsDestructive) &&
            !(check.info.needs & conformance::needsSlow))
            destructive = &check;
    }
    if (!destructive)
        GTEST_SKIP() << "the catalogue has no destructive check yet";
    const std::string maildir = inDir("Maildir/");
    const std::string pristine = inDir("pristine/");
    for (const std::string& dir : {maildir + "new", maildir + "cur", maildir + "tmp", pristine})
        Poco::File(dir).createDirectories();
    for (int i = 1; i <= 3; ++i) {
        const std::string name = "100" + std::to_string(i) + ".M1P1.test";
        const std::string text =
            "Subject: " + std::to_string(i) + "\r\n\r\nBody " + std::to_string(i) + "\r\n";
        Poco::FileOutputStream(maildir + "new/" + name) << text;
        Poco::FileOutputStream(pristine + name) << text;
    }
    ServeProcess serve({"serve", "--user", "alice:pw", "--user", "bob:pw2", "--maildir", maildir});
    const std::string target = "pop3://alice:pw@127.0.0.1:" + std::to_string(serve.port("pop3"));
    const std::string log = inDir("seed.log");
    const std::string seed = "echo \"$POP3_CONFORM_CHECK $POP3_CONFORM_USER $POP3_CONFORM_COUNT "
                             "$POP3_CONFORM_USER2 $POP3_CONFORM_COUNT2\" >> '" +
                             log + "' && cp '" + pristine + "'* '" + maildir + "new/'";
    const ToolRun run = pop3Conform({"check", destructive->info.id, "--target", target, "--user2",
                                     "bob:pw2", "--allow-destructive", "--seed-command", seed});
    EXPECT_EQ(run.result.exitCode, 0) << run.result.out << run.result.err;
    EXPECT_EQ(test::readFile(log), destructive->info.id + " alice 3 bob 3\n");

    const ToolRun failing =
        pop3Conform({"check", destructive->info.id, "--target", target, "--user2", "bob:pw2",
                     "--allow-destructive", "--seed-command", "exit 7"});
    EXPECT_EQ(failing.result.exitCode, 1);
    EXPECT_THAT(failing.result.out, HasSubstr("the seed command 'exit 7' exited with status 7"));

    const ToolRun refused = pop3Conform({"check", destructive->info.id, "--target", target});
    EXPECT_EQ(refused.result.exitCode, 0) << "skipped without --allow-destructive";
    EXPECT_THAT(refused.result.out, HasSubstr("needs --allow-destructive"));
}

TEST_F(CheckCommandTest, UsageErrorsExitTwo) {
    const std::string target = "pop3://alice:pw@127.0.0.1:1";
    EXPECT_EQ(pop3Conform({"check", "--starttls"}).result.exitCode, 2) << "needs --target";
    EXPECT_EQ(
        pop3Conform({"check", "--target", "pop3s://a:b@127.0.0.1", "--starttls"}).result.exitCode,
        2);
    EXPECT_EQ(pop3Conform({"check", "--target", target, "--seed-command", "true"}).result.exitCode,
              2);
    EXPECT_EQ(pop3Conform({"check", "--self-test", "--target", target}).result.exitCode, 2);
    EXPECT_EQ(pop3Conform({"check", "--min-tls", "1.4"}).result.exitCode, 2);
    const ToolRun noPassword = pop3Conform({"check", "--target", "pop3://alice@127.0.0.1:1"});
    EXPECT_EQ(noPassword.result.exitCode, 2);
    EXPECT_THAT(noPassword.result.err, HasSubstr("no password"));
}

TEST_F(CheckCommandTest, SelfTestProvesAMustCheck) {
    const conformance::Check* chosen = nullptr;
    for (const conformance::Check& check : conformance::catalogue()) {
        if (!chosen && check.info.level == conformance::Level::must && !check.info.fault.empty())
            chosen = &check;
    }
    ASSERT_NE(chosen, nullptr);
    const ToolRun run = pop3Conform({"check", "--self-test", chosen->info.id});
    EXPECT_EQ(run.result.exitCode, 0) << run.result.out << run.result.err;
    EXPECT_THAT(run.result.out, HasSubstr("proven      " + chosen->info.id + "\n"));
    EXPECT_THAT(run.result.out, HasSubstr("MUST checks with a fault: 1/1 (100.0 %)"));
}

TEST_F(CheckCommandTest, ListChecksInEveryFormat) {
    const std::size_t checks = conformance::catalogue().size();
    const ToolRun text = pop3Conform({"list-checks"});
    EXPECT_EQ(text.result.exitCode, 0);
    EXPECT_EQ(count(text.result.out, "\n"), checks);
    const ToolRun json = pop3Conform({"list-checks", "--json"});
    EXPECT_EQ(parseJson(json.result.out)->getArray("checks")->size(), checks);
    const ToolRun markdown = pop3Conform({"list-checks", "--markdown"});
    EXPECT_EQ(markdown.result.out.rfind("# The check catalogue\n", 0), 0U);
    EXPECT_EQ(pop3Conform({"list-checks", "--json", "--markdown"}).result.exitCode, 2);
}

} // namespace
} // namespace pop3::cli
