#include "pop3/ClientPool.h"
#include "pop3/Errors.h"

#include <future>
#include <random>
#include <thread>

#include "Engine.h"

namespace pop3::load {

namespace {

using Clock = std::chrono::steady_clock;

/// Commands Client::connect() sends after the greeting with these settings.
unsigned loginCommands(const LoadTarget& target) {
    unsigned commands = 1; // CAPA
    if (target.startTls)
        commands += 2; // STLS, CAPA again
    commands += target.authMode == AuthMode::apop ? 1 : 2;
    return commands;
}

/// One connection's worker: its account, its random choices, and the step it is at (to
/// classify errors).
class Worker {
public:
    Worker(EngineContext& context, unsigned index)
        : _context(context), _settings(context.settings),
          _account(index % context.settings.accountCount() + 1),
          _user(context.settings.target.user(_account)), _random(context.settings.seed + index) {}

    void runReconnecting() {
        while (_context.control.takeUnit()) {
            try {
                runSession();
            } catch (const std::exception& e) {
                failed(e);
            }
        }
    }

    /// Workers of the first `accounts` connections own their account's pooled session: they
    /// log in before taking work and QUIT at the end, so logins and session ends are counted as
    /// the events engine counts them. Other workers share those sessions.
    void runPooled(ClientPool& pool, bool owner) {
        const std::string mailbox = std::to_string(_account);
        bool loggedIn = false;
        if (owner && !_context.control.stopping())
            loggedIn = useSession(pool, mailbox, true,
                                  [this](Client& client) { learnMailbox(client, true); });
        while (_context.control.takeUnit()) {
            loggedIn = useSession(pool, mailbox, !loggedIn && owner, [this](Client& client) {
                learnMailbox(client, false);
                runOperations(client);
            });
        }
        if (owner && loggedIn)
            useSession(pool, mailbox, false, [this](Client& client) {
                _step = "quit";
                const Clock::time_point start = Clock::now();
                client.disconnect();
                _context.stats.recordStep("quit", Clock::now() - start, 1);
                _context.stats.recordSessionEnd();
            });
    }

private:
    /// Checks the mailbox's session out (timed as "login" when `freshLogin`, since the pool
    /// then connects it), runs `work`, and gives it back; discards it after errors other than
    /// -ERR. Returns whether the session is still logged in.
    template <typename Work>
    bool useSession(ClientPool& pool, const std::string& mailbox, bool freshLogin, Work&& work) {
        try {
            _step = "login";
            const Clock::time_point start = Clock::now();
            ClientPool::Lease lease = pool.checkout(mailbox);
            if (freshLogin) {
                _context.stats.recordStep("login", Clock::now() - start,
                                          loginCommands(_settings.target));
                _context.stats.recordLogin();
            }
            try {
                work(lease.client());
            } catch (const ServerError&) {
                throw; // the session itself is fine
            } catch (const Error&) {
                lease.discard();
                throw;
            }
            return lease->connected();
        } catch (const ServerError& e) {
            failed(e);
            return true;
        } catch (const std::exception& e) {
            failed(e);
            return false;
        }
    }

    void runSession() {
        Client client;
        _settings.target.configure(client, _account);
        _step = "login";
        Clock::time_point start = Clock::now();
        client.connect();
        _context.stats.recordStep("login", Clock::now() - start, loginCommands(_settings.target));
        _context.stats.recordLogin();
        learnMailbox(client, true);
        runOperations(client);
        _step = "quit";
        start = Clock::now();
        client.disconnect();
        _context.stats.recordStep("quit", Clock::now() - start, 1);
        _context.stats.recordSessionEnd();
    }

    /// STAT (every session, as a client would), then UIDL when the catalog does not know the
    /// mailbox as it is. A pooled session skips STAT once the catalog knows the mailbox.
    void learnMailbox(Client& client, bool alwaysStat) {
        if (!alwaysStat && _context.catalog.count(_account) > 0)
            return;
        _step = "stat";
        Clock::time_point start = Clock::now();
        const MaildropStat stat = client.stat();
        _context.stats.recordStep("stat", Clock::now() - start, 1);
        if (!_context.catalog.needsListing(_account, stat.count))
            return;
        _step = "uidl";
        start = Clock::now();
        const std::vector<UidlEntry> entries = client.uidl();
        _context.stats.recordStep("uidl", Clock::now() - start, 1);
        std::vector<std::string> uids;
        uids.reserve(entries.size());
        for (const UidlEntry& entry : entries)
            uids.push_back(entry.id);
        _context.catalog.update(_account, std::move(uids));
    }

    /// The unit's operations; an empty mailbox ends them early, as in the events engine.
    void runOperations(Client& client) {
        for (unsigned i = 0; i < _settings.operationsPerUnit; ++i) {
            if (!runOperation(client))
                return;
        }
    }

    /// Runs one operation from the mix; false when it needs a message and the mailbox has none.
    bool runOperation(Client& client) {
        const Operation operation = _settings.mix.pick(_random());
        _step = toString(operation);
        const std::uint64_t count = _context.catalog.count(_account);
        const bool needsMessage = operation == Operation::retr || operation == Operation::top ||
                                  operation == Operation::dele;
        if (needsMessage && count == 0) {
            _context.stats.recordError(ErrorClass::emptyMailbox);
            return false;
        }
        const std::uint64_t number = count > 0 ? _random() % count + 1 : 0;
        const Clock::time_point start = Clock::now();
        std::uint64_t octets = 0;
        unsigned commands = 1;
        switch (operation) {
        case Operation::stat:
            client.stat();
            break;
        case Operation::list:
            client.list();
            break;
        case Operation::uidl:
            client.uidl();
            break;
        case Operation::noop:
            client.noop();
            break;
        case Operation::top:
            octets = client.top(number, 10).size();
            break;
        case Operation::dele:
            if (!client.remove(number))
                throw ServerError("DELE " + std::to_string(number), "", "refused");
            client.reset();
            commands = 2;
            break;
        case Operation::retr: {
            const std::string message = client.retrieve(number);
            octets = message.size();
            _context.stats.recordStep(_step, Clock::now() - start, 1, true, octets);
            const std::string uid = _context.catalog.uid(_account, number);
            if (!uid.empty() &&
                !_context.ledger.check(_user, uid, IntegrityLedger::digest(message)))
                _context.stats.recordError(ErrorClass::integrity);
            return true;
        }
        }
        _context.stats.recordStep(_step, Clock::now() - start, commands, true, octets);
        return true;
    }

    void failed(const std::exception& error) {
        const ErrorClass kind = classify(error, _step);
        _context.stats.recordError(kind);
        // A server that is down or full is not spun on.
        if (kind == ErrorClass::connect || kind == ErrorClass::refused)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    EngineContext& _context;
    const LoadSettings& _settings;
    const unsigned _account;
    const std::string _user;
    std::mt19937_64 _random;
    std::string_view _step;
};

} // namespace

void runThreadEngine(EngineContext& context) {
    const LoadSettings& settings = context.settings;
    std::unique_ptr<ClientPool> pool;
    if (settings.mode == SessionMode::pool) {
        ClientPoolOptions options;
        options.maxSessions = settings.accountCount();
        options.checkoutTimeout = settings.target.timeout;
        pool = std::make_unique<ClientPool>(
            [&settings](Client& client, const std::string& mailbox) {
                settings.target.configure(client, static_cast<unsigned>(std::stoul(mailbox)));
            },
            options);
    }
    // Every worker starts at once, so early ones cannot take all the units of a short run.
    std::promise<void> go;
    const std::shared_future<void> started = go.get_future().share();
    std::vector<std::thread> threads;
    threads.reserve(settings.connections);
    for (unsigned i = 0; i < settings.connections; ++i) {
        threads.emplace_back([&context, &pool, started, i] {
            started.wait();
            Worker worker(context, i);
            if (pool)
                worker.runPooled(*pool, i < context.settings.accountCount());
            else
                worker.runReconnecting();
        });
    }
    go.set_value();
    for (std::thread& thread : threads)
        thread.join();
    if (pool)
        pool->close();
}

} // namespace pop3::load
