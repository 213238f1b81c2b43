#pragma once

#include "pop3/Tls.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pop3::conformance {

/// A login the checks may use.
struct Account {
    std::string user;
    std::string password;
};

/// What the seed hook is asked to do before a destructive check: give `account` its
/// `messageCount` messages back (what discovery found before any check ran).
struct SeedRequest {
    std::string checkId;
    Account account;
    std::size_t messageCount = 0;
    /// The second account and its count, when the target has one.
    std::optional<Account> secondAccount;
    std::size_t secondMessageCount = 0;
};

/// The server under test and how the checks may use it.
struct Target {
    std::string host = "127.0.0.1";
    /// The plaintext port (RFC 1939, STLS); absent for a pop3s-only target.
    std::optional<std::uint16_t> plainPort;
    /// The implicit-TLS port (RFC 8314); absent when the target has none.
    std::optional<std::uint16_t> implicitTlsPort;
    /// Upgrade plaintext connections with STLS before logging in (--starttls).
    bool startTls = false;

    Account account;
    std::optional<Account> secondAccount;

    /// Certificate checks: the name to verify (default: host), CAs to trust, or none.
    std::string tlsServerName;
    std::string caFile;
    bool verifyCertificate = true;
    /// The oldest TLS version the server is expected to accept; older ones must be refused.
    TlsProtocol minimumTlsVersion = TlsProtocol::tls1_2;

    /// How long any one read, write, connect or handshake may take. Longer than the delay
    /// servers put on a failed login (Courier: 5 s; Dovecot: 2 s), which checks provoke.
    std::chrono::milliseconds timeout{10000};

    /// Checks flagged needsDestructive run only when this is set.
    bool allowDestructive = false;
    /// Puts mail back before each destructive check; throws pop3::Error when it cannot.
    std::function<void(const SeedRequest&)> seed;
    /// Delivers one new message to the account's maildrop, as mail arriving would; the checks
    /// of new mail skip without it.
    std::function<void(const Account&)> deliver;
    /// Makes the server's next UPDATE fail to remove the marked messages, as a full disk
    /// would; the check of a failed UPDATE skips without it (no client can cause one).
    std::function<void()> failNextUpdate;
    /// Checks flagged needsSlow (minutes of waiting) run only when this is set.
    bool slow = false;

    /// "host:port" of the port connections use by default, for messages.
    std::string describe() const;
    /// The name certificates are checked against.
    std::string serverName() const { return tlsServerName.empty() ? host : tlsServerName; }
};

} // namespace pop3::conformance
