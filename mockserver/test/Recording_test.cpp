#include "pop3/mock/Recording.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pop3::mock {
namespace {

RecordedLine received(std::uint64_t session, std::string line) {
    return {session, TraceDirection::received, std::move(line), std::chrono::system_clock::now()};
}

RecordedLine sent(std::uint64_t session, std::string line) {
    return {session, TraceDirection::sent, std::move(line), std::chrono::system_clock::now()};
}

TEST(RecordingTest, CommandsAreUpperCaseKeywordsOfReceivedLines) {
    Recording recording;
    recording.addLine(sent(1, "+OK ready"));
    recording.addLine(received(1, "user alice"));
    recording.addLine(sent(1, "+OK"));
    recording.addLine(received(1, "PASS ****"));
    recording.addLine(received(1, "Stat"));
    recording.addLine(received(1, "QUIT"));
    EXPECT_EQ(recording.commands(), (std::vector<std::string>{"USER", "PASS", "STAT", "QUIT"}));
}

TEST(RecordingTest, CommandsSkipSaslContinuationLines) {
    Recording recording;
    recording.addLine(received(1, "AUTH PLAIN"));
    recording.addLine(sent(1, "+ "));
    recording.addLine(received(1, "****"));
    recording.addLine(received(1, "AUTH CRAM-MD5 ****"));
    recording.addLine(received(1, "****"));
    recording.addLine(received(1, "QUIT"));
    EXPECT_EQ(recording.commands(), (std::vector<std::string>{"AUTH", "AUTH", "QUIT"}));
}

TEST(RecordingTest, CommandsSkipEmptyLines) {
    Recording recording;
    recording.addLine(received(1, ""));
    recording.addLine(received(1, "   "));
    recording.addLine(received(1, "NOOP"));
    EXPECT_EQ(recording.commands(), std::vector<std::string>{"NOOP"});
}

TEST(RecordingTest, CommandsKeepTheOrderAcrossSessions) {
    Recording recording;
    recording.addLine(received(1, "USER alice"));
    recording.addLine(received(2, "USER bob"));
    recording.addLine(received(1, "QUIT"));
    EXPECT_EQ(recording.commands(), (std::vector<std::string>{"USER", "USER", "QUIT"}));
    ASSERT_EQ(recording.lines().size(), 3u);
    EXPECT_EQ(recording.lines()[1].session, 2u);
}

TEST(RecordingTest, UpdateSessionCreatesThenUpdates) {
    Recording recording;
    recording.updateSession(7, [](RecordedSession& session) { session.user = "alice"; });
    recording.updateSession(3, [](RecordedSession& session) { session.quit = true; });
    recording.updateSession(7, [](RecordedSession& session) {
        session.loggedIn = true;
        session.deletedPositions.push_back(2);
    });
    const std::vector<RecordedSession> sessions = recording.sessions();
    ASSERT_EQ(sessions.size(), 2u);
    EXPECT_EQ(sessions[0].id, 7u);
    EXPECT_EQ(sessions[0].user, "alice");
    EXPECT_TRUE(sessions[0].loggedIn);
    EXPECT_EQ(sessions[0].deletedPositions, std::vector<std::uint64_t>{2});
    EXPECT_EQ(sessions[1].id, 3u);
    EXPECT_TRUE(sessions[1].quit);
}

TEST(RecordingTest, ClearForgetsEverything) {
    Recording recording;
    recording.addLine(received(1, "NOOP"));
    recording.updateSession(1, [](RecordedSession& session) { session.quit = true; });
    recording.clear();
    EXPECT_TRUE(recording.lines().empty());
    EXPECT_TRUE(recording.sessions().empty());
    EXPECT_TRUE(recording.commands().empty());
}

TEST(RecordingTest, RecordsFromManyThreads) {
    Recording recording;
    constexpr int kThreads = 8;
    constexpr int kLines = 500;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&recording, t] {
            const auto id = static_cast<std::uint64_t>(t + 1);
            for (int i = 0; i < kLines; ++i) {
                recording.addLine(received(id, "NOOP"));
                recording.updateSession(
                    id, [](RecordedSession& session) { session.deletedPositions.push_back(1); });
                if (i % 50 == 0)
                    (void)recording.commands();
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    EXPECT_EQ(recording.lines().size(), static_cast<std::size_t>(kThreads * kLines));
    const std::vector<RecordedSession> sessions = recording.sessions();
    ASSERT_EQ(sessions.size(), static_cast<std::size_t>(kThreads));
    for (const RecordedSession& session : sessions)
        EXPECT_EQ(session.deletedPositions.size(), static_cast<std::size_t>(kLines));
}

} // namespace
} // namespace pop3::mock
