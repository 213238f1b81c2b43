#include "pop3/load/LoadGenerator.h"

#include "pop3/Errors.h"

#include <condition_variable>
#include <memory>
#include <sys/resource.h>
#include <thread>

#include "Engine.h"

namespace pop3::load {

namespace {

std::chrono::nanoseconds processCpuTime() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto toNs = [](const timeval& t) {
        return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
    };
    return toNs(usage.ru_utime) + toNs(usage.ru_stime);
}

/// Sessions that read the greeting (and CAPA) and then wait, holding their connection.
class IdleConnections {
public:
    IdleConnections(const LoadTarget& target, unsigned count) {
        _clients.reserve(count);
        for (unsigned i = 0; i < count; ++i) {
            auto client = std::make_unique<Client>();
            target.configure(*client, 1);
            client->username.clear(); // stay in AUTHORIZATION
            try {
                client->connect();
                _clients.push_back(std::move(client));
            } catch (const Error&) {
                // Counted as not opened: the server refused or dropped it.
            }
        }
    }

    unsigned opened() const { return static_cast<unsigned>(_clients.size()); }

    /// Ends every session with QUIT (valid in AUTHORIZATION); returns how many answered it.
    unsigned closeAndCountAlive() {
        unsigned alive = 0;
        for (auto& client : _clients) {
            try {
                client->disconnect();
                ++alive;
            } catch (const Error&) {
                // Closed by the server meanwhile.
            }
        }
        _clients.clear();
        return alive;
    }

private:
    std::vector<std::unique_ptr<Client>> _clients;
};

} // namespace

double LoadReport::elapsedSeconds() const {
    return std::chrono::duration<double>(elapsed).count();
}

double LoadReport::perSecond(std::uint64_t count) const {
    const double seconds = elapsedSeconds();
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

LoadReport runLoad(const LoadSettings& settings,
                   const std::function<void(const ProgressTick&)>& onSecond) {
    settings.validate();
    LoadReport report;
    report.settings = settings;
    report.idleRequested = settings.idleConnections;
    IdleConnections idle(settings.target, settings.idleConnections);
    report.idleOpened = idle.opened();

    LoadStats stats;
    IntegrityLedger ledger;
    MailboxCatalog catalog(settings.accountCount());
    RunControl control(settings.units);
    EngineContext context{settings, stats, ledger, catalog, control};

    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    const auto cpuStart = processCpuTime();
    const auto start = std::chrono::steady_clock::now();
    std::exception_ptr failure;
    std::thread engine([&] {
        try {
            if (settings.engine == Engine::events)
                runEventEngine(context);
            else
                runThreadEngine(context);
        } catch (...) {
            failure = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(mutex);
        done = true;
        finished.notify_all();
    });

    const auto deadline = start + settings.duration;
    auto addTick = [&](unsigned second) {
        ProgressTick tick{second, stats.take()};
        report.totals.merge(tick.totals);
        if (onSecond)
            onSecond(tick);
        report.seconds.push_back(std::move(tick));
    };
    unsigned second = 0;
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (!done) {
            const auto nextTick = start + std::chrono::seconds(second + 1);
            if (finished.wait_until(lock, std::min(nextTick, deadline), [&] { return done; }))
                break;
            if (std::chrono::steady_clock::now() >= deadline) {
                control.stop();
                finished.wait(lock, [&] { return done; });
                break;
            }
            lock.unlock();
            addTick(++second);
            lock.lock();
        }
    }
    engine.join();
    report.elapsed = std::chrono::steady_clock::now() - start;
    report.generatorCpu = processCpuTime() - cpuStart;
    report.totals.merge(stats.take()); // the last, partial second
    if (failure)
        std::rethrow_exception(failure);

    report.integrityMessages = ledger.messages();
    report.integrityChecks = ledger.checks();
    report.integrityMismatches = ledger.mismatches();
    report.idleOpenAtEnd = idle.closeAndCountAlive();
    return report;
}

} // namespace pop3::load
