// The events engine against a loopback pop3::Server: exact unit and command counts, pool
// sessions, and each class of error it must count without hanging.

#include "pop3/Server.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "Engine.h"
#include "support/TestMailbox.h"

namespace pop3::load {
namespace {

using namespace std::chrono_literals;

/// What one run of the engine produced.
struct RunResult {
    LoadTotals totals;
    std::uint64_t integrityChecks = 0;
    std::uint64_t integrityMismatches = 0;
    std::chrono::milliseconds elapsed{0};

    std::uint64_t steps(const std::string& step) const {
        const auto found = totals.latency.find(step);
        return found == totals.latency.end() ? 0 : found->second.count();
    }
    std::uint64_t errors(ErrorClass error) const {
        const auto found = totals.errors.find(error);
        return found == totals.errors.end() ? 0 : found->second;
    }
};

std::string messageOf(std::size_t octets, unsigned number) {
    std::string text = "Subject: message " + std::to_string(number) + "\r\n\r\n";
    while (text.size() < octets)
        text += "The quick brown fox jumps over the lazy dog, message " + std::to_string(number) +
                ".\r\n";
    return text;
}

/// A port nothing listens on.
std::uint16_t closedPort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(fd, reinterpret_cast<sockaddr*>(&address), length);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
}

class EventEngineTest : public ::testing::Test {
protected:
    void TearDown() override {
        if (server)
            server->stop();
    }

    /// Accounts user1..userN (password pwN) with `messages` messages of `octets` each.
    void addAccounts(unsigned accounts, unsigned messages, std::size_t octets = 1024) {
        for (unsigned n = 1; n <= accounts; ++n) {
            const std::string user = "user" + std::to_string(n);
            mailbox.addUser(user, "pw" + std::to_string(n));
            for (unsigned m = 1; m <= messages; ++m)
                mailbox.addMessage(user, "uid-" + std::to_string(n) + "-" + std::to_string(m),
                                   messageOf(octets, m));
        }
    }

    /// A plaintext server on 127.0.0.1 with a free port, serving `mailbox`.
    Server& startServer(const std::function<void(Server&)>& configure = {},
                        int maxConnections = 32) {
        server = std::make_unique<Server>(false, false, 0, maxConnections, maxConnections);
        server->options().address = "127.0.0.1";
        mailbox.attach(*server);
        if (configure)
            configure(*server);
        server->start();
        return *server;
    }

    LoadSettings settingsFor(std::uint16_t port, unsigned connections, std::uint64_t units) {
        LoadSettings settings;
        settings.engine = Engine::events;
        settings.target.host = "127.0.0.1";
        settings.target.port = port;
        settings.target.userPattern = "user{n}";
        settings.target.password = "pw{n}";
        settings.target.timeout = 5s;
        settings.connections = connections;
        settings.units = units;
        return settings;
    }

    /// Runs the engine; stops it (and fails) when it has not returned within 10 s, and calls
    /// `during` with its RunControl while it runs.
    static RunResult run(const LoadSettings& settings,
                         const std::function<void(RunControl&)>& during = {}) {
        LoadStats stats;
        IntegrityLedger ledger;
        MailboxCatalog catalog(settings.accountCount());
        RunControl control(settings.units);
        EngineContext context{settings, stats, ledger, catalog, control};
        const auto start = std::chrono::steady_clock::now();
        auto engine = std::async(std::launch::async, [&] { runEventEngine(context); });
        if (during)
            during(control);
        if (engine.wait_for(10s) != std::future_status::ready) {
            ADD_FAILURE() << "the engine did not return";
            control.stop();
        }
        engine.get();
        RunResult result;
        result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        result.totals = stats.take();
        result.integrityChecks = ledger.checks();
        result.integrityMismatches = ledger.mismatches();
        return result;
    }

    test::TestMailbox mailbox;
    std::unique_ptr<Server> server;
};

TEST_F(EventEngineTest, ReconnectModeRunsExactlyTheUnitsAsked) {
    addAccounts(4, 3);
    startServer();
    LoadSettings settings = settingsFor(server->port(), 4, 40);
    settings.mix = OperationMix::parse("stat=1,list=1,uidl=1,retr=1,top=1,dele=1,noop=1");
    settings.operationsPerUnit = 3;
    const RunResult result = run(settings);

    EXPECT_EQ(result.totals.errorCount(), 0u);
    EXPECT_EQ(result.totals.logins, 40u);
    EXPECT_EQ(result.totals.sessions, 40u);
    EXPECT_EQ(result.totals.operations, 120u);
    EXPECT_EQ(result.steps("login"), 40u);
    EXPECT_EQ(result.steps("quit"), 40u);
    // STAT once per session and UIDL once per account (the catalog then knows it), besides
    // the operations of the same name.
    const std::uint64_t operationSteps =
        result.steps("stat") - 40 + result.steps("uidl") - 4 + result.steps("list") +
        result.steps("retr") + result.steps("top") + result.steps("dele") + result.steps("noop");
    EXPECT_EQ(operationSteps, 120u);
    // CAPA USER PASS STAT QUIT per session, the listings, and DELE+RSET counting twice.
    EXPECT_EQ(result.totals.commands, 40u * 5 + 4 + 120 + result.steps("dele"));
    EXPECT_EQ(result.integrityChecks, result.steps("retr"));
    EXPECT_EQ(result.integrityMismatches, 0u);
    EXPECT_EQ(mailbox.quits(), 40);
    EXPECT_EQ(mailbox.uids("user1").size(), 3u) << "DELE is always undone by RSET";
}

TEST_F(EventEngineTest, PoolModeLogsInOncePerConnection) {
    addAccounts(3, 5);
    startServer();
    LoadSettings settings = settingsFor(server->port(), 3, 30);
    settings.mode = SessionMode::pool;
    settings.operationsPerUnit = 2;
    const RunResult result = run(settings);

    EXPECT_EQ(result.totals.errorCount(), 0u);
    EXPECT_EQ(result.totals.logins, 3u);
    EXPECT_EQ(result.steps("login"), 3u);
    EXPECT_EQ(result.totals.operations, 60u);
    EXPECT_EQ(result.totals.sessions, 3u) << "every pooled session ends with QUIT";
    EXPECT_EQ(result.steps("quit"), 3u);
    EXPECT_EQ(mailbox.quits(), 3);
}

TEST_F(EventEngineTest, MatchesTheThreadEngineStepForStep) {
    addAccounts(1, 4);
    startServer();
    LoadSettings settings = settingsFor(server->port(), 1, 20);
    settings.mix = OperationMix::parse("stat=1,list=1,uidl=1,retr=2,top=1,dele=1,noop=1");
    settings.operationsPerUnit = 3;
    settings.seed = 7;
    const RunResult events = run(settings);

    LoadStats stats;
    IntegrityLedger ledger;
    MailboxCatalog catalog(settings.accountCount());
    RunControl control(settings.units);
    EngineContext context{settings, stats, ledger, catalog, control};
    runThreadEngine(context);
    const LoadTotals threads = stats.take();

    EXPECT_EQ(events.totals.commands, threads.commands);
    EXPECT_EQ(events.totals.bodyOctets, threads.bodyOctets);
    ASSERT_EQ(events.totals.latency.size(), threads.latency.size());
    for (const auto& [step, histogram] : threads.latency)
        EXPECT_EQ(events.steps(step), histogram.count()) << step;
}

TEST_F(EventEngineTest, WrongPasswordCountsAuthErrors) {
    addAccounts(2, 1);
    startServer();
    LoadSettings settings = settingsFor(server->port(), 2, 10);
    settings.target.password = "wrong";
    const RunResult result = run(settings);

    EXPECT_EQ(result.errors(ErrorClass::auth), 10u);
    EXPECT_EQ(result.totals.errorCount(), 10u);
    EXPECT_EQ(result.totals.logins, 0u);
    EXPECT_EQ(result.totals.sessions, 0u);
}

TEST_F(EventEngineTest, ChangedMessageCountsAnIntegrityError) {
    addAccounts(1, 1);
    std::atomic<int> retrievals{0};
    startServer([&](Server& s) {
        s.onRetrieve = [&](Session& session) {
            session.item.msg =
                retrievals++ == 0 ? "Subject: a\r\n\r\nfirst\r\n" : "Subject: a\r\n\r\nsecond\r\n";
        };
    });
    LoadSettings settings = settingsFor(server->port(), 1, 1);
    settings.mix = OperationMix::parse("retr=1");
    settings.operationsPerUnit = 2;
    const RunResult result = run(settings);

    EXPECT_EQ(result.errors(ErrorClass::integrity), 1u);
    EXPECT_EQ(result.integrityMismatches, 1u);
    EXPECT_EQ(result.steps("retr"), 2u);
    EXPECT_EQ(result.totals.sessions, 1u) << "the session goes on after a mismatch";
}

TEST_F(EventEngineTest, StoppedPortCountsConnectErrorsWithAPause) {
    LoadSettings settings = settingsFor(closedPort(), 2, 6);
    const RunResult result = run(settings);

    EXPECT_EQ(result.errors(ErrorClass::connect), 6u);
    EXPECT_EQ(result.totals.errorCount(), 6u);
    // Each connection waits 10 ms after each of its three failures.
    EXPECT_GE(result.elapsed, 20ms);
    EXPECT_LT(result.elapsed, 3s);
}

TEST_F(EventEngineTest, ConnectionLimitCountsRefusals) {
    addAccounts(6, 1);
    startServer({}, 2);
    LoadSettings settings = settingsFor(server->port(), 6, 60);
    const RunResult result = run(settings);

    EXPECT_GT(result.errors(ErrorClass::refused), 0u);
    EXPECT_EQ(result.errors(ErrorClass::refused), result.totals.errorCount());
    EXPECT_EQ(result.totals.sessions + result.errors(ErrorClass::refused), 60u);
}

TEST_F(EventEngineTest, SharedMailboxCountsInUseRefusals) {
    addAccounts(1, 2);
    startServer([](Server& s) { s.options().exclusiveMailboxLock = true; });
    LoadSettings settings = settingsFor(server->port(), 4, 40);
    settings.target.userPattern = "user1";
    settings.target.password = "pw1";
    const RunResult result = run(settings);

    // Four connections logging in to one mailbox at once collide.
    EXPECT_GT(result.errors(ErrorClass::inUse), 0u);
    EXPECT_EQ(result.errors(ErrorClass::inUse), result.totals.errorCount());
    EXPECT_EQ(result.totals.sessions + result.errors(ErrorClass::inUse), 40u);
}

TEST_F(EventEngineTest, SilentServerCountsTimeouts) {
    addAccounts(1, 1);
    startServer([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) {
            CommandAction action;
            action.stall = context.line.rfind("STAT", 0) == 0;
            return action;
        };
    });
    LoadSettings settings = settingsFor(server->port(), 1, 2);
    settings.target.timeout = 200ms;
    const RunResult result = run(settings);

    EXPECT_EQ(result.errors(ErrorClass::timeout), 2u);
    EXPECT_EQ(result.totals.logins, 2u);
    EXPECT_GE(result.elapsed, 400ms);
}

TEST_F(EventEngineTest, ServerClosingMidSessionCountsClosed) {
    addAccounts(1, 1);
    startServer([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) {
            CommandAction action;
            action.dropBeforeReply = context.line.rfind("RETR", 0) == 0;
            return action;
        };
    });
    LoadSettings settings = settingsFor(server->port(), 1, 3);
    settings.mix = OperationMix::parse("retr=1");
    const RunResult result = run(settings);

    EXPECT_EQ(result.errors(ErrorClass::closed), 3u);
    EXPECT_EQ(result.totals.errorCount(), 3u);
    EXPECT_EQ(result.totals.sessions, 0u);
}

TEST_F(EventEngineTest, EmptyMailboxEndsTheSession) {
    addAccounts(1, 0);
    startServer();
    LoadSettings settings = settingsFor(server->port(), 1, 3);
    settings.mix = OperationMix::parse("retr=1");
    const RunResult result = run(settings);

    EXPECT_EQ(result.errors(ErrorClass::emptyMailbox), 3u);
    EXPECT_EQ(result.totals.errorCount(), 3u);
    EXPECT_EQ(result.totals.sessions, 3u);
    EXPECT_EQ(result.totals.operations, 0u);
}

TEST_F(EventEngineTest, StopEndsAnUnlimitedPoolRun) {
    addAccounts(2, 2);
    startServer();
    LoadSettings settings = settingsFor(server->port(), 2, 1);
    settings.units.reset();
    settings.mode = SessionMode::pool;
    const RunResult result = run(settings, [](RunControl& control) {
        std::this_thread::sleep_for(200ms);
        control.stop();
    });

    EXPECT_EQ(result.totals.errorCount(), 0u);
    EXPECT_EQ(result.totals.logins, 2u);
    EXPECT_EQ(result.totals.sessions, 2u);
    EXPECT_GT(result.totals.operations, 0u);
    EXPECT_LT(result.elapsed, 2s);
}

} // namespace
} // namespace pop3::load
