// End to end: `pop3-conform run` on scenario files written by the tests.

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ServeProcess.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassing = R"(name: passing
mailboxes: [{user: alice, password: pw}]
steps:
  - connect
  - expect: ok
  - send: USER alice
  - expect: ok
)";

constexpr const char* kFailing = R"(name: failing
mailboxes: [{user: alice, password: pw}]
steps:
  - connect
  - expect: ok
  - send: USER alice
  - expect: {status: err}
)";

class RunCommandTest : public ::testing::Test {
protected:
    void SetUp() override { _dir.createDirectories(); }

    std::string write(const std::string& name, const std::string& text) {
        const std::string path = inDir(name);
        Poco::File(Poco::Path(path).parent()).createDirectories();
        Poco::FileOutputStream(path) << text;
        return path;
    }

    std::string inDir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }

    test::SubprocessResult run(std::vector<std::string> args) {
        args.insert(args.begin(), "run");
        return test::runSubprocess(POP3_CONFORM_BINARY, args, {}, std::chrono::seconds(60));
    }

    static std::string read(const std::string& path) {
        Poco::FileInputStream in(path);
        std::string text;
        Poco::StreamCopier::copyToString(in, text);
        return text;
    }

private:
    Poco::TemporaryFile _dir;
};

TEST_F(RunCommandTest, AllPassingExitsZeroWithASummary) {
    write("suite/a.yaml", kPassing);
    write("suite/nested/b.yml", kPassing);
    const test::SubprocessResult result = run({inDir("suite"), "-j", "2"});
    EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("2 scenarios: 2 passed, 0 failed, 0 invalid"));
}

TEST_F(RunCommandTest, AFailingStepExitsOneAndShowsWhatWasExpected) {
    write("suite/a.yaml", kPassing);
    write("suite/f.yaml", kFailing);
    const test::SubprocessResult result =
        run({inDir("suite"), "--junit", inDir("junit.xml"), "--json", inDir("report.json")});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_THAT(result.out, HasSubstr("FAIL failing"));
    EXPECT_THAT(result.out, HasSubstr("f.yaml:7:5"));
    EXPECT_THAT(result.out, HasSubstr("[default] C: USER alice"));
    const std::string junit = read(inDir("junit.xml"));
    EXPECT_THAT(junit, HasSubstr(R"(tests="2")"));
    EXPECT_THAT(junit, HasSubstr(R"(failures="1")"));
    EXPECT_THAT(junit, HasSubstr("<failure message="));
    EXPECT_THAT(read(inDir("report.json")), HasSubstr(R"("verdict": "failed")"));
}

TEST_F(RunCommandTest, InvalidScenarioExitsTwoWithItsLocation) {
    write("bad.yaml", "mailboxes:\n  - {user: alice, pasword: pw}\n");
    const test::SubprocessResult result = run({inDir("bad.yaml")});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_THAT(result.out, HasSubstr("bad.yaml:2:"));
    EXPECT_THAT(result.out, HasSubstr("did you mean 'password'"));
}

TEST_F(RunCommandTest, FilterShardAndList) {
    write("s/one.yaml", kPassing);
    write("s/two.yaml", kPassing);
    write("s/three.yaml", kPassing);
    EXPECT_EQ(run({inDir("s"), "--list", "--filter", "t*"}).out,
              inDir("s/three.yaml") + "\n" + inDir("s/two.yaml") + "\n");
    EXPECT_EQ(run({inDir("s"), "--list", "--shard", "2/3"}).out, inDir("s/three.yaml") + "\n");
    EXPECT_EQ(run({inDir("s"), "--shard", "4/3"}).exitCode, 2);
    EXPECT_EQ(run({inDir("missing")}).exitCode, 2);
}

TEST_F(RunCommandTest, ValidateReportsEveryProblemWithItsLocation) {
    const std::string good = write("good.yaml", kPassing);
    const std::string bad = write("bad.yaml", "mailboxes:\n  - {user: alice, pasword: pw}\n"
                                              "server:\n  limits: {maxConnections: many}\n");
    const test::SubprocessResult ok = test::runSubprocess(POP3_CONFORM_BINARY, {"validate", good});
    EXPECT_EQ(ok.exitCode, 0);
    EXPECT_EQ(ok.out, good + ": ok\n");
    const test::SubprocessResult result =
        test::runSubprocess(POP3_CONFORM_BINARY, {"validate", good, bad});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_THAT(result.out, HasSubstr(bad + ":2:"));
    EXPECT_THAT(result.out, HasSubstr("did you mean 'password'"));
    EXPECT_THAT(result.out, HasSubstr(bad + ":4:"));
    EXPECT_THAT(result.out, HasSubstr("2 files: 1 valid, 1 invalid"));
}

TEST_F(RunCommandTest, TargetPlaysTheStepsAgainstAnotherServer) {
    const std::string scenario =
        write("s.yaml", std::string(kPassing) + "expectations: {quitSent: true}\n");
    ServeProcess serve({"serve", "--user", "alice:pw"});
    const std::string target = "127.0.0.1:" + std::to_string(serve.port("pop3"));
    const test::SubprocessResult result = run({scenario, "--target", target});
    EXPECT_EQ(result.exitCode, 0) << result.out;
    EXPECT_THAT(result.out, HasSubstr("1 passed")) << "the mock's expectations are left out";
    const test::SubprocessResult failing = run({write("f.yaml", kFailing), "--target", target});
    EXPECT_EQ(failing.exitCode, 1);
    EXPECT_EQ(run({scenario, "--target", "no-port"}).exitCode, 2);
    EXPECT_EQ(run({scenario, "--target", "127.0.0.1:0"}).exitCode, 2);
}

} // namespace
} // namespace pop3::cli
