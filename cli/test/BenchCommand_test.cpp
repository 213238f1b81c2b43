// End to end: `pop3-conform bench` against `pop3-conform serve` on loopback — the reports, both
// engines, pooled sessions, TLS, usage errors and servers that cannot be worked with.

#include "pop3/Client.h"

#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

#include "ServeProcess.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using test::SubprocessResult;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

constexpr unsigned kAccounts = 4;
constexpr std::uint64_t kMessages = 5;
constexpr std::uint64_t kMessageSize = 4096;
const std::string kMix = "retr=70,top=10,uidl=10,dele=10";

SubprocessResult pop3Conform(const std::vector<std::string>& args) {
    return test::runSubprocess(POP3_CONFORM_BINARY, args, {}, std::chrono::seconds(30));
}

/// Accounts load1..load4 (passwords pw-1..pw-4) with five generated messages each, served on a
/// plaintext port with STLS and on an implicit-TLS port.
std::string benchScenario() {
    std::ostringstream yaml;
    yaml << "name: bench\nmailboxes:\n";
    for (unsigned n = 1; n <= kAccounts; ++n) {
        yaml << "  - user: load" << n << "\n    password: pw-" << n
             << "\n    messages:\n      - generate: {count: " << kMessages
             << ", size: " << kMessageSize << ", seed: " << n << "}\n";
    }
    yaml << "server:\n  tls:\n    mode: stls\n    certificate: {generate: true}\n";
    return yaml.str();
}

Poco::JSON::Object::Ptr readJson(const std::string& file) {
    Poco::FileInputStream in(file);
    return Poco::JSON::Parser().parse(in).extract<Poco::JSON::Object::Ptr>();
}

std::uint64_t number(const Poco::JSON::Object::Ptr& json, const std::string& path) {
    Poco::JSON::Object::Ptr object = json;
    std::string rest = path;
    for (std::size_t dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
        object = object->getObject(rest.substr(0, dot));
        if (!object)
            throw std::runtime_error("no '" + path + "' in the JSON report");
        rest = rest.substr(dot + 1);
    }
    return object->getValue<std::uint64_t>(rest);
}

/// How many lines of `text` match `pattern`.
std::size_t countLines(const std::string& text, const std::string& pattern) {
    const std::regex regex(pattern);
    std::istringstream in(text);
    std::size_t count = 0;
    for (std::string line; std::getline(in, line);)
        count += std::regex_search(line, regex) ? 1 : 0;
    return count;
}

class BenchCommandTest : public ::testing::Test {
protected:
    void SetUp() override {
        _dir.createDirectories();
        std::ofstream(inDir("bench.yaml")) << benchScenario();
    }

    std::string inDir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }

    ServeProcess& serve() {
        if (!_serve)
            _serve = std::make_unique<ServeProcess>(
                std::vector<std::string>{"serve", inDir("bench.yaml")});
        return *_serve;
    }

    std::string target(const std::string& password = "pw-{n}") {
        return "pop3://load{n}:" + password + "@127.0.0.1:" + std::to_string(serve().port("pop3"));
    }

    std::string jsonFile() const { return inDir("report.json"); }

    /// A bench run of 40 units on 4 connections with the mix, writing the JSON report.
    SubprocessResult runBench(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args = {"bench", "--target", target(), "-c",     "4",        "-n",
                                         "40",    "--mix",    kMix,     "--json", jsonFile(), "-q"};
        args.insert(args.end(), extra.begin(), extra.end());
        return pop3Conform(args);
    }

    /// Exit 0, the text report on stdout, and a JSON report of a run without errors whose RETRs
    /// all returned the same octets.
    Poco::JSON::Object::Ptr expectCleanRun(const SubprocessResult& result) {
        EXPECT_EQ(result.exitCode, 0) << result.err << result.out;
        EXPECT_EQ(result.err, "") << "no progress lines with -q";
        EXPECT_THAT(result.out, ContainsRegex("\nsessions +[0-9.]+ /s"));
        EXPECT_THAT(result.out, HasSubstr("latency (ms)"));
        EXPECT_THAT(result.out, ContainsRegex("\n  retr +[1-9][0-9]* "));
        EXPECT_THAT(result.out, ContainsRegex("\nerrors +0\n"));
        EXPECT_THAT(result.out, HasSubstr(" 0 mismatches\n"));
        const Poco::JSON::Object::Ptr json = readJson(jsonFile());
        EXPECT_EQ(number(json, "totals.errors"), 0u);
        EXPECT_GT(number(json, "integrity.retrievals_compared"), 0u);
        EXPECT_EQ(number(json, "integrity.mismatches"), 0u);
        EXPECT_GT(number(json, "latency.retr.count"), 0u);
        EXPECT_EQ(number(json, "settings.connections"), 4u);
        EXPECT_EQ(number(json, "settings.accounts"), kAccounts);
        return json;
    }

    /// Every mailbox still holds its five messages: each DELE was taken back with RSET.
    void expectMailboxesUnchanged() {
        for (unsigned n = 1; n <= kAccounts; ++n) {
            Client client;
            client.host = "127.0.0.1";
            client.port = serve().port("pop3");
            client.username = "load" + std::to_string(n);
            client.password = "pw-" + std::to_string(n);
            client.connect();
            const MaildropStat stat = client.stat();
            EXPECT_EQ(stat.count, kMessages) << client.username;
            EXPECT_EQ(stat.octets, kMessages * kMessageSize) << client.username;
            client.disconnect();
        }
    }

private:
    Poco::TemporaryFile _dir;
    std::unique_ptr<ServeProcess> _serve;
};

TEST_F(BenchCommandTest, ReportsTheRunAndLeavesTheMailboxesAsTheyWere) {
    const Poco::JSON::Object::Ptr json = expectCleanRun(runBench());
    EXPECT_EQ(number(json, "totals.sessions"), 40u);
    EXPECT_EQ(number(json, "totals.logins"), 40u);
    EXPECT_EQ(json->getObject("settings")->getValue<std::string>("engine"), "threads");
    EXPECT_EQ(json->getObject("settings")->getValue<std::string>("mode"), "reconnect");
    expectMailboxesUnchanged();

    const Poco::JSON::Object::Ptr again = expectCleanRun(runBench({"--seed", "7"}));
    EXPECT_EQ(number(again, "totals.sessions"), 40u);
    expectMailboxesUnchanged();
}

TEST_F(BenchCommandTest, EventsEngine) {
    const Poco::JSON::Object::Ptr json = expectCleanRun(runBench({"--engine", "events"}));
    EXPECT_EQ(number(json, "totals.sessions"), 40u);
    EXPECT_EQ(json->getObject("settings")->getValue<std::string>("engine"), "events");
    expectMailboxesUnchanged();
}

TEST_F(BenchCommandTest, PoolLogsInOncePerConnection) {
    const Poco::JSON::Object::Ptr json = expectCleanRun(runBench({"--pool"}));
    EXPECT_EQ(number(json, "totals.logins"), 4u);
    EXPECT_EQ(number(json, "totals.sessions"), 4u) << "the pooled sessions end with QUIT";
    EXPECT_EQ(number(json, "totals.operations"), 40u);
    EXPECT_EQ(json->getObject("settings")->getValue<std::string>("mode"), "pool");
    expectMailboxesUnchanged();
}

TEST_F(BenchCommandTest, EventsEngineWithPool) {
    const Poco::JSON::Object::Ptr json = expectCleanRun(runBench({"--engine", "events", "--pool"}));
    EXPECT_EQ(number(json, "totals.logins"), 4u);
    EXPECT_EQ(number(json, "totals.sessions"), 4u) << "the pooled sessions end with QUIT";
    EXPECT_EQ(number(json, "totals.operations"), 40u);
    expectMailboxesUnchanged();
}

TEST_F(BenchCommandTest, ProgressLineEverySecondWithoutQuiet) {
    const SubprocessResult result =
        pop3Conform({"bench", "--target", target(), "-c", "2", "-d", "2.2", "--mix", kMix});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_GE(countLines(result.err, "s  sessions"), 2u) << result.err;
    EXPECT_THAT(result.out, HasSubstr(" 0 mismatches\n"));
    expectMailboxesUnchanged();
}

TEST_F(BenchCommandTest, ImplicitTlsWithTheThreadsEngine) {
    const std::string url =
        "pop3s://load{n}:pw-{n}@127.0.0.1:" + std::to_string(serve().port("pop3s"));
    const SubprocessResult result =
        pop3Conform({"bench", "--target", url, "--ca", serve().certificate(), "-c", "2", "-n", "10",
                     "--mix", kMix, "--json", jsonFile(), "-q"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    const Poco::JSON::Object::Ptr json = readJson(jsonFile());
    EXPECT_GT(number(json, "totals.sessions"), 0u);
    EXPECT_EQ(number(json, "totals.errors"), 0u);
    EXPECT_EQ(json->getObject("settings")->getValue<std::string>("tls"), "implicit");
}

TEST_F(BenchCommandTest, EventsEngineRefusesTls) {
    const std::string url =
        "pop3s://load{n}:pw-{n}@127.0.0.1:" + std::to_string(serve().port("pop3s"));
    const SubprocessResult result =
        pop3Conform({"bench", "--target", url, "--ca", serve().certificate(), "--engine", "events",
                     "-n", "4", "--json", jsonFile(), "-q"});
    EXPECT_EQ(result.exitCode, 2) << result.err;
    EXPECT_THAT(result.err, HasSubstr("plaintext only"));
    EXPECT_EQ(result.out, "");
}

TEST_F(BenchCommandTest, UsageErrorsExitTwoWithAMessage) {
    const std::string url = "pop3://load{n}:pw@127.0.0.1:1";
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"bench", "--target", url, "--mix", "retr=x"}, "whole number"},
        {{"bench", "--target", url, "--mix", "fetch=1"}, "unknown operation 'fetch'"},
        {{"bench", "--target", url, "--pool", "--reconnect"}, "excludes"},
        {{"bench", "-c", "4"}, "--target"},
        {{"bench", "--target", "pop3://bench:pw@127.0.0.1:1", "--accounts", "3"}, "{n}"},
    };
    for (const auto& [args, message] : cases) {
        const SubprocessResult result = pop3Conform(args);
        const std::string shown = ::testing::PrintToString(args);
        EXPECT_EQ(result.exitCode, 2) << shown << "\n" << result.err;
        EXPECT_THAT(result.err, HasSubstr(message)) << shown;
        EXPECT_EQ(result.out, "") << shown;
    }
}

TEST_F(BenchCommandTest, ClosedPortExitsOneWithConnectErrors) {
    std::uint16_t port = 0;
    {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = socket.address().port();
    } // closed: nothing listens there now
    const SubprocessResult result =
        pop3Conform({"bench", "--target", "pop3://load{n}:pw@127.0.0.1:" + std::to_string(port),
                     "-c", "2", "-d", "0.5", "-q"});
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr("nothing succeeded"));
    EXPECT_THAT(result.out, ContainsRegex("\nerrors +[1-9][0-9]*  connect [1-9][0-9]*\n"));
}

TEST_F(BenchCommandTest, WrongPasswordExitsOneWithAuthErrors) {
    const SubprocessResult result =
        pop3Conform({"bench", "--target", target("wrong"), "-c", "2", "-d", "0.5", "-q"});
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr("nothing succeeded"));
    EXPECT_THAT(result.out, ContainsRegex("\nerrors +[1-9][0-9]*.*  auth [1-9][0-9]*"));
}

} // namespace
} // namespace pop3::cli
