#include "pop3/mock/ExpectationChecker.h"
#include "pop3/mock/ScenarioLoader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace pop3::mock {
namespace {

using ::testing::HasSubstr;

constexpr SourceLocation kAt{12, 3};

void command(Recording& recording, std::uint64_t session, const std::string& line) {
    recording.addLine({session, TraceDirection::received, line, std::chrono::system_clock::now()});
}

void session(Recording& recording, std::uint64_t id, const std::string& user, bool loggedIn,
             bool quit, bool plaintextPassword = false, std::vector<std::uint64_t> positions = {},
             std::vector<std::string> uids = {}) {
    recording.updateSession(id, [&](RecordedSession& s) {
        s.user = user;
        s.loggedIn = loggedIn;
        s.quit = quit;
        s.plaintextPassword = plaintextPassword;
        s.deletedPositions = positions;
        s.deletedUids = uids;
    });
}

std::vector<ExpectationResult> check(const Expectations& expectations, const Recording& recording) {
    return ExpectationChecker(expectations).check(recording);
}

Expectations at(Expectations expectations) {
    expectations.location = kAt;
    return expectations;
}

TEST(ExpectationCheckerTest, NothingToCheckGivesNoResults) {
    Recording recording;
    const auto results = check(Expectations{}, recording);
    EXPECT_TRUE(results.empty());
    EXPECT_TRUE(ExpectationChecker::allPassed(results));
}

TEST(ExpectationCheckerTest, CommandsInOrderPassesWithOthersBetween) {
    Recording recording;
    for (const char* line : {"USER alice", "PASS ****", "STAT", "LIST", "QUIT"})
        command(recording, 1, line);
    Expectations expectations;
    expectations.commandsInOrder = std::vector<std::string>{"USER", "STAT", "QUIT"};
    const auto results = check(at(expectations), recording);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].passed) << results[0].message;
    EXPECT_EQ(results[0].key, "commandsInOrder");
}

TEST(ExpectationCheckerTest, CommandsInOrderFailsSayingWhatWasSeen) {
    Recording recording;
    for (const char* line : {"USER alice", "PASS ****", "STAT"})
        command(recording, 1, line);
    Expectations expectations;
    expectations.commandsInOrder = std::vector<std::string>{"USER", "PASS", "QUIT"};
    const auto results = check(at(expectations), recording);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_FALSE(results[0].passed);
    EXPECT_EQ(results[0].message,
              "commandsInOrder: expected USER, PASS, QUIT; saw USER, PASS, STAT (no QUIT after "
              "PASS)");
    EXPECT_EQ(results[0].toString("s.yaml"),
              "s.yaml:12:3: commandsInOrder: expected USER, PASS, QUIT; saw USER, PASS, STAT "
              "(no QUIT after PASS)");
    EXPECT_FALSE(ExpectationChecker::allPassed(results));
}

TEST(ExpectationCheckerTest, CommandsInOrderFailsOnWrongOrder) {
    Recording recording;
    command(recording, 1, "QUIT");
    command(recording, 1, "USER alice");
    Expectations expectations;
    expectations.commandsInOrder = std::vector<std::string>{"USER", "QUIT"};
    const auto results = check(expectations, recording);
    EXPECT_FALSE(results[0].passed);
    EXPECT_THAT(results[0].message, HasSubstr("saw QUIT, USER (no QUIT after USER)"));
}

TEST(ExpectationCheckerTest, CommandsInOrderOnAnEmptyRecording) {
    Recording recording;
    Expectations expectations;
    expectations.commandsInOrder = std::vector<std::string>{"CAPA"};
    const auto results = check(expectations, recording);
    EXPECT_FALSE(results[0].passed);
    EXPECT_EQ(results[0].message, "commandsInOrder: expected CAPA; saw no commands (no CAPA)");
}

TEST(ExpectationCheckerTest, CommandsInOrderSummarisesLongHistories) {
    Recording recording;
    for (int i = 0; i < 100; ++i)
        command(recording, 1, "NOOP");
    Expectations expectations;
    expectations.commandsInOrder = std::vector<std::string>{"QUIT"};
    const auto results = check(expectations, recording);
    EXPECT_FALSE(results[0].passed);
    EXPECT_THAT(results[0].message, HasSubstr("... (60 more)"));
}

TEST(ExpectationCheckerTest, NoPlaintextPasswordPassesAndFails) {
    Expectations expectations;
    expectations.noPlaintextPassword = true;
    Recording clean;
    session(clean, 1, "alice", true, true);
    EXPECT_TRUE(check(expectations, clean)[0].passed);

    Recording leaked;
    session(leaked, 1, "alice", true, true);
    session(leaked, 2, "alice", true, true, true);
    const auto results = check(at(expectations), leaked);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_FALSE(results[0].passed);
    EXPECT_EQ(results[0].location.line, 12);
    EXPECT_EQ(results[0].message, "noPlaintextPassword: expected no password in plaintext; "
                                  "session 2 (alice) sent one before TLS");
}

TEST(ExpectationCheckerTest, NoPlaintextPasswordFalseWantsOne) {
    Expectations expectations;
    expectations.noPlaintextPassword = false;
    Recording leaked;
    session(leaked, 1, "alice", true, true, true);
    EXPECT_TRUE(check(expectations, leaked)[0].passed);

    Recording clean;
    session(clean, 1, "alice", true, true);
    const auto results = check(expectations, clean);
    EXPECT_FALSE(results[0].passed);
    EXPECT_THAT(results[0].message, HasSubstr("no session sent one (1 session)"));
}

TEST(ExpectationCheckerTest, QuitSentTrueNeedsEverySession) {
    Expectations expectations;
    expectations.quitSent = true;
    Recording all;
    session(all, 1, "alice", true, true);
    session(all, 2, "", false, true);
    EXPECT_TRUE(check(expectations, all)[0].passed);

    Recording some;
    session(some, 1, "alice", true, true);
    session(some, 2, "bob", true, false);
    session(some, 3, "", false, false);
    const auto results = check(expectations, some);
    EXPECT_FALSE(results[0].passed);
    EXPECT_EQ(results[0].message, "quitSent: expected every session to end with QUIT; sessions "
                                  "2 (bob), 3 did not (3 sessions)");
}

TEST(ExpectationCheckerTest, QuitSentTrueFailsWithoutSessions) {
    Expectations expectations;
    expectations.quitSent = true;
    Recording recording;
    const auto results = check(expectations, recording);
    EXPECT_FALSE(results[0].passed);
    EXPECT_THAT(results[0].message, HasSubstr("no session was recorded"));
}

TEST(ExpectationCheckerTest, QuitSentFalseNeedsNone) {
    Expectations expectations;
    expectations.quitSent = false;
    Recording none;
    session(none, 1, "alice", true, false);
    EXPECT_TRUE(check(expectations, none)[0].passed);

    Recording one;
    session(one, 1, "alice", true, false);
    session(one, 2, "alice", true, true);
    const auto results = check(expectations, one);
    EXPECT_FALSE(results[0].passed);
    EXPECT_EQ(results[0].message, "quitSent: expected no QUIT; session 2 (alice) sent QUIT");
}

TEST(ExpectationCheckerTest, DeletedMatchesPositionsAndUidsExactly) {
    Expectations expectations;
    expectations.deleted = std::vector<DeletedExpectation>{
        {"alice", {std::uint64_t{1}, std::string("msg-3")}, {20, 5}}};
    Recording recording;
    session(recording, 1, "alice", true, true, false, {1, 3}, {"msg-1", "msg-3"});
    session(recording, 2, "bob", true, true, false, {2}, {"msg-2"});
    const auto results = check(expectations, recording);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].passed) << results[0].message;
    EXPECT_EQ(results[0].message, "deleted: alice: 1 (msg-1), 3 (msg-3)");
}

TEST(ExpectationCheckerTest, DeletedCountsEverySessionOfTheUser) {
    Expectations expectations;
    expectations.deleted =
        std::vector<DeletedExpectation>{{"alice", {std::uint64_t{1}, std::uint64_t{2}}, {20, 5}}};
    Recording recording;
    session(recording, 1, "alice", true, true, false, {1}, {"a"});
    session(recording, 2, "alice", true, true, false, {2}, {"b"});
    EXPECT_TRUE(check(expectations, recording)[0].passed);
}

TEST(ExpectationCheckerTest, DeletedFailsOnMissingAndExtraMessages) {
    Expectations expectations;
    expectations.deleted = std::vector<DeletedExpectation>{
        {"alice", {std::uint64_t{1}, std::string("keep-me")}, {20, 5}}};
    Recording recording;
    session(recording, 1, "alice", true, true, false, {1, 2}, {"msg-1", "msg-2"});
    const auto results = check(at(expectations), recording);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_FALSE(results[0].passed);
    EXPECT_EQ(results[0].location.line, 20);
    EXPECT_EQ(results[0].location.column, 5);
    EXPECT_EQ(results[0].message,
              "deleted: expected alice's deleted messages to be 1, \"keep-me\"; saw 1 (msg-1), "
              "2 (msg-2) (\"keep-me\" not deleted; 2 (msg-2) deleted but not listed)");
    EXPECT_EQ(results[0].toString("s.yaml").rfind("s.yaml:20:5: deleted:", 0), 0u);
}

TEST(ExpectationCheckerTest, DeletedNothingExpected) {
    Expectations expectations;
    expectations.deleted =
        std::vector<DeletedExpectation>{{"alice", {}, {20, 5}}, {"bob", {}, {21, 5}}};
    Recording recording;
    session(recording, 1, "alice", true, true);
    session(recording, 2, "bob", true, true, false, {1}, {"msg-1"});
    const auto results = check(expectations, recording);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0].passed);
    EXPECT_EQ(results[0].message, "deleted: alice: none");
    EXPECT_FALSE(results[1].passed);
    EXPECT_EQ(results[1].message, "deleted: expected bob's deleted messages to be none; saw "
                                  "1 (msg-1) (1 (msg-1) deleted but not listed)");
}

TEST(ExpectationCheckerTest, LoggedInPassesAndFails) {
    Expectations expectations;
    expectations.loggedIn = std::vector<std::string>{"alice", "bob"};
    Recording both;
    session(both, 1, "alice", true, true);
    session(both, 2, "bob", true, true);
    session(both, 3, "carol", false, true);
    EXPECT_TRUE(check(expectations, both)[0].passed);

    Recording one;
    session(one, 1, "alice", true, true);
    session(one, 2, "bob", false, true);
    const auto results = check(expectations, one);
    EXPECT_FALSE(results[0].passed);
    EXPECT_EQ(results[0].message,
              "loggedIn: expected alice, bob to log in; bob did not (logged in: alice)");

    Recording nobody;
    EXPECT_THAT(check(expectations, nobody)[0].message, HasSubstr("(logged in: nobody)"));
}

TEST(ExpectationCheckerTest, ChecksAScenarioInDocumentedOrder) {
    const Scenario scenario = ScenarioLoader::loadString(R"(mailboxes:
  - user: alice
    password: wonderland
    messages:
      - generate: 3
expectations:
  commandsInOrder: [USER, PASS, QUIT]
  noPlaintextPassword: false
  quitSent: true
  deleted:
    alice: [1, "msg-3"]
  loggedIn: [alice]
)",
                                                         "expect.yaml");
    Recording recording;
    for (const char* line : {"USER alice", "PASS ****", "DELE 1", "DELE 3", "QUIT"})
        command(recording, 1, line);
    session(recording, 1, "alice", true, true, true, {1, 3}, {"msg-1", "msg-3"});
    const auto results = ExpectationChecker(scenario.expectations).check(recording);
    ASSERT_EQ(results.size(), 5u);
    EXPECT_EQ(results[0].key, "commandsInOrder");
    EXPECT_EQ(results[1].key, "noPlaintextPassword");
    EXPECT_EQ(results[2].key, "quitSent");
    EXPECT_EQ(results[3].key, "deleted");
    EXPECT_EQ(results[4].key, "loggedIn");
    for (const ExpectationResult& result : results)
        EXPECT_TRUE(result.passed) << result.toString(scenario.sourceFile);
    EXPECT_EQ(results[3].location.line, 11);
}

} // namespace
} // namespace pop3::mock
