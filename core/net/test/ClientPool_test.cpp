// pop3::ClientPool against pop3::Server on loopback: reuse, one session per mailbox, the size
// bound, waiting, keep-alive, broken sessions and closing.

#include "pop3/ClientPool.h"
#include "pop3/Errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "support/ServerFixture.h"

namespace pop3::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

static_assert(!std::is_copy_constructible_v<ClientPool::Lease>);
static_assert(std::is_nothrow_move_constructible_v<ClientPool::Lease>);

/// What the server saw of one user.
struct Tally {
    int logins = 0;
    int quits = 0;
    /// Sessions logged in and not yet ended by QUIT or a disconnect, now and at most.
    int open = 0;
    int maxOpen = 0;
};

class ClientPoolTest : public ServerFixture {
protected:
    void SetUp() override {
        ServerFixture::SetUp();
        mailbox.addUser("carol", "carol-pw");
        mailbox.addUser("dave", "dave-pw");
    }

    /// Starts the server with handlers that keep a Tally per user (a session counts as ended
    /// at QUIT, before the client sees +OK), then lets `configure` adjust it.
    void start(const std::function<void(Server&)>& configure = {}) {
        startServer([this, configure](Server& s) {
            s.onLogin = [this, login = s.onLogin](Session& session) {
                login(session);
                if (session.authenticated)
                    opened(session);
            };
            s.onQuit = [this, quit = s.onQuit](Session& session) {
                ended(session, true);
                quit(session);
            };
            s.onDisconnect = [this, disconnect = s.onDisconnect](Session& session) {
                ended(session, false);
                disconnect(session);
            };
            if (configure)
                configure(s);
        });
    }

    /// Sessions for the fixture's server: the mailbox is the user, its password "<user>-pw".
    ClientPool::Configure sessions() const {
        return [port = server->port()](Client& client, const std::string& user) {
            client.host = "127.0.0.1";
            client.port = port;
            client.username = user;
            client.password = user + "-pw";
            client.timeout = 5s;
        };
    }

    Tally tally(const std::string& user) {
        std::lock_guard<std::mutex> lock(_mutex);
        return _tallies[user];
    }

    int maxOpenTotal() {
        std::lock_guard<std::mutex> lock(_mutex);
        return _maxOpenTotal;
    }

private:
    void opened(const Session& session) {
        std::lock_guard<std::mutex> lock(_mutex);
        _live[&session] = session.username;
        Tally& tally = _tallies[session.username];
        ++tally.logins;
        tally.maxOpen = std::max(tally.maxOpen, ++tally.open);
        _maxOpenTotal = std::max(_maxOpenTotal, ++_openTotal);
    }

    void ended(const Session& session, bool quit) {
        std::lock_guard<std::mutex> lock(_mutex);
        const auto live = _live.find(&session);
        if (live == _live.end())
            return;
        Tally& tally = _tallies[live->second];
        if (quit)
            ++tally.quits;
        --tally.open;
        --_openTotal;
        _live.erase(live);
    }

    std::mutex _mutex;
    std::map<std::string, Tally> _tallies;
    std::map<const Session*, std::string> _live;
    int _openTotal = 0;
    int _maxOpenTotal = 0;
};

ClientPoolOptions withoutKeepAlive() {
    ClientPoolOptions options;
    options.keepAliveInterval = 0ms;
    return options;
}

TEST_F(ClientPoolTest, ReusesTheSessionOfAMailbox) {
    start();
    ClientPool pool(sessions());
    {
        ClientPool::Lease lease = pool.checkout("alice");
        EXPECT_EQ(lease.mailbox(), "alice");
        EXPECT_EQ(lease->count(), 2u);
        EXPECT_EQ(pool.idle(), 0u);
    }
    EXPECT_EQ(pool.size(), 1u);
    EXPECT_EQ(pool.idle(), 1u);
    {
        ClientPool::Lease lease = pool.checkout("alice");
        EXPECT_EQ(lease.client().count(), 2u);
    }
    EXPECT_EQ(tally("alice").logins, 1) << "one login for both checkouts";
    EXPECT_EQ(server->connections(), 1);
    const ClientPool::Statistics statistics = pool.statistics();
    EXPECT_EQ(statistics.created, 1u);
    EXPECT_EQ(statistics.reused, 1u);
    EXPECT_EQ(statistics.discarded, 0u);
    EXPECT_EQ(statistics.evicted, 0u);
}

TEST_F(ClientPoolTest, MovingALeaseMovesTheSession) {
    start();
    ClientPool pool(sessions());
    ClientPool::Lease first = pool.checkout("alice");
    ClientPool::Lease second = std::move(first);
    EXPECT_FALSE(first); // NOLINT(bugprone-use-after-move): a moved-from lease is empty
    EXPECT_THROW(first.client(), UsageError);
    EXPECT_EQ(second->count(), 2u);
    second = pool.checkout("bob"); // gives alice's session back
    EXPECT_EQ(pool.idle(), 1u);
    EXPECT_EQ(second.mailbox(), "bob");
    second.reset();
    EXPECT_FALSE(second);
    EXPECT_EQ(pool.idle(), 2u);
}

TEST_F(ClientPoolTest, OneSessionPerMailboxUnderConcurrency) {
    start();
    ClientPool pool(sessions());
    const std::vector<std::string> users = {"alice", "bob", "carol"};
    std::map<std::string, std::atomic<bool>> held;
    for (const std::string& user : users)
        held[user] = false;
    std::atomic<int> overlaps{0};
    std::atomic<int> failures{0};
    constexpr int kThreads = 8;
    constexpr int kRounds = 50;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < kRounds; ++round) {
                const std::string& user = users[static_cast<std::size_t>(t + round) % users.size()];
                try {
                    ClientPool::Lease lease = pool.checkout(user);
                    if (held.at(user).exchange(true))
                        ++overlaps;
                    lease->noop();
                    held.at(user) = false;
                } catch (const Error&) {
                    ++failures;
                }
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    EXPECT_EQ(overlaps, 0) << "a session was leased twice at once";
    EXPECT_EQ(failures, 0);
    for (const std::string& user : users) {
        EXPECT_EQ(tally(user).logins, 1) << user;
        EXPECT_EQ(tally(user).maxOpen, 1) << user;
    }
    EXPECT_EQ(pool.size(), 3u);
    const ClientPool::Statistics statistics = pool.statistics();
    EXPECT_EQ(statistics.created, 3u);
    EXPECT_EQ(statistics.reused, static_cast<std::uint64_t>(kThreads * kRounds - 3));
}

TEST_F(ClientPoolTest, FullPoolClosesTheLeastRecentlyUsedIdleSession) {
    start();
    ClientPoolOptions options;
    options.maxSessions = 2;
    ClientPool pool(sessions(), options);
    pool.checkout("alice").reset();
    pool.checkout("bob").reset();
    pool.checkout("alice").reset(); // bob is now the least recently used
    {
        ClientPool::Lease lease = pool.checkout("carol");
        EXPECT_EQ(lease->count(), 0u);
        EXPECT_EQ(pool.size(), 2u);
    }
    EXPECT_EQ(tally("bob").quits, 1) << "evicted with QUIT";
    EXPECT_EQ(tally("bob").open, 0);
    EXPECT_EQ(tally("alice").quits, 0);
    pool.checkout("alice").reset();
    EXPECT_EQ(tally("alice").logins, 1) << "alice was kept";
    EXPECT_EQ(pool.statistics().evicted, 1u);
    EXPECT_EQ(pool.size(), 2u);
}

TEST_F(ClientPoolTest, EvictionUnderConcurrencyKeepsTheBoundAndOneSessionPerMailbox) {
    start();
    ClientPoolOptions options;
    options.maxSessions = 2;
    ClientPool pool(sessions(), options);
    const std::vector<std::string> users = {"alice", "bob", "carol", "dave"};
    std::atomic<int> failures{0};
    std::atomic<std::size_t> largest{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 30; ++round) {
                const std::string& user =
                    users[static_cast<std::size_t>(t * 7 + round * 3) % users.size()];
                try {
                    ClientPool::Lease lease = pool.checkout(user);
                    lease->noop();
                    std::size_t size = pool.size();
                    std::size_t seen = largest;
                    while (size > seen && !largest.compare_exchange_weak(seen, size)) {
                    }
                } catch (const Error&) {
                    ++failures;
                }
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    EXPECT_EQ(failures, 0);
    EXPECT_LE(largest, 2u);
    EXPECT_LE(maxOpenTotal(), 2) << "the server never saw more than maxSessions logged in";
    for (const std::string& user : users)
        EXPECT_LE(tally(user).maxOpen, 1) << user;
    const ClientPool::Statistics statistics = pool.statistics();
    EXPECT_GT(statistics.evicted, 0u);
    EXPECT_EQ(statistics.created, statistics.evicted + pool.size());
    EXPECT_EQ(statistics.discarded, 0u);
}

TEST_F(ClientPoolTest, CheckoutWaitsForTheMailboxSessionThenTimesOut) {
    start();
    ClientPoolOptions options = withoutKeepAlive();
    options.checkoutTimeout = 300ms;
    ClientPool pool(sessions(), options);
    ClientPool::Lease lease = pool.checkout("alice");

    const auto before = std::chrono::steady_clock::now();
    try {
        pool.checkout("alice");
        FAIL() << "checkout while the session is leased";
    } catch (const TimeoutError& e) {
        EXPECT_THAT(e.what(), HasSubstr("'alice'"));
        EXPECT_THAT(e.what(), HasSubstr("still checked out after 300 ms"));
    }
    EXPECT_GE(std::chrono::steady_clock::now() - before, 300ms);

    std::thread giver([&] {
        std::this_thread::sleep_for(30ms);
        lease.reset();
    });
    ClientPool::Lease waited = pool.checkout("alice");
    giver.join();
    EXPECT_EQ(waited->count(), 2u);
    EXPECT_EQ(tally("alice").logins, 1) << "the waiter got the same session";
}

TEST_F(ClientPoolTest, FullPoolWaitsForASessionThenTimesOut) {
    start();
    ClientPoolOptions options = withoutKeepAlive();
    options.maxSessions = 1;
    options.checkoutTimeout = 300ms;
    ClientPool pool(sessions(), options);
    ClientPool::Lease lease = pool.checkout("alice");
    try {
        pool.checkout("bob");
        FAIL() << "checkout while every session is leased";
    } catch (const TimeoutError& e) {
        EXPECT_THAT(e.what(), HasSubstr("all 1 sessions are still checked out"));
        EXPECT_THAT(e.what(), HasSubstr("'bob'"));
    }
    std::thread giver([&] {
        std::this_thread::sleep_for(30ms);
        lease.reset();
    });
    ClientPool::Lease bob = pool.checkout("bob");
    giver.join();
    EXPECT_EQ(bob->count(), 0u);
    EXPECT_EQ(tally("alice").quits, 1) << "alice made room";
    EXPECT_EQ(pool.size(), 1u);
}

TEST_F(ClientPoolTest, KeepAliveOutlivesTheServersAutologout) {
    std::atomic<int> noops{0};
    start([&](Server& s) {
        s.options().idleTimeout = 200ms;
        s.onCommand = [&](Session&, const CommandContext& command) {
            if (command.line == "NOOP")
                ++noops;
            return CommandAction{};
        };
    });
    ClientPoolOptions options;
    options.keepAliveInterval = 40ms;
    ClientPool pool(sessions(), options);
    pool.checkout("alice").reset();
    std::this_thread::sleep_for(600ms); // three autologout periods
    EXPECT_GE(noops, 3);
    EXPECT_GE(pool.statistics().keepAlives, 3u);
    ClientPool::Lease lease = pool.checkout("alice");
    EXPECT_EQ(lease->count(), 2u);
    EXPECT_EQ(tally("alice").logins, 1) << "the session survived";
    EXPECT_EQ(pool.statistics().discarded, 0u);
}

TEST_F(ClientPoolTest, SessionFailingItsKeepAliveIsReplaced) {
    std::atomic<bool> dropNoop{true};
    start([&](Server& s) {
        s.onCommand = [&](Session&, const CommandContext& command) {
            CommandAction action;
            action.dropBeforeReply = command.line == "NOOP" && dropNoop.exchange(false);
            return action;
        };
    });
    ClientPoolOptions options;
    options.keepAliveInterval = 50ms;
    ClientPool pool(sessions(), options);
    pool.checkout("alice").reset();
    std::this_thread::sleep_for(80ms); // due for a NOOP: on checkout, or already in the background
    ClientPool::Lease lease = pool.checkout("alice");
    EXPECT_EQ(lease->count(), 2u);
    EXPECT_FALSE(dropNoop) << "the NOOP was sent";
    EXPECT_EQ(tally("alice").logins, 2);
    const ClientPool::Statistics statistics = pool.statistics();
    EXPECT_EQ(statistics.created, 2u);
    EXPECT_EQ(statistics.discarded, 1u);
}

TEST_F(ClientPoolTest, SessionTheServerClosedIsDiscardedOnReturn) {
    start([](Server& s) {
        s.onCommand = [](Session& session, const CommandContext& command) {
            if (command.line == "STAT")
                session.disconnect();
            return CommandAction{};
        };
    });
    ClientPool pool(sessions(), withoutKeepAlive());
    {
        ClientPool::Lease lease = pool.checkout("alice");
        lease->stat();
        EXPECT_THROW(lease->noop(), ConnectionError);
        EXPECT_FALSE(lease->connected());
    }
    EXPECT_EQ(pool.size(), 0u);
    EXPECT_EQ(pool.statistics().discarded, 1u);
    ClientPool::Lease fresh = pool.checkout("alice");
    EXPECT_NO_THROW(fresh->noop());
    EXPECT_EQ(tally("alice").logins, 2);
    EXPECT_EQ(pool.statistics().created, 2u);
}

TEST_F(ClientPoolTest, DiscardClosesWithoutQuit) {
    start();
    ClientPool pool(sessions(), withoutKeepAlive());
    ClientPool::Lease lease = pool.checkout("alice");
    EXPECT_TRUE(lease->remove(1));
    lease.discard();
    EXPECT_FALSE(lease);
    EXPECT_THROW(lease.client(), UsageError);
    EXPECT_EQ(pool.size(), 0u);
    EXPECT_EQ(pool.statistics().discarded, 1u);
    // The next session may find the server still holding the maildrop: [IN-USE] is retried.
    ClientPool::Lease fresh = pool.checkout("alice");
    EXPECT_EQ(fresh->count(), 2u) << "the mark was not applied";
    EXPECT_EQ(tally("alice").quits, 0);
    EXPECT_EQ(tally("alice").logins, 2);
}

TEST_F(ClientPoolTest, ConnectErrorsPropagateAndFreeTheSlot) {
    start();
    ClientPoolOptions options = withoutKeepAlive();
    options.maxSessions = 1;
    ClientPool pool(sessions(), options);
    try {
        pool.checkout("mallory");
        FAIL() << "unknown user";
    } catch (const ServerError& e) {
        EXPECT_EQ(e.code(), ServerError::Code::Auth);
    }
    EXPECT_EQ(pool.size(), 0u);
    EXPECT_EQ(pool.checkout("alice")->count(), 2u);
    EXPECT_THROW(ClientPool({}, options), UsageError);
    options.maxSessions = 0;
    EXPECT_THROW(ClientPool(sessions(), options), UsageError);
}

TEST_F(ClientPoolTest, MaxIdleClosesIdleSessionsWithQuit) {
    start();
    ClientPoolOptions options;
    options.keepAliveInterval = 30ms;
    options.maxIdle = 100ms;
    ClientPool pool(sessions(), options);
    pool.checkout("alice").reset();
    EXPECT_TRUE(eventually([&] { return pool.size() == 0; }));
    EXPECT_EQ(tally("alice").quits, 1);
    EXPECT_EQ(pool.statistics().evicted, 1u);
}

TEST_F(ClientPoolTest, DestructorQuitsIdleSessionsWhichAppliesDeletions) {
    start();
    {
        ClientPool pool(sessions());
        EXPECT_TRUE(pool.checkout("alice")->remove(1));
        pool.checkout("bob").reset();
    }
    EXPECT_EQ(tally("alice").quits, 1);
    EXPECT_EQ(tally("bob").quits, 1);
    EXPECT_EQ(mailbox.uids("alice"), std::vector<std::string>{"uid-2"});
}

TEST_F(ClientPoolTest, CloseQuitsLeasedSessionsWhenTheyComeBack) {
    start();
    ClientPoolOptions options;
    options.checkoutTimeout = 5s;
    ClientPool pool(sessions(), options);
    ClientPool::Lease held = pool.checkout("alice");
    pool.checkout("bob").reset();
    std::thread waiter([&] { EXPECT_THROW(pool.checkout("alice"), UsageError); });
    std::this_thread::sleep_for(30ms);
    pool.close();
    waiter.join();
    EXPECT_EQ(tally("bob").quits, 1);
    EXPECT_EQ(pool.size(), 1u);
    EXPECT_THROW(pool.checkout("carol"), UsageError);
    EXPECT_EQ(held->count(), 2u) << "a leased session stays usable";
    held.reset();
    EXPECT_EQ(tally("alice").quits, 1);
    EXPECT_EQ(pool.size(), 0u);
}

TEST_F(ClientPoolTest, ALeaseMayOutliveThePool) {
    start();
    ClientPool::Lease lease;
    {
        ClientPool pool(sessions());
        lease = pool.checkout("alice");
    }
    EXPECT_EQ(lease->count(), 2u);
    lease.reset();
    EXPECT_EQ(tally("alice").quits, 1);
}

} // namespace
} // namespace pop3::test
