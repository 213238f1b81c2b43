// The run reports are pure functions of the results: golden files pin them down.

#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "ScenarioSuite.h"

namespace pop3::cli {
namespace {

std::vector<ScenarioResult> sampleResults() {
    ScenarioResult passed;
    passed.file = "scenarios/rfc1939/basic.yaml";
    passed.name = "basic";
    passed.duration = std::chrono::milliseconds(250);
    passed.transcript = "[default] S: +OK ready\n";
    ScenarioResult failed;
    failed.file = "scenarios/faults/<odd> & \"quoted\".yaml";
    failed.name = "odd";
    failed.verdict = ScenarioResult::Verdict::failed;
    failed.message = "odd.yaml:7:5: step 4 (expect) failed: status: expected err, got '+OK'\n"
                     "  sent:     USER alice\n";
    failed.duration = std::chrono::milliseconds(1500);
    ScenarioResult invalid;
    invalid.file = "bad.yaml";
    invalid.name = "bad";
    invalid.verdict = ScenarioResult::Verdict::invalid;
    invalid.message = "bad.yaml:2:19: unknown key 'pasword' in mailbox (did you mean 'password'?)";
    return {passed, failed, invalid};
}

/// Compares with the golden file; POP3_UPDATE_GOLDEN=1 rewrites it after an intended change.
void expectGolden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(POP3_CLI_TEST_DATA) + "/" + name;
    if (std::getenv("POP3_UPDATE_GOLDEN")) {
        Poco::FileOutputStream(path) << actual;
        return;
    }
    Poco::FileInputStream in(path);
    std::string expected;
    Poco::StreamCopier::copyToString(in, expected);
    EXPECT_EQ(actual, expected) << "golden file " << path;
}

TEST(ScenarioReportTest, JsonReportMatchesTheGoldenFile) {
    std::ostringstream out;
    writeJson(out, sampleResults());
    expectGolden("report.json", out.str());
}

TEST(ScenarioReportTest, JunitReportMatchesTheGoldenFile) {
    std::ostringstream out;
    writeJunit(out, sampleResults());
    expectGolden("report.junit.xml", out.str());
}

} // namespace
} // namespace pop3::cli
