#pragma once

#include "pop3/mock/Recording.h"
#include "pop3/mock/Scenario.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

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

    Recording& recording();

    /// Gives every mailbox back the scenario's messages, as when the server was made. Sessions
    /// open now keep the listing they got at login. Undoes failNextUpdate() and quitKeepsLock.
    void resetMailboxes();

    /// Appends a new message to `user`'s mailbox, as a delivery would, with a unique-id never
    /// used before ("delivered-N"). Sessions open now keep the listing they got at login.
    void deliver(const std::string& user);

    /// Makes the next UPDATE (QUIT in TRANSACTION) remove nothing and report the failure with
    /// -ERR, as a full disk would.
    void failNextUpdate();

    /// The messages a user has now (after the deletions of finished sessions), in order.
    std::vector<MessageInfo> mailbox(const std::string& user) const;

private:
    struct State;
    std::unique_ptr<State> _state;
};

} // namespace pop3::mock
