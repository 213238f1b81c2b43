#pragma once

#include "pop3/Auth.h"
#include "pop3/Command.h"
#include "pop3/Response.h"

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3 {

/// One message of a maildrop as a session lists it.
struct MessageInfo {
    /// The storage's own id for the message (any value; the protocol never shows it).
    std::uint64_t id = 0;
    /// The unique-id shown by UIDL (RFC 1939 §7: 1 to 70 characters in 0x21..0x7E).
    std::string uid;
    /// Exact size in octets with CRLF line ends (see MessageStats).
    std::uint64_t size = 0;
    /// Marked for deletion in this session.
    bool deleted = false;
};

/// A message body for RETR or TOP: either text in memory or a stream read in chunks, so a
/// message of any size can be sent without holding it in memory. Empty (no text, no stream)
/// means the storage could not produce the message.
struct MessageContent {
    std::string text;
    std::shared_ptr<std::istream> stream;
    bool available = false;

    static MessageContent fromText(std::string text) { return {std::move(text), nullptr, true}; }
    static MessageContent fromStream(std::shared_ptr<std::istream> stream) {
        const bool available = stream != nullptr;
        return {{}, std::move(stream), available};
    }
};

/// How a login attempt ended, and the reply's response code (RFC 2449 §8, RFC 3206).
enum class LoginStatus {
    /// Credentials valid: the session enters TRANSACTION with the given messages.
    Accepted,
    /// Invalid credentials: `-ERR [AUTH]`, same text for an unknown user and a wrong password.
    Rejected,
    /// The maildrop is locked by another session: `-ERR [IN-USE]`.
    InUse,
    /// Logged in too recently: `-ERR [LOGIN-DELAY]`.
    LoginDelay,
    /// Storage unavailable: `-ERR [SYS/TEMP]`.
    TemporaryFailure,
    /// A permanent problem with the account: `-ERR [SYS/PERM]`.
    PermanentFailure,
};

struct LoginResult {
    LoginStatus status = LoginStatus::Rejected;
    /// Replaces the default reply text when not empty.
    std::string text;
    /// The maildrop, for Accepted. Listed in this order as messages 1..n.
    std::vector<MessageInfo> messages;
};

/// A command (or the greeting) about to be handled, as ServerSessionHandler::intercept sees it.
struct CommandContext {
    /// The command line as received, without its line end; empty for the greeting. Passwords
    /// are in the clear: log maskSecrets(line) (Command.h) instead.
    std::string_view line;
    bool greeting = false;
    SessionState state = SessionState::Authorization;
    bool tlsActive = false;
    /// The logged-in user, empty before login.
    std::string_view username;
};

/// How to deviate from the normal reply to one command: what mock servers and fault injection
/// need. The default changes nothing.
struct Intercept {
    /// Sent instead of the normal reply, byte for byte; the command itself is not handled.
    std::optional<std::string> replaceReply;
    /// Sent right after the (normal or replaced) reply, e.g. lines injected after STLS's +OK.
    std::string appendAfterReply;
    /// Close the connection without any reply (nothing is updated); replies to commands
    /// received before it are still sent.
    bool dropBeforeReply = false;
    /// Send only this many octets of the reply, then close.
    std::optional<std::uint64_t> dropAfterBytes;
    /// Close once the reply is sent (nothing is updated unless the command was QUIT).
    bool closeAfterReply = false;
    /// Throw away the rest of the bytes received with this command (pipelining ignored).
    bool discardRestOfInput = false;
    /// For STLS: keep commands pipelined after it and answer them inside TLS (the
    /// CVE-2011-0411 flaw), instead of discarding them.
    bool keepInputAfterStls = false;
    /// Rewrites the normal reply's bytes (message bodies included) before they are sent; the
    /// command itself is handled normally. For faults that bend the wire format.
    std::function<std::string(std::string reply)> rewriteReply;
};

/// What a ServerSession asks of the storage behind it. pop3::Server adapts its on... handlers
/// to this; tests implement it directly. A method that throws makes the session answer
/// `-ERR [SYS/TEMP]` and report the failure through handlerFailed(); the session goes on.
class ServerSessionHandler {
public:
    virtual ~ServerSessionHandler() = default;

    /// Checks credentials (Credentials::matches covers every mechanism).
    virtual LoginResult login(const Credentials& credentials) = 0;
    /// The whole message for RETR.
    virtual MessageContent retrieve(MessageIndex index, const MessageInfo& message) = 0;
    /// The message for TOP with `lines` body lines. Returning the whole message is fine: the
    /// session cuts it to the TOP view itself.
    virtual MessageContent top(MessageIndex index, const MessageInfo& message,
                               std::uint64_t lines) = 0;
    /// DELE: true accepts the deletion mark (nothing is deleted before QUIT).
    virtual bool markDeleted(MessageIndex index, const MessageInfo& message) = 0;
    /// QUIT in TRANSACTION (the UPDATE state, RFC 1939 §6): remove the messages marked deleted.
    /// False means some were not removed (`-ERR [SYS/TEMP]`).
    virtual bool update(const std::vector<MessageInfo>& messages) = 0;
    /// The session ended; `updated` tells whether UPDATE ran. Called exactly once.
    virtual void ended(const std::vector<MessageInfo>& messages, bool updated) = 0;
    /// A method above threw while serving `command`.
    virtual void handlerFailed(std::string_view command, std::string_view what) = 0;
    /// Called before the greeting and before each command line outside an AUTH exchange.
    virtual Intercept intercept(const CommandContext&) { return {}; }
    /// Each command line received and each line sent (message bodies summarised), with
    /// passwords and SASL data replaced by "****".
    virtual void trace(TraceDirection, std::string_view) {}
};

} // namespace pop3
