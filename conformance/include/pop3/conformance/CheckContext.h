#pragma once

#include "pop3/ResponseDecoder.h"
#include "pop3/WireConnection.h"
#include "pop3/conformance/Target.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::conformance {

class CheckContext;

/// One response as read off the wire, or why none was.
struct Reply : WireConnection::Response {
    Reply() = default;
    explicit Reply(WireConnection::Response response)
        : WireConnection::Response(std::move(response)) {}

    bool complete() const { return outcome == Outcome::complete; }
    /// A complete `+OK` (not a continuation).
    bool ok() const { return complete() && !continuation && status.ok(); }
    /// A complete `-ERR`.
    bool err() const { return complete() && !continuation && !status.ok(); }
    /// The extended response code without brackets ("IN-USE", "SYS/TEMP"), empty when none.
    std::string code() const;
    /// For messages: the status line, or what happened instead ("connection closed", "no
    /// reply within 5000 ms", "malformed: ...").
    std::string describe() const;
};

/// One message of a mailbox as discovery listed it.
struct ListedMessage {
    std::uint64_t number = 0;
    std::uint64_t size = 0;
    /// Empty when the server has no UIDL.
    std::string uid;
};

/// How the checks log in.
enum class LoginMethod { userPass, saslPlain, apop };

/// What the checker learnt about the server before the checks ran.
struct Discovery {
    /// The first method that worked for the primary account: USER/PASS, AUTH PLAIN, APOP.
    LoginMethod loginMethod = LoginMethod::userPass;
    /// The greeting's status line.
    std::string greeting;
    /// CAPA in AUTHORIZATION state; nullopt when CAPA is refused (a pre-RFC 2449 server).
    std::optional<std::vector<std::string>> capabilities;
    /// CAPA after login.
    std::optional<std::vector<std::string>> capabilitiesAfterLogin;
    /// The primary account's messages at login.
    std::vector<ListedMessage> messages;
    /// The second account's messages, when there is one.
    std::vector<ListedMessage> secondMessages;
};

/// The check found the server breaking its requirement.
struct CheckFailed {
    std::string message;
    std::string expected;
    std::string actual;
};

/// The check cannot run against this target (a capability it lacks, an option not given).
struct CheckSkipped {
    std::string reason;
};

/// One connection of a check. Every byte it sends and every response it reads goes into the
/// check's transcript (passwords masked). All waits are bounded by the target's timeout.
class Probe {
public:
    Probe(CheckContext& context, std::unique_ptr<WireConnection> wire, std::string name);
    Probe(Probe&&) noexcept;
    Probe& operator=(Probe&&) noexcept;
    ~Probe();

    /// The greeting read when the connection opened.
    const Reply& greeting() const { return _greeting; }

    /// Sends `line` and CRLF, then reads the reply: multi-line when the command's +OK is
    /// (LIST and UIDL without argument, RETR, TOP, CAPA, LANG without argument).
    Reply command(const std::string& line);
    /// Sends `line` and CRLF, then reads a reply of `kind`.
    Reply command(const std::string& line, ResponseKind kind);
    /// Sends bytes as they are. A failure to send fails the check.
    void send(std::string_view bytes);
    /// Reads one reply of `kind`; waits at most `timeout` (default: the target's).
    Reply read(ResponseKind kind, std::optional<std::chrono::milliseconds> timeout = {});
    /// True when the server closes the connection within `timeout` (default: the target's)
    /// without sending anything more.
    bool closedByServer(std::optional<std::chrono::milliseconds> timeout = {});
    /// Sends STLS, fails the check unless it gets +OK, then runs the TLS handshake.
    void startTls();
    /// The TLS handshake alone (after the caller saw +OK to STLS). Throws TlsError or
    /// CertificateError when it fails.
    void handshake();
    /// The TLS handshake with `context` (a check's own versions or verification).
    void handshake(Poco::Net::Context::Ptr context);
    /// Sends QUIT and reads the reply.
    Reply quit();
    /// Closes the connection without QUIT.
    void close();

    bool secure() const;
    WireConnection& wire() { return *_wire; }

private:
    friend class CheckContext;
    void record(std::string_view direction, std::string_view text);

    CheckContext* _context;
    std::unique_ptr<WireConnection> _wire;
    std::string _name;
    Reply _greeting;
    /// An AUTH exchange is under way (AUTH with a mechanism sent, or a continuation read):
    /// lines sent are SASL data, masked in the transcript, until the final reply.
    bool _inSasl = false;
};

/// What a running check sees: the target, what discovery found, connections, and the verdict
/// helpers. A check reports a failure with fail()/expect...() (which throw CheckFailed) or a
/// reason not to run with skip() (CheckSkipped); any pop3::Error that escapes — the server
/// unreachable, a TLS handshake failing — makes the verdict `error`.
class CheckContext {
public:
    CheckContext(const Target& target, const Discovery& discovery);
    ~CheckContext();

    const Target& target() const { return _target; }
    const Discovery& server() const { return _discovery; }
    std::chrono::milliseconds timeout() const { return _target.timeout; }

    /// A connection as the target says: the plaintext port (upgraded with STLS when
    /// target.startTls), else the implicit-TLS port. The greeting is read; not +OK fails.
    Probe connect();
    /// The plaintext port, never upgraded; skips when the target has none.
    Probe connectPlain();
    /// The implicit-TLS port; skips when the target has none.
    Probe connectImplicitTls();
    /// A TLS connection made with `context`: the implicit-TLS port when the target has one,
    /// else the plaintext port upgraded with STLS; skips when neither works. The greeting is
    /// read; not +OK fails. Throws TlsError or CertificateError when the handshake fails.
    Probe connectTls(Poco::Net::Context::Ptr context);
    /// A bare TCP connection to `port`, nothing sent or read: for what a server sends unasked,
    /// or a TLS handshake started by hand.
    Probe connectTcp(std::uint16_t port);
    /// connect(), then log in as the primary account (or the second) with the method discovery
    /// found. Fails the check when the login is refused.
    Probe login(bool secondAccount = false);
    /// Runs one login exchange on `probe` and returns the final reply.
    Reply authenticate(Probe& probe, LoginMethod method, const Account& who);
    /// The account to log in with; the second skips the check when the target has none.
    const Account& account(bool secondAccount = false);
    /// The messages discovery listed for the account.
    const std::vector<ListedMessage>& messages(bool secondAccount = false) const;

    /// Whether CAPA (in AUTHORIZATION) lists `name` as its first word, case-insensitively.
    /// A server without CAPA lists nothing.
    bool hasCapability(std::string_view name) const;
    /// The capability's line ("SASL PLAIN LOGIN"), when listed.
    std::optional<std::string> capability(std::string_view name) const;
    /// Skips unless CAPA lists `name`.
    void requireCapability(std::string_view name);
    /// Skips unless the account has at least `count` messages.
    void requireMessages(std::size_t count, bool secondAccount = false);

    [[noreturn]] void fail(std::string message, std::string expected = {}, std::string actual = {});
    [[noreturn]] void skip(std::string reason);
    /// Fails unless `condition`.
    void expect(bool condition, std::string message, std::string expected = {},
                std::string actual = {});
    /// Fails unless `reply` is +OK; `what` names the command for the message ("STAT").
    void expectOk(const Reply& reply, std::string_view what);
    /// Fails unless `reply` is -ERR.
    void expectErr(const Reply& reply, std::string_view what);
    /// A finding that does not break the requirement but should be looked at; the verdict is
    /// `warn` unless the check fails.
    void warn(std::string message);
    /// A fact for the report (the negotiated TLS version, how the server behaved).
    void note(std::string text);

    const std::vector<std::string>& warnings() const { return _warnings; }
    const std::vector<std::string>& notes() const { return _notes; }
    /// Every line of every connection, in order: "C: USER alice", "S: +OK".
    const std::vector<std::string>& transcript() const { return _transcript; }

    /// A TLS context that verifies as the target says, for protocol versions min..max.
    Poco::Net::Context::Ptr tlsContext(TlsProtocol min, TlsProtocol max, bool verify);
    /// The target's context (its verification, TLS 1.2..1.3 or as low as its minimum).
    Poco::Net::Context::Ptr tlsContext();

private:
    friend class Probe;
    /// Connects (with the handshake when `implicitTls` is given) and reads the greeting unless
    /// `readGreeting` is false.
    Probe open(std::uint16_t port, Poco::Net::Context::Ptr implicitTls, std::string_view name,
               bool readGreeting = true);

    const Target& _target;
    const Discovery& _discovery;
    std::vector<std::string> _warnings;
    std::vector<std::string> _notes;
    std::vector<std::string> _transcript;
    Poco::Net::Context::Ptr _context;
    int _connections = 0;
};

} // namespace pop3::conformance
