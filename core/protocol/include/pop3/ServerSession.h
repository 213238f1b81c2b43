#pragma once

#include "pop3/Command.h"
#include "pop3/Limits.h"
#include "pop3/Message.h"
#include "pop3/ResponseWriter.h"
#include "pop3/Sasl.h"
#include "pop3/ServerSessionHandler.h"

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3 {

/// What a ServerSession offers and enforces.
struct ServerSessionConfig {
    /// Used in the APOP timestamp and the CRAM-MD5 challenge.
    std::string hostname = "localhost";
    /// Greeting text after "+OK" (the APOP timestamp is appended when APOP is on).
    std::string greeting = "POP3 server ready";
    /// IMPLEMENTATION capability (RFC 2449 §6.9); empty to leave it out.
    std::string implementation = "pop3-conform";
    /// Further CAPA lines, listed last in every state (e.g. "LOGIN-DELAY 900", "EXPIRE NEVER").
    std::vector<std::string> extraCapabilities;
    /// USER/PASS (RFC 1939 §7).
    bool userPass = true;
    /// APOP (RFC 1939 §7): puts a timestamp in the greeting.
    bool apop = true;
    /// SASL mechanisms offered by AUTH (RFC 5034), in CAPA order.
    std::vector<std::string> saslMechanisms = supportedSaslMechanisms();
    /// STLS can be offered (the transport has a certificate).
    bool tlsAvailable = false;
    /// The connection is already encrypted (implicit TLS, RFC 8314).
    bool tlsActive = false;
    /// Refuse USER/PASS, PLAIN and LOGIN until TLS is active (RFC 2595 §2.3 asks servers to
    /// make this configurable); CAPA then hides them.
    bool refusePlaintextLoginWithoutTls = false;
    /// RFC 6856 §2: the UTF8 command, announced as "UTF8 USER" (UTF-8 user names and passwords
    /// reach the handler as sent, in either mode).
    bool utf8 = false;
    /// RFC 6856 §3: the languages LANG offers, each a language tag optionally followed by a space
    /// and a description ("en English"); "LANG *" selects the first. "i-default", which the RFC
    /// requires, is listed last unless given. Empty: no LANG.
    std::vector<std::string> languages;
    /// RFC 2449 §4: commands of up to this many octets, CRLF included, are accepted.
    std::size_t maxCommandLine = limits::kMaxCommandLine;
    /// Close after this many bad commands (see limits::kMaxBadCommands).
    unsigned maxBadCommands = limits::kMaxBadCommands;
};

/// The server side of one POP3 connection, without I/O (RFC 1939 AUTHORIZATION → TRANSACTION
/// → UPDATE, with CAPA, STLS, AUTH, RESP-CODES, UTF8 and LANG). The transport feeds it the bytes it
/// reads, sends what pullOutput() gives, and follows its requests: start TLS, close.
///
/// Commands that arrive together (pipelining, RFC 2449 §6.6) are answered in order. After the
/// STLS reply every byte already received is thrown away (RFC 2595 §4; no command injection).
/// Deletion marks live here; RSET clears them without the handler.
class ServerSession {
public:
    /// `nonce` returns a fresh unique token for each APOP timestamp and CRAM-MD5 challenge
    /// (the caller owns randomness and clocks).
    ServerSession(ServerSessionConfig config, ServerSessionHandler& handler,
                  std::function<std::string()> nonce);
    ~ServerSession();

    ServerSession(const ServerSession&) = delete;
    ServerSession& operator=(const ServerSession&) = delete;

    /// Queues the greeting. Call once, first.
    void start();
    /// Processes received bytes. Ignored while TLS is being negotiated and after close.
    /// Commands are answered while little output is queued; the rest stay buffered until
    /// pullOutput() has drained it, so pull all output before feeding more.
    void feed(std::string_view bytes);
    /// Appends bytes ready to send to `out`, up to about `budget` octets, streaming message
    /// bodies in chunks and answering buffered commands as the output drains. Returns false
    /// when nothing was pending.
    bool pullOutput(std::string& out, std::size_t budget = 64 * 1024);
    bool hasOutput() const { return !_output.empty(); }

    /// True after the STLS reply was queued: send the output, then run the TLS handshake and
    /// call tlsStarted(), or end() when it fails.
    bool tlsRequested() const { return _tlsRequested; }
    /// The handshake succeeded: the session continues in AUTHORIZATION over TLS.
    void tlsStarted();
    /// True when the connection should close once the output is sent (QUIT, too many bad
    /// commands, a body stream that failed mid-way).
    bool closeRequested() const { return _closeRequested; }
    /// The connection ended (for any reason). Calls the handler's ended() exactly once; UPDATE
    /// only ever runs through QUIT.
    void end();

    SessionState state() const { return _state; }
    bool tlsActive() const { return _config.tlsActive; }
    /// The APOP timestamp of the greeting ("<nonce@hostname>"), empty when APOP is off.
    const std::string& apopTimestamp() const { return _apopTimestamp; }
    /// The user name given to USER, APOP or AUTH, once logged in.
    const std::string& username() const { return _username; }
    const std::vector<MessageInfo>& messages() const { return _messages; }
    /// True after an accepted UTF8 command (RFC 6856 §2).
    bool utf8Mode() const { return _utf8Mode; }
    /// The language tag LANG selected (RFC 6856 §3), empty until then.
    const std::string& language() const { return _language; }
    /// The CAPA lines for the current state (without the status line and terminator).
    std::vector<std::string> capabilities() const;

private:
    struct Body;

    /// Answers buffered command lines until output backs up (outputBacklogged()).
    void processLines();
    /// True while a message body or at least a chunk's worth of replies is queued.
    bool outputBacklogged() const;
    void handleLine(const std::string& line);
    void handleCommandLine(const std::string& line);
    /// Asks the handler how to deviate for this command (or the greeting); `reply` produces
    /// the normal reply. `shown` is the line as traces and logs may show it.
    void intercepted(std::string_view line, std::string_view shown, bool greeting,
                     const std::function<void()>& reply);
    enum class BodyProgress { More, Done, Failed };
    /// Appends the next chunk of a message body (and the terminator once it is complete).
    BodyProgress pullBody(Body& body, std::string& out);
    /// Runs `reply` and returns the bytes it would send, bodies included, instead of queueing.
    std::string replyBytes(const std::function<void()>& reply);
    /// Traces each line of non-body output.
    void traceSent(std::string_view sent);
    void handleCommand(const Command& command);
    void handleSaslLine(const std::string& line);
    void badCommand(std::string_view text);
    void doUser(const Command& command);
    void doPass(const Command& command);
    void doApop(const Command& command);
    void doAuth(const Command& command);
    void doStls();
    void doCapa();
    void doStat();
    void doListing(const Command& command);
    void doRetrieve(const Command& command);
    void doDele(const Command& command);
    void doRset();
    void doQuit();
    void doUtf8();
    void doLang(const Command& command);
    void continueSasl(const SaslServerExchange::Step& step);
    void login(const Credentials& credentials, std::string_view command);
    /// The message for a command's number, or nullptr after replying -ERR.
    const MessageInfo* lookUp(const Command& command);
    bool plaintextLoginAllowed() const;
    bool mechanismOffered(std::string_view mechanism) const;
    void handlerFailed(std::string_view command, const char* what);
    void queueBody(MessageContent content, std::optional<std::uint64_t> topLines);
    /// Appends `text` to the output as a plain segment.
    ResponseWriter writer();
    void close() { _closeRequested = true; }

    ServerSessionConfig _config;
    ServerSessionHandler& _handler;
    std::function<std::string()> _nonce;
    LineFramer _framer;
    SessionState _state = SessionState::Authorization;
    std::string _apopTimestamp;
    std::string _username;
    std::optional<std::string> _pendingUser;
    std::unique_ptr<SaslServerExchange> _sasl;
    unsigned _saslSteps = 0;
    std::vector<MessageInfo> _messages;
    std::deque<std::unique_ptr<Body>> _output;
    unsigned _badCommands = 0;
    /// Octets still to send before an intercepted dropAfterBytes closes the connection.
    std::optional<std::uint64_t> _cutRemaining;
    std::uint64_t _bodyOctetsSent = 0;
    bool _keepInputAfterStls = false;
    /// The handler replaced the last reply with a continuation: the next line is SASL data.
    bool _saslDataNext = false;
    bool _tlsRequested = false;
    bool _closeRequested = false;
    bool _updated = false;
    bool _ended = false;
    bool _utf8Mode = false;
    std::string _language;
};

} // namespace pop3
