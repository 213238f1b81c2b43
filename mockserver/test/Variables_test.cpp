#include "pop3/mock/Variables.h"

#include <Poco/RegularExpression.h>

#include <gtest/gtest.h>

namespace {

using pop3::mock::Variables;

TEST(ScenarioVariablesTest, FindsReferencesInOrder) {
    EXPECT_EQ((std::vector<std::string>{"a", "b_2", "a"}),
              Variables::references("x ${a} $ ${b_2}$${no} ${a}$"));
    EXPECT_TRUE(Variables::references("no variables, $5, $$").empty());
}

TEST(ScenarioVariablesTest, Expands) {
    const Variables::Values values{{"ts", "<1.2@host>"}, {"n", "3"}};
    EXPECT_EQ("APOP alice <1.2@host> 3", Variables::expand("APOP alice ${ts} ${n}", values));
    EXPECT_EQ("cost $5 and ${ts}", Variables::expand("cost $5 and $${ts}", values));
}

TEST(ScenarioVariablesTest, QuotesValuesForRegex) {
    const Variables::Values values{{"v", "a.b*c\\Ed"}};
    const std::string pattern = Variables::expand("^x ${v}$", values, true);
    Poco::RegularExpression re(pattern);
    EXPECT_TRUE(re.match("x a.b*c\\Ed"));
    EXPECT_FALSE(re.match("x aXbbbc\\Ed"));
}

TEST(ScenarioVariablesTest, RejectsMalformedReferences) {
    EXPECT_THROW(Variables::references("x ${open"), Variables::SyntaxError);
    EXPECT_THROW(Variables::references("${}"), Variables::SyntaxError);
    EXPECT_THROW(Variables::references("${1x}"), Variables::SyntaxError);
    try {
        Variables::references("abc ${a b}");
        FAIL();
    } catch (const Variables::SyntaxError& e) {
        EXPECT_EQ(4u, e.offset());
    }
}

TEST(ScenarioVariablesTest, UnknownVariableThrowsOutOfRange) {
    EXPECT_THROW(Variables::expand("${missing}", {}), std::out_of_range);
}

} // namespace
