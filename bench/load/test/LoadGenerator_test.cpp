#include "pop3/load/LoadGenerator.h"
#include "pop3/load/LoadReportFormat.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

#include "support/ServerFixture.h"

namespace pop3::load {
namespace {

constexpr unsigned kAccounts = 4;
constexpr unsigned kMessagesPerAccount = 3;

/// A loopback pop3::Server with accounts load1..load4 (password "pw-N"), three messages of
/// about 4 KB each, run through both engines.
class LoadRun : public test::ServerFixture, public ::testing::WithParamInterface<Engine> {
protected:
    void SetUp() override {
        test::ServerFixture::SetUp();
        for (unsigned n = 1; n <= kAccounts; ++n) {
            const std::string user = "load" + std::to_string(n);
            mailbox.addUser(user, "pw-" + std::to_string(n));
            for (unsigned m = 1; m <= kMessagesPerAccount; ++m)
                mailbox.addMessage(user, "m" + std::to_string(m), message(m));
        }
    }

    static std::string message(unsigned number) {
        std::string text = "Subject: load " + std::to_string(number) + "\r\n\r\n";
        while (text.size() < 4096)
            text += ".line of message " + std::to_string(number) + "\r\n";
        return text;
    }

    LoadSettings settings(unsigned connections) {
        LoadSettings s;
        s.engine = GetParam();
        s.target.host = "127.0.0.1";
        s.target.port = server->port();
        s.target.userPattern = "load{n}";
        s.target.password = "pw-{n}";
        s.target.timeout = std::chrono::seconds(5);
        s.connections = connections;
        s.duration = std::chrono::seconds(30);
        s.mix = OperationMix::parse("retr=100");
        return s;
    }
};

TEST_P(LoadRun, ReconnectDoesExactlyTheSessionsAskedForAndChecksEveryRetr) {
    startServer();
    LoadSettings s = settings(kAccounts);
    s.units = 40;
    const LoadReport report = runLoad(s);
    const LoadTotals& t = report.totals;
    EXPECT_EQ(t.errorCount(), 0u);
    EXPECT_EQ(t.logins, 40u);
    EXPECT_EQ(t.sessions, 40u);
    EXPECT_EQ(t.operations, 40u);
    EXPECT_EQ(t.latency.at("login").count(), 40u);
    EXPECT_EQ(t.latency.at("stat").count(), 40u);
    EXPECT_EQ(t.latency.at("retr").count(), 40u);
    EXPECT_EQ(t.latency.at("quit").count(), 40u);
    // UIDL only when an account's listing is first learnt.
    EXPECT_EQ(t.latency.at("uidl").count(), kAccounts);
    // CAPA, USER, PASS, STAT, RETR, QUIT per session, plus the UIDLs.
    EXPECT_EQ(t.commands, 40u * 6 + kAccounts);
    EXPECT_GE(t.bodyOctets, 40u * 4096);
    EXPECT_EQ(report.integrityChecks, 40u);
    EXPECT_EQ(report.integrityMismatches, 0u);
    EXPECT_LE(report.integrityMessages, kAccounts * kMessagesPerAccount);
    EXPECT_EQ(mailbox.uids("load1").size(), kMessagesPerAccount);
}

TEST_P(LoadRun, PoolLogsInOncePerAccount) {
    startServer();
    LoadSettings s = settings(kAccounts);
    s.mode = SessionMode::pool;
    s.mix = OperationMix::parse("noop=1,stat=1,dele=1");
    s.units = 200;
    const LoadReport report = runLoad(s);
    EXPECT_EQ(report.totals.errorCount(), 0u);
    EXPECT_EQ(report.totals.logins, kAccounts);
    EXPECT_EQ(report.totals.operations, 200u);
    // DELE is followed by RSET, so the run removes nothing.
    for (unsigned n = 1; n <= kAccounts; ++n)
        EXPECT_EQ(mailbox.uids("load" + std::to_string(n)).size(), kMessagesPerAccount);
}

TEST_P(LoadRun, ARetrThatChangesBytesIsAnIntegrityError) {
    std::atomic<int> retrievals{0};
    startServer([&](Server& s) {
        Server::Handler original = s.onRetrieve;
        s.onRetrieve = [original, &retrievals](Session& session) {
            original(session);
            if (++retrievals % 2 == 0)
                session.item.msg[session.item.msg.find("line")] = 'L'; // same size, other octets
        };
    });
    LoadSettings s = settings(1);
    s.target.userPattern = "load1";
    s.target.password = "pw-1";
    s.units = 30;
    const LoadReport report = runLoad(s);
    EXPECT_GT(report.integrityMismatches, 0u);
    EXPECT_EQ(report.totals.errors.at(ErrorClass::integrity), report.integrityMismatches);
}

TEST_P(LoadRun, WrongPasswordsAreAuthErrors) {
    startServer();
    LoadSettings s = settings(2);
    s.target.password = "wrong";
    s.units = 6;
    const LoadReport report = runLoad(s);
    EXPECT_EQ(report.totals.errors.at(ErrorClass::auth), 6u);
    EXPECT_EQ(report.totals.logins, 0u);
}

TEST_P(LoadRun, AServerThatIsGoneGivesConnectErrorsUntilTheDeadline) {
    startServer();
    LoadSettings s = settings(2);
    server->stop();
    s.duration = std::chrono::milliseconds(300);
    const auto start = std::chrono::steady_clock::now();
    const LoadReport report = runLoad(s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_GT(report.totals.errors.at(ErrorClass::connect), 0u);
    EXPECT_EQ(report.totals.logins, 0u);
}

TEST_P(LoadRun, IdleConnectionsStayOpenDuringTheRun) {
    startServer({}, 32);
    LoadSettings s = settings(2);
    s.idleConnections = 20;
    s.units = 10;
    const LoadReport report = runLoad(s);
    EXPECT_EQ(report.idleOpened, 20u);
    EXPECT_EQ(report.idleOpenAtEnd, 20u);
    EXPECT_EQ(report.totals.sessions, 10u);
}

TEST_P(LoadRun, ADurationRunReportsEverySecondAndAJsonReport) {
    startServer();
    LoadSettings s = settings(2);
    s.duration = std::chrono::milliseconds(1500);
    std::vector<unsigned> seconds;
    const LoadReport report =
        runLoad(s, [&](const ProgressTick& tick) { seconds.push_back(tick.second); });
    EXPECT_EQ(seconds, std::vector<unsigned>({1})); // the last half second only in totals
    EXPECT_GE(report.elapsedSeconds(), 1.5);
    EXPECT_GT(report.totals.sessions, 0u);

    std::ostringstream json;
    writeJson(json, report);
    const auto parsed = Poco::JSON::Parser().parse(json.str()).extract<Poco::JSON::Object::Ptr>();
    EXPECT_GT(parsed->getObject("rates")->getValue<double>("sessions_per_s"), 0.0);
    EXPECT_EQ(parsed->getObject("latency")->getObject("retr")->getValue<std::uint64_t>("count"),
              report.totals.latency.at("retr").count());
    EXPECT_GT(parsed->getObject("latency")->getObject("retr")->getValue<double>("p99_ms"), 0.0);
    EXPECT_EQ(parsed->getArray("per_second")->size(), report.seconds.size());
    EXPECT_EQ(parsed->getObject("settings")->getValue<std::string>("engine"),
              std::string(toString(GetParam())));

    std::ostringstream text;
    writeText(text, report);
    EXPECT_NE(text.str().find("sessions "), std::string::npos);
    EXPECT_NE(text.str().find("retr"), std::string::npos);
    EXPECT_NE(text.str().find("0 mismatches"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Engines, LoadRun, ::testing::Values(Engine::threads, Engine::events),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                             return std::string(toString(info.param));
                         });

} // namespace
} // namespace pop3::load
