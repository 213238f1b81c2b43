// The checker checks itself: every check passes against the embedded mock, and every check
// with a fault fails against the mock that carries it.
#include "pop3/conformance/CheckRunner.h"
#include "pop3/conformance/EmbeddedMock.h"

#include <gtest/gtest.h>

#include <cctype>
#include <sstream>

namespace pop3::conformance {
namespace {

std::string explain(const CheckResult& result) {
    std::ostringstream out;
    out << toString(result.verdict) << ": " << result.message;
    if (!result.expected.empty() || !result.actual.empty())
        out << "\n  expected: " << result.expected << "\n  actual:   " << result.actual;
    for (const std::string& line : result.transcript)
        out << "\n  " << line;
    return out.str();
}

TEST(SelfTest, EveryCheckPassesAgainstTheEmbeddedMock) {
    EmbeddedMock mock;
    std::vector<const Check*> all;
    for (const Check& check : catalogue())
        all.push_back(&check);
    const CheckReport report = runChecks(mock.target(), all);
    ASSERT_EQ(report.overallError, "");
    for (const CheckResult& result : report.results) {
        const bool slow = (result.check->info.needs & needsSlow) != 0;
        EXPECT_TRUE(result.verdict == Verdict::pass || (slow && result.verdict == Verdict::skip))
            << result.check->info.id << " " << explain(result);
    }
}

class CheckAgainstItsFault : public ::testing::TestWithParam<const Check*> {};

TEST_P(CheckAgainstItsFault, FailsWithTheFaultAndPassesWithout) {
    const SelfTestResult result = selfTest(*GetParam());
    if (result.correct) {
        EXPECT_EQ(result.correct->verdict, Verdict::pass) << explain(*result.correct);
    }
    EXPECT_EQ(result.faulty.verdict, Verdict::fail) << explain(result.faulty);
}

std::vector<const Check*> checksWithFaults() {
    std::vector<const Check*> checks;
    for (const Check& check : catalogue()) {
        if (!check.info.fault.empty())
            checks.push_back(&check);
    }
    return checks;
}

std::string testName(const ::testing::TestParamInfo<const Check*>& info) {
    std::string name = info.param->info.id;
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, CheckAgainstItsFault, ::testing::ValuesIn(checksWithFaults()),
                         testName);

TEST(SelfTest, EveryMustCheckHasAFault) {
    for (const Check& check : catalogue()) {
        if (check.info.level == Level::must) {
            EXPECT_FALSE(check.info.fault.empty()) << check.info.id << " has no fault";
        }
    }
}

} // namespace
} // namespace pop3::conformance
