#pragma once

#include "pop3/Client.h"
#include "pop3/load/OperationMix.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pop3::load {

/// How the generator drives its connections.
enum class Engine {
    /// One thread per connection, each running pop3::Client (TLS, every login method).
    threads,
    /// One event loop over non-blocking sockets and the protocol core: plaintext, USER/PASS.
    events,
};

/// What a unit of work is.
enum class SessionMode {
    /// A whole session: connect, CAPA, login, STAT, the operations, QUIT.
    reconnect,
    /// The operations on a logged-in session kept open between units (pop3::ClientPool for
    /// the threads engine).
    pool,
};

std::string_view toString(Engine engine);
std::string_view toString(SessionMode mode);

/// The server under load and how to log in. In `userPattern` and `password`, "{n}" stands for
/// the account number (1..accounts), so each connection can have a mailbox of its own: POP3
/// servers lock a mailbox to one session.
struct LoadTarget {
    std::string host = "127.0.0.1";
    std::uint16_t port = 110;
    bool implicitTls = false;
    bool startTls = false;
    std::string userPattern;
    std::string password;
    AuthMode authMode = AuthMode::userPass;
    std::vector<std::string> saslMechanisms;
    std::string caFile;
    bool verifyCertificate = true;
    std::chrono::milliseconds timeout{10000};

    /// The user name and password of account `number` (1-based).
    std::string user(unsigned number) const;
    std::string passwordOf(unsigned number) const;
    /// True when the user pattern holds "{n}".
    bool perAccount() const;
    /// Sets `client` up for account `number`.
    void configure(Client& client, unsigned number) const;
};

struct LoadSettings {
    LoadTarget target;
    Engine engine = Engine::threads;
    SessionMode mode = SessionMode::reconnect;
    /// Connections doing work at the same time.
    unsigned connections = 1;
    /// Stop after this long, or after this many units of work (sessions with reconnect,
    /// checkouts with pool), whichever comes first.
    std::chrono::milliseconds duration{10000};
    std::optional<std::uint64_t> units;
    OperationMix mix = OperationMix::parse("retr=60,top=20,uidl=10,dele=10");
    /// Operations drawn from the mix per unit of work.
    unsigned operationsPerUnit = 1;
    /// Distinct accounts; 0: one per connection when the user pattern has "{n}", else 1.
    unsigned accounts = 0;
    /// Connections opened before the run, which read the greeting and then stay idle, to
    /// measure how the server serves new sessions while holding many.
    unsigned idleConnections = 0;
    /// Seed of the operation and message choices.
    std::uint64_t seed = 1;

    /// accounts, resolved.
    unsigned accountCount() const;
    /// Throws std::invalid_argument when the settings cannot work together (the events engine
    /// with TLS or another login than USER/PASS, 0 connections...).
    void validate() const;
};

} // namespace pop3::load
