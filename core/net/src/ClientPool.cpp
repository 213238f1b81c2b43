#include "pop3/ClientPool.h"

#include "pop3/Errors.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace pop3 {

namespace {

using Clock = std::chrono::steady_clock;

std::string describe(std::chrono::milliseconds duration) {
    return std::to_string(duration.count()) + " ms";
}

} // namespace

struct ClientPool::Entry {
    /// Who may touch `client`: nobody (idle), its lease (leased), or the thread that set
    /// connecting, busy (a keep-alive NOOP) or closing, which works on it without the lock.
    enum class Status { connecting, idle, leased, busy, closing };

    std::string mailbox;
    std::unique_ptr<Client> client;
    Status status = Status::connecting;
    /// When a lease last gave the session back (maxIdle, LRU).
    Clock::time_point lastUsed;
    /// When the session last talked to the server as far as the pool knows (keep-alive).
    Clock::time_point lastActivity;
};

struct ClientPool::State {
    State(Configure configure, ClientPoolOptions options)
        : configure(std::move(configure)), options(options) {}

    Entry* checkout(const std::string& mailbox);
    void giveBack(Entry& entry, bool discard);
    void runKeepAlive();
    void closeIdle();

    /// Sends a NOOP to `entry` (status busy) without the lock. False when it failed: the entry
    /// is then gone.
    bool ping(std::unique_lock<std::mutex>& lock, Entry& entry);
    /// Closes `entry` without the lock, with QUIT when `quit` (errors ignored), and removes it.
    void close(std::unique_lock<std::mutex>& lock, Entry& entry, bool quit);
    /// A connected, logged-in client for `mailbox`, made without the lock.
    std::unique_ptr<Client> open(const std::string& mailbox, Clock::time_point deadline) const;
    bool keepAliveDue(const Entry& entry, Clock::time_point now) const {
        return options.keepAliveInterval.count() > 0 &&
               now - entry.lastActivity >= options.keepAliveInterval;
    }

    const Configure configure;
    const ClientPoolOptions options;

    mutable std::mutex mutex;
    /// Signalled when an entry becomes idle or goes away, and on close.
    std::condition_variable changed;
    /// Wakes the keep-alive thread: close, or a session given back.
    std::condition_variable wake;
    std::map<std::string, std::unique_ptr<Entry>> entries;
    Statistics statistics;
    bool closed = false;
};

ClientPool::Entry* ClientPool::State::checkout(const std::string& mailbox) {
    const Clock::time_point deadline = Clock::now() + options.checkoutTimeout;
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
        if (closed)
            throw UsageError("ClientPool is closed");
        const auto found = entries.find(mailbox);
        if (found != entries.end()) {
            Entry& entry = *found->second;
            if (entry.status == Entry::Status::idle) {
                entry.status = Entry::Status::busy;
                if (keepAliveDue(entry, Clock::now()) && !ping(lock, entry))
                    continue; // it was broken and is gone: connect a fresh one
                if (closed) {
                    close(lock, entry, true);
                    throw UsageError("ClientPool is closed");
                }
                entry.status = Entry::Status::leased;
                ++statistics.reused;
                return &entry;
            }
            if (Clock::now() >= deadline)
                throw TimeoutError("ClientPool: the session of mailbox '" + mailbox +
                                   "' is still checked out after " +
                                   describe(options.checkoutTimeout));
            changed.wait_until(lock, deadline);
            continue;
        }
        if (entries.size() >= options.maxSessions) {
            Entry* leastRecent = nullptr;
            for (const auto& [name, candidate] : entries) {
                if (candidate->status == Entry::Status::idle &&
                    (!leastRecent || candidate->lastUsed < leastRecent->lastUsed))
                    leastRecent = candidate.get();
            }
            if (leastRecent) {
                close(lock, *leastRecent, true);
                ++statistics.evicted;
                continue;
            }
            if (Clock::now() >= deadline)
                throw TimeoutError("ClientPool: all " + std::to_string(options.maxSessions) +
                                   " sessions are still checked out after " +
                                   describe(options.checkoutTimeout) + "; none free for mailbox '" +
                                   mailbox + "'");
            changed.wait_until(lock, deadline);
            continue;
        }

        auto created = std::make_unique<Entry>();
        created->mailbox = mailbox;
        Entry& entry = *created;
        entries.emplace(mailbox, std::move(created));
        lock.unlock();
        std::unique_ptr<Client> client;
        try {
            client = open(mailbox, deadline);
        } catch (...) {
            lock.lock();
            entries.erase(entries.find(mailbox));
            changed.notify_all();
            throw;
        }
        lock.lock();
        entry.client = std::move(client);
        entry.lastUsed = entry.lastActivity = Clock::now();
        ++statistics.created;
        if (closed) {
            close(lock, entry, true);
            throw UsageError("ClientPool is closed");
        }
        entry.status = Entry::Status::leased;
        return &entry;
    }
}

std::unique_ptr<Client> ClientPool::State::open(const std::string& mailbox,
                                                Clock::time_point deadline) const {
    std::chrono::milliseconds backoff{10};
    for (;;) {
        auto client = std::make_unique<Client>();
        configure(*client, mailbox);
        try {
            client->connect();
            return client;
        } catch (const ServerError& e) {
            // The server may still hold the lock of a session of this mailbox closed a moment
            // ago without QUIT.
            if (e.code() != ServerError::Code::InUse || Clock::now() + backoff >= deadline)
                throw;
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(200));
    }
}

void ClientPool::State::giveBack(Entry& entry, bool discard) {
    std::unique_lock<std::mutex> lock(mutex);
    if (discard || !entry.client->connected()) {
        close(lock, entry, false);
        ++statistics.discarded;
        return;
    }
    if (closed) {
        close(lock, entry, true);
        return;
    }
    entry.status = Entry::Status::idle;
    entry.lastUsed = entry.lastActivity = Clock::now();
    changed.notify_all();
    wake.notify_all();
}

bool ClientPool::State::ping(std::unique_lock<std::mutex>& lock, Entry& entry) {
    lock.unlock();
    bool alive = true;
    try {
        entry.client->noop();
    } catch (const std::exception&) {
        alive = false;
        entry.client.reset(); // closes without QUIT
    }
    lock.lock();
    ++statistics.keepAlives;
    if (alive) {
        entry.lastActivity = Clock::now();
        return true;
    }
    ++statistics.discarded;
    entries.erase(entries.find(entry.mailbox));
    changed.notify_all();
    return false;
}

void ClientPool::State::close(std::unique_lock<std::mutex>& lock, Entry& entry, bool quit) {
    entry.status = Entry::Status::closing;
    lock.unlock();
    if (quit) {
        try {
            entry.client->disconnect();
        } catch (const std::exception&) {
            // Closed either way; a failed QUIT only means the marks may not be applied.
        }
    }
    entry.client.reset();
    lock.lock();
    entries.erase(entries.find(entry.mailbox));
    changed.notify_all();
}

void ClientPool::State::runKeepAlive() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!closed) {
        const Clock::time_point now = Clock::now();
        Clock::time_point next = now + options.keepAliveInterval;
        Entry* due = nullptr;
        bool expired = false;
        for (const auto& [name, entry] : entries) {
            if (entry->status != Entry::Status::idle)
                continue;
            if (options.maxIdle.count() > 0) {
                const Clock::time_point expiry = entry->lastUsed + options.maxIdle;
                if (expiry <= now) {
                    due = entry.get();
                    expired = true;
                    break;
                }
                next = std::min(next, expiry);
            }
            if (keepAliveDue(*entry, now)) {
                due = entry.get();
                break;
            }
            next = std::min(next, entry->lastActivity + options.keepAliveInterval);
        }
        if (!due) {
            wake.wait_until(lock, next);
        } else if (expired) {
            close(lock, *due, true);
            ++statistics.evicted;
        } else {
            due->status = Entry::Status::busy;
            if (ping(lock, *due)) {
                due->status = Entry::Status::idle;
                changed.notify_all();
            }
        }
    }
}

void ClientPool::State::closeIdle() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
        const auto idle = std::find_if(entries.begin(), entries.end(), [](const auto& entry) {
            return entry.second->status == Entry::Status::idle;
        });
        if (idle == entries.end())
            return;
        close(lock, *idle->second, true);
    }
}

ClientPool::Lease::Lease(std::shared_ptr<State> state, Entry* entry)
    : _state(std::move(state)), _entry(entry) {}

ClientPool::Lease::Lease(Lease&& other) noexcept
    : _state(std::move(other._state)), _entry(std::exchange(other._entry, nullptr)) {}

ClientPool::Lease& ClientPool::Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        reset();
        _state = std::move(other._state);
        _entry = std::exchange(other._entry, nullptr);
    }
    return *this;
}

ClientPool::Lease::~Lease() {
    reset();
}

Client& ClientPool::Lease::client() const {
    if (!_entry)
        throw UsageError("empty ClientPool::Lease");
    return *_entry->client;
}

const std::string& ClientPool::Lease::mailbox() const {
    if (!_entry)
        throw UsageError("empty ClientPool::Lease");
    return _entry->mailbox;
}

void ClientPool::Lease::reset() {
    giveBack(false);
}

void ClientPool::Lease::discard() {
    giveBack(true);
}

void ClientPool::Lease::giveBack(bool discard) {
    if (!_entry)
        return;
    Entry* entry = std::exchange(_entry, nullptr);
    const std::shared_ptr<State> state = std::move(_state);
    state->giveBack(*entry, discard);
}

ClientPool::ClientPool(Configure configure, ClientPoolOptions options) {
    if (!configure)
        throw UsageError("ClientPool needs a configure function");
    if (options.maxSessions == 0)
        throw UsageError("ClientPool needs maxSessions of at least 1");
    _state = std::make_shared<State>(std::move(configure), options);
    if (options.keepAliveInterval.count() > 0)
        _keepAlive = std::thread([state = _state.get()] { state->runKeepAlive(); });
}

ClientPool::~ClientPool() {
    close();
}

ClientPool::Lease ClientPool::checkout(const std::string& mailbox) {
    return Lease(_state, _state->checkout(mailbox));
}

void ClientPool::close() {
    std::thread keepAlive;
    {
        std::lock_guard<std::mutex> lock(_state->mutex);
        _state->closed = true;
        keepAlive = std::move(_keepAlive);
    }
    _state->changed.notify_all();
    _state->wake.notify_all();
    if (keepAlive.joinable())
        keepAlive.join();
    _state->closeIdle();
}

std::size_t ClientPool::size() const {
    std::lock_guard<std::mutex> lock(_state->mutex);
    return _state->entries.size();
}

std::size_t ClientPool::idle() const {
    std::lock_guard<std::mutex> lock(_state->mutex);
    return static_cast<std::size_t>(
        std::count_if(_state->entries.begin(), _state->entries.end(), [](const auto& entry) {
            return entry.second->status == Entry::Status::idle;
        }));
}

ClientPool::Statistics ClientPool::statistics() const {
    std::lock_guard<std::mutex> lock(_state->mutex);
    return _state->statistics;
}

const ClientPoolOptions& ClientPool::options() const {
    return _state->options;
}

} // namespace pop3
