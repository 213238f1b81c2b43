#pragma once

#include "pop3/mock/Recording.h"
#include "pop3/mock/Scenario.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pop3::mock {

/// Where the mock listens, overriding the scenario's `server.address` and `server.port`.
struct MockServerOptions {
    std::optional<std::string> address;
    /// The plaintext (STLS) port; 0 picks a free one.
    std::optional<std::uint16_t> port;
    /// The implicit-TLS port; 0 picks a free one.
    std::optional<std::uint16_t> tlsPort;
    /// Folder for a generated certificate (default: a temporary folder removed at exit).
    std::optional<std::string> certificateDir;
    /// Serve the control API (docs/control-api.md) on this port; 0 picks a free one. Unset:
    /// no control API.
    std::optional<std::uint16_t> controlPort;
    std::string controlAddress = "127.0.0.1";
    /// The recording keeps at most this many lines, dropping the oldest; 0: no limit.
    std::size_t recordingLimit = 1'000'000;
};

/// A rule added while the server runs (MockServer::addRule).
struct RuntimeRule {
    std::uint64_t id = 0;
    Rule rule;
    /// How many more times it acts before it expires; unset: until removed.
    std::optional<std::uint64_t> remaining;
    /// How many times it has acted.
    std::uint64_t applied = 0;
};

/// What the mock has served since it started.
struct MockCounters {
    /// Connections that got as far as the greeting (or its rule), and those still open.
    std::uint64_t sessions = 0;
    std::uint64_t openSessions = 0;
    /// Command lines received (SASL exchange lines not counted).
    std::uint64_t commands = 0;
    /// Octets of the protocol lines, CRLF included; masked secrets count as their mask.
    std::uint64_t bytesReceived = 0;
    std::uint64_t bytesSent = 0;
    /// Logins (USER/PASS, APOP, AUTH) answered +OK, and answered -ERR.
    std::uint64_t logins = 0;
    std::uint64_t failedLogins = 0;
};

/// A scenario served by pop3::Server: its mailboxes, server settings, behaviour rules and
/// faults, recording everything the clients do. TLS mode none serves one plaintext port;
/// stls serves a plaintext port with STLS and an implicit-TLS port; implicit serves only the
/// implicit-TLS port.
class MockServer {
public:
    /// The scenario must outlive the server. Throws UsageError for what the loader cannot
    /// know (an unreadable Maildir, a certificate that does not load).
    explicit MockServer(const Scenario& scenario, MockServerOptions options = {});
    ~MockServer();
    MockServer(const MockServer&) = delete;
    MockServer& operator=(const MockServer&) = delete;

    /// Listens on the POP3 ports, and on the control port when one is set.
    void start();
    /// Ends every session as a disconnect and stops listening.
    void stop();

    /// The plaintext port, when the TLS mode is none or stls.
    std::optional<std::uint16_t> port() const;
    /// The implicit-TLS port, when the TLS mode is stls or implicit.
    std::optional<std::uint16_t> tlsPort() const;
    /// The certificate clients should trust (the given one, or the generated self-signed one);
    /// empty without TLS.
    const std::string& certificateFile() const;
    const std::string& address() const;
    /// The control API's port, when MockServerOptions::controlPort is set.
    std::optional<std::uint16_t> controlPort() const;
    const Scenario& scenario() const;

    Recording& recording();
    MockCounters counters() const;

    /// Gives every mailbox back the scenario's messages, as when the server was made. Sessions
    /// open now keep the listing they got at login. Undoes failNextUpdate() and quitKeepsLock.
    void resetMailboxes();

    /// Appends a new message to `user`'s mailbox, as a delivery would, with a unique-id never
    /// used before ("delivered-N"). Sessions open now keep the listing they got at login.
    void deliver(const std::string& user);
    /// Appends `message` (Inline or File, its size set as the loader sets it) to `user`'s
    /// mailbox, with its uid or else "delivered-N". Returns its number for a new session, its
    /// uid and size. Throws std::invalid_argument when
    /// the mailbox already has a message with that uid.
    MessageInfo deliver(const std::string& user, MessageSource message);
    /// Removes the message with `uid` from `user`'s mailbox (its file, for a Maildir); false
    /// when there is none. Open sessions keep their listing: RETR of it answers -ERR.
    bool removeMessage(const std::string& user, const std::string& uid);
    /// Removes every message of `user`'s mailbox; returns how many there were.
    std::size_t clearMailbox(const std::string& user);
    /// The text of the message with `uid` in `user`'s mailbox.
    std::optional<std::string> messageText(const std::string& user, const std::string& uid) const;

    /// Makes the next UPDATE (QUIT in TRANSACTION) remove nothing and report the failure with
    /// -ERR, as a full disk would.
    void failNextUpdate();

    /// The messages a user has now (after the deletions of finished sessions), in order.
    std::vector<MessageInfo> mailbox(const std::string& user) const;
    /// Every user with a mailbox now (the scenario's, and those made by logins when any
    /// password is accepted), sorted by name.
    std::vector<std::string> users() const;

    /// Adds a rule that acts before the scenario's rules, with their semantics (valid as the
    /// scenario loader checks rules), on at most `times` commands across sessions. Returns its
    /// id. Throws std::invalid_argument for a fault that acts on the listeners.
    std::uint64_t addRule(Rule rule, std::optional<std::uint64_t> times = std::nullopt);
    /// The rules added and not yet expired or removed, oldest first.
    std::vector<RuntimeRule> runtimeRules() const;
    bool removeRule(std::uint64_t id);
    /// Removes every added rule; returns how many there were.
    std::size_t clearRules();

private:
    struct State;
    std::unique_ptr<State> _state;
};

} // namespace pop3::mock
