#pragma once

#include "pop3/Client.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace pop3 {

/// Settings of a ClientPool.
struct ClientPoolOptions {
    /// Sessions open at once, over all mailboxes (at least 1).
    std::size_t maxSessions = 16;
    /// An idle session gets a NOOP when it has been quiet this long: from the background thread,
    /// and on checkout. 0 turns off the background thread (no NOOPs, no closing after maxIdle).
    std::chrono::milliseconds keepAliveInterval{60000};
    /// The background thread closes (with QUIT) sessions not checked out for this long; 0: never.
    std::chrono::milliseconds maxIdle{300000};
    /// How long checkout() waits for a mailbox's session or for room in a full pool.
    std::chrono::milliseconds checkoutTimeout{30000};
};

/// A thread-safe pool of logged-in Client sessions, at most one per mailbox: POP3 locks the
/// maildrop (RFC 1939 §8), so a second session for the same mailbox would be refused anyway.
///
/// checkout() hands out a Lease, which gives the session back when destroyed. Sessions are made
/// by the `configure` function (host, port, credentials, TLS of a fresh Client), then connected
/// by the pool. No network I/O happens while the pool's lock is held.
///
/// Deletion marks (Client::remove) are applied when the session QUITs: when the pool evicts it,
/// closes it after maxIdle, or on close(). A discarded session is closed without QUIT, so its
/// marks are lost.
class ClientPool {
public:
    /// Sets up `client` for `mailbox` (the key the caller passed to checkout()).
    using Configure = std::function<void(Client& client, const std::string& mailbox)>;

    /// Counters since construction.
    struct Statistics {
        /// Sessions connected.
        std::uint64_t created = 0;
        /// Checkouts served by a session that was already open.
        std::uint64_t reused = 0;
        /// Sessions closed without QUIT: broken, failed a NOOP, or Lease::discard().
        std::uint64_t discarded = 0;
        /// Healthy idle sessions closed with QUIT to make room or after maxIdle.
        std::uint64_t evicted = 0;
        /// NOOPs sent to keep sessions alive.
        std::uint64_t keepAlives = 0;
    };

private:
    struct Entry;
    struct State;

public:
    /// Exclusive use of one mailbox's session; move-only. Destroying it gives the session back.
    ///
    /// A session whose Client is no longer connected() is closed instead of reused: Client
    /// drops the connection itself after a ConnectionError, TimeoutError or ProtocolError. After
    /// any other failure that leaves the session in doubt (anything but ServerError), call
    /// discard(). A ServerError (-ERR) leaves the session usable.
    class Lease {
    public:
        Lease() = default;
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&& other) noexcept;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();

        /// The session; throws UsageError on an empty lease.
        Client& client() const;
        Client* operator->() const { return &client(); }
        Client& operator*() const { return client(); }
        /// The mailbox the session belongs to; throws UsageError on an empty lease.
        const std::string& mailbox() const;
        /// False once moved from, given back or discarded.
        explicit operator bool() const { return _entry != nullptr; }

        /// Gives the session back now, as the destructor does.
        void reset();
        /// Closes the session now without QUIT (deletion marks are not applied) and empties the
        /// lease; the next checkout of the mailbox connects a fresh session.
        void discard();

    private:
        friend class ClientPool;
        Lease(std::shared_ptr<State> state, Entry* entry);
        void giveBack(bool discard);

        std::shared_ptr<State> _state;
        Entry* _entry = nullptr;
    };

    /// Starts the keep-alive thread unless options.keepAliveInterval is 0. Throws UsageError
    /// when `configure` is empty or options.maxSessions is 0.
    explicit ClientPool(Configure configure, ClientPoolOptions options = {});
    /// close(), then waits for the keep-alive thread. Leases may outlive the pool: their
    /// sessions are closed with QUIT when given back.
    ~ClientPool();

    ClientPool(const ClientPool&) = delete;
    ClientPool& operator=(const ClientPool&) = delete;

    /// The mailbox's session: the open one if idle (after a NOOP when it has been quiet for
    /// keepAliveInterval; a failed NOOP gets a fresh session instead), otherwise a new one.
    /// When the pool is full, the least recently used idle session is closed with QUIT to make
    /// room. Waits up to checkoutTimeout while the mailbox's session is checked out elsewhere,
    /// or while every session is; then throws TimeoutError. Errors of configure() and
    /// Client::connect() propagate; a login refused with [IN-USE] (the server still holds the
    /// lock of a session just closed) is retried until checkoutTimeout. Throws UsageError after
    /// close().
    Lease checkout(const std::string& mailbox);

    /// Stops the keep-alive thread and QUITs every idle session; checked-out sessions are
    /// QUIT when their lease gives them back. Later checkouts throw UsageError, and waiting ones
    /// wake up to throw it.
    void close();

    /// Sessions open, or being opened or closed (at most maxSessions).
    std::size_t size() const;
    /// Sessions open and not checked out.
    std::size_t idle() const;
    Statistics statistics() const;
    const ClientPoolOptions& options() const;

private:
    std::shared_ptr<State> _state;
    std::thread _keepAlive;
};

} // namespace pop3
