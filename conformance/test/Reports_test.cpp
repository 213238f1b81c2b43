// The reports are pure functions of a CheckReport: golden files pin each format down. After an
// intended change, run with POP3_UPDATE_GOLDEN=1 and review the diff.
#include "pop3/conformance/Reports.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/StreamCopier.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

namespace pop3::conformance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

void noop(CheckContext&) {}

/// Checks of two RFCs, every level and need, text that XML, JSON and Markdown must escape.
const std::vector<Check>& sampleChecks() {
    static const std::vector<Check> checks = {
        {{"rfc1939-4-sample-pass", "1939", "4", Level::must, "The greeting is +OK",
          "the POP3 server issues a one line greeting.", 0,
          "rules:\n  - {command: greeting, reply: \"-ERR\"}\n"},
         noop},
        {{"rfc1939-5-sample-fail", "1939", "5", Level::must,
          "STAT answers <count> <size> | exactly",
          "The positive response consists of \"+OK\" followed by a single space & the number.",
          needsDestructive | needsSecondAccount, "rules:\n  - {command: STAT, reply: \"+OK x\"}"},
         noop},
        {{"rfc2449-6.3-sample-warn", "2449", "6.3", Level::should, "LOGIN-DELAY is announced",
          "a server SHOULD announce it", needsPlaintextPort, ""},
         noop},
        {{"rfc2449-8-sample-skip", "2449", "8", Level::may, "Response codes *may* be sent",
          "servers MAY send codes", needsImplicitTls | needsSlow, ""},
         noop},
        {{"rfc1939-3-sample-error", "1939", "3", Level::sec, "Long lines do not crash the server",
          "a server must survive hostile input", 0, ""},
         noop},
    };
    return checks;
}

CheckReport sampleReport() {
    const std::vector<Check>& checks = sampleChecks();
    CheckReport report;
    report.target = "127.0.0.1:1110 (STLS)";
    report.discovery.greeting = "+OK ready <1.2@host>";
    report.discovery.capabilities = std::vector<std::string>{"TOP", "UIDL", "SASL PLAIN"};
    report.duration = std::chrono::milliseconds(1234);

    CheckResult pass;
    pass.check = &checks[0];
    pass.verdict = Verdict::pass;
    pass.notes = {"negotiated TLSv1.3"};
    pass.duration = std::chrono::milliseconds(12);

    CheckResult fail;
    fail.check = &checks[1];
    fail.verdict = Verdict::fail;
    fail.message = "STAT's reply is malformed";
    fail.expected = "+OK <count> <size>";
    fail.actual = "+OK x & \"y\" <z>";
    fail.transcript = {"#1 connect plain 127.0.0.1:1110",
                       "#1 S: +OK ready",
                       "#1 C: USER alice",
                       "#1 C: PASS ****",
                       "#1 S: +OK \x01 bad \xff byte",
                       "#1 C: STAT",
                       "#1 S: +OK x & \"y\" <z>"};
    fail.duration = std::chrono::milliseconds(250);

    CheckResult warn;
    warn.check = &checks[2];
    warn.verdict = Verdict::warn;
    warn.message = "CAPA does not list LOGIN-DELAY";
    warn.transcript = {"#1 C: CAPA", "#1 S: +OK", "#1 S: TOP", "#1 S: ."};
    warn.duration = std::chrono::milliseconds(3);

    CheckResult skip;
    skip.check = &checks[3];
    skip.verdict = Verdict::skip;
    skip.message = "takes minutes: needs --slow";

    CheckResult error;
    error.check = &checks[4];
    error.verdict = Verdict::error;
    error.message = "127.0.0.1:1110: connection refused\nsecond line";
    error.transcript = {"#1 connect plain 127.0.0.1:1110"};
    error.duration = std::chrono::milliseconds(1001);

    report.results = {pass, fail, warn, skip, error};
    return report;
}

std::string readFile(const std::string& path) {
    Poco::FileInputStream in(path);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    return text;
}

/// Compares with the golden file; POP3_UPDATE_GOLDEN=1 rewrites it after an intended change.
void expectGolden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(POP3_CONFORMANCE_TEST_DATA) + "/" + name;
    if (std::getenv("POP3_UPDATE_GOLDEN")) {
        Poco::FileOutputStream(path) << actual;
        return;
    }
    EXPECT_EQ(actual, readFile(path)) << "golden file " << path;
}

TEST(Reports, TextReportMatchesTheGoldenFile) {
    std::ostringstream out;
    writeText(out, sampleReport());
    expectGolden("report.txt", out.str());
    EXPECT_THAT(out.str(), Not(HasSubstr("\033["))) << "colours only when asked";
    EXPECT_THAT(out.str(), Not(HasSubstr("\x01")));
}

TEST(Reports, TextReportColoursTheVerdictsOnATerminal) {
    std::ostringstream out;
    writeText(out, sampleReport(), true);
    EXPECT_THAT(out.str(), HasSubstr("\033[32mPASS \033[0m"));
    EXPECT_THAT(out.str(), HasSubstr("\033[31mFAIL \033[0m"));
}

TEST(Reports, TextReportSaysAnOverallErrorOnce) {
    CheckReport report = sampleReport();
    report.overallError = "127.0.0.1:1 cannot be checked: connection refused";
    for (CheckResult& result : report.results) {
        result.verdict = Verdict::error;
        result.message = report.overallError;
        result.transcript.clear();
    }
    std::ostringstream out;
    writeText(out, report);
    const std::string text = out.str();
    EXPECT_EQ(text.find(report.overallError), text.rfind(report.overallError)) << text;
    EXPECT_THAT(text, HasSubstr("\n" + report.overallError + "\n"));
    EXPECT_THAT(text, HasSubstr("5 checks: 0 pass, 0 fail, 0 warn, 0 skip, 5 error"));
}

TEST(Reports, JsonReportMatchesTheGoldenFileAndParses) {
    std::ostringstream out;
    writeJson(out, sampleReport());
    expectGolden("report.json", out.str());
    const auto root = Poco::JSON::Parser().parse(out.str()).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(root->getObject("totals")->getValue<int>("fail"), 1);
    EXPECT_EQ(root->getArray("checks")->size(), 5U);
    EXPECT_FALSE(root->getValue<bool>("passed"));
}

TEST(Reports, JunitReportMatchesTheGoldenFile) {
    std::ostringstream out;
    writeJunit(out, sampleReport());
    expectGolden("report.junit.xml", out.str());
    EXPECT_THAT(out.str(), HasSubstr(R"(<testsuite errors="1" failures="1" name="RFC 1939")"));
    EXPECT_THAT(out.str(), HasSubstr(R"(name="RFC 2449" skipped="1")"));
}

TEST(Reports, CatalogueTextMatchesTheGoldenFile) {
    std::ostringstream out;
    writeCatalogueText(out, sampleChecks());
    expectGolden("catalogue.txt", out.str());
}

TEST(Reports, CatalogueJsonHasEveryField) {
    std::ostringstream out;
    writeCatalogueJson(out, sampleChecks());
    expectGolden("catalogue.json", out.str());
    const auto root = Poco::JSON::Parser().parse(out.str()).extract<Poco::JSON::Object::Ptr>();
    const auto second = root->getArray("checks")->getObject(1);
    EXPECT_EQ(second->getValue<std::string>("requirement"), sampleChecks()[1].info.requirement);
    EXPECT_EQ(second->getArray("needs")->getElement<std::string>(1), "secondAccount");
}

TEST(Reports, CatalogueMarkdownMatchesTheGoldenFile) {
    std::ostringstream out;
    writeCatalogueMarkdown(out, sampleChecks());
    expectGolden("catalogue.md", out.str());
    EXPECT_THAT(out.str(), HasSubstr("MUST checks with a fault: 2 / 3"));
}

TEST(Reports, FaultCoverageCountsMustAndSecChecks) {
    const FaultCoverage coverage = faultCoverage(sampleChecks());
    EXPECT_EQ(coverage.withFault, 2U);
    EXPECT_EQ(coverage.total, 3U);
}

TEST(Reports, DocsChecksMdIsTheGeneratedCatalogue) {
    std::ostringstream out;
    writeCatalogueMarkdown(out, catalogue());
    const std::string path = std::string(POP3_DOCS_DIR) + "/checks.md";
    if (std::getenv("POP3_UPDATE_GOLDEN")) {
        Poco::FileOutputStream(path) << out.str();
        return;
    }
    const std::string current = Poco::File(path).exists() ? readFile(path) : std::string();
    EXPECT_TRUE(out.str() == current)
        << path << " is not the current catalogue; regenerate it with\n"
        << "  build/default/cli/pop3-conform list-checks --markdown > docs/checks.md";
}

} // namespace
} // namespace pop3::conformance
