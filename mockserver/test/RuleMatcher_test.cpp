#include "pop3/mock/RuleMatcher.h"
#include "pop3/mock/ScenarioLoader.h"

#include <gtest/gtest.h>

namespace {

using namespace pop3::mock;

std::vector<Rule> rules(const std::string& yaml) {
    return ScenarioLoader::loadString("mailboxes: [{user: alice, password: p}, {user: bob, "
                                      "password: p}]\nrules:\n" +
                                          yaml,
                                      "rules.yaml")
        .rules;
}

TEST(ScenarioRuleMatcherTest, FirstMatchingRuleActs) {
    const auto list = rules("  - {command: RETR, delay: 1}\n  - {command: '*', delay: 2}\n");
    RuleMatcher matcher(list);
    EXPECT_EQ(&list[0], matcher.onCommand("retr", "1", ""));
    EXPECT_EQ(&list[1], matcher.onCommand("NOOP", "", ""));
    EXPECT_EQ(&list[1], matcher.onCommand("XYZZY", "", "")); // unknown commands match "*"
}

TEST(ScenarioRuleMatcherTest, ArgumentsAreSearched) {
    const auto list = rules("  - {command: RETR, arguments: '^2$', delay: 1}\n"
                            "  - {command: PASS, arguments: 'secret', delay: 1}\n");
    RuleMatcher matcher(list);
    EXPECT_EQ(nullptr, matcher.onCommand("RETR", "1", ""));
    EXPECT_EQ(nullptr, matcher.onCommand("RETR", "22", ""));
    EXPECT_EQ(&list[0], matcher.onCommand("RETR", "2", ""));
    EXPECT_EQ(&list[1], matcher.onCommand("PASS", "my secret password", ""));
}

TEST(ScenarioRuleMatcherTest, UserRestricts) {
    const auto list = rules("  - {command: RETR, user: alice, delay: 1}\n");
    RuleMatcher matcher(list);
    EXPECT_EQ(nullptr, matcher.onCommand("RETR", "1", "bob"));
    EXPECT_EQ(&list[0], matcher.onCommand("RETR", "1", "alice"));
}

TEST(ScenarioRuleMatcherTest, OccurrenceCountsEveryMatchOfTheRule) {
    const auto list = rules("  - {command: PASS, occurrence: 2, reply: '-ERR'}\n"
                            "  - {command: PASS, delay: 1}\n");
    RuleMatcher matcher(list);
    EXPECT_EQ(&list[1], matcher.onCommand("PASS", "x", "alice"));
    EXPECT_EQ(&list[0], matcher.onCommand("PASS", "x", "alice"));
    EXPECT_EQ(&list[1], matcher.onCommand("PASS", "x", "alice"));
    // A new session counts from the start again.
    RuleMatcher next(list);
    EXPECT_EQ(&list[1], next.onCommand("PASS", "x", "alice"));
    EXPECT_EQ(&list[0], next.onCommand("PASS", "x", "alice"));
}

TEST(ScenarioRuleMatcherTest, LaterRulesCountEvenWhenAnEarlierOneActs) {
    const auto list = rules("  - {command: NOOP, occurrence: 1, delay: 1}\n"
                            "  - {command: NOOP, occurrence: 1, delay: 2}\n");
    RuleMatcher matcher(list);
    EXPECT_EQ(&list[0], matcher.onCommand("NOOP", "", ""));
    EXPECT_EQ(nullptr, matcher.onCommand("NOOP", "", ""));
}

TEST(ScenarioRuleMatcherTest, GreetingCountsConnections) {
    const auto list = rules("  - {command: greeting, occurrence: 2, drop: before}\n"
                            "  - {command: greeting, delay: 5}\n");
    RuleMatcher matcher(list);
    EXPECT_EQ(&list[1], matcher.onGreeting(1));
    EXPECT_EQ(&list[0], matcher.onGreeting(2));
    EXPECT_EQ(&list[1], matcher.onGreeting(3));
    EXPECT_EQ(nullptr, matcher.onCommand("NOOP", "", ""));
}

} // namespace
