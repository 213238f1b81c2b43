#pragma once

#include "pop3/Auth.h"
#include "pop3/Limits.h"
#include "pop3/ServerSessionHandler.h"
#include "pop3/Tls.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pop3 {

/// The message a handler works on (Session::item).
struct SessionItem {
    std::uint64_t id = 0;
    std::string uid;
    std::uint64_t size = 0;
    bool deleted = false;
    /// onRetrieve/onTop set this to the message (RFC 5322 text; LF or CRLF line ends).
    std::string msg;
    /// onTop: the number of body lines the client asked for. onRetrieve may set it to the
    /// message's line count (informational).
    std::uint64_t lines = 0;
    /// Instead of msg, a stream to send the message from in chunks (large messages).
    std::shared_ptr<std::istream> stream;
};

/// One client connection as the handlers see it. The same object is passed to every handler of
/// a connection, so fields set in one handler are visible in the next.
class Session {
public:
    /// Session id, unique while the server runs; 0 in onDisconnect (the session is gone).
    std::uint64_t id = 0;
    /// The client's address and port.
    std::string ip;
    std::uint16_t port = 0;
    /// The user name and, for USER/PASS, PLAIN and LOGIN, the password. APOP and CRAM-MD5 never
    /// reveal a password: verify those with checkSecret().
    std::string username;
    std::string password;
    /// onLogin sets this to true when the credentials are valid.
    bool authenticated = false;
    /// onLogin fills the maildrop; onQuit and onDisconnect see it with the deletion marks.
    std::vector<MessageInfo> items;
    /// The message of onRetrieve, onTop and onDelete.
    SessionItem item;

    /// How the client authenticated (valid in onLogin and after).
    AuthMethod authMethod = AuthMethod::UserPass;
    /// True once the connection is encrypted (implicit TLS or after STLS).
    bool secure = false;
    /// onLogin may set this when refusing, to answer with the matching response code instead
    /// of `-ERR [AUTH]`: InUse, LoginDelay, TemporaryFailure or PermanentFailure.
    LoginStatus refusal = LoginStatus::Rejected;

    /// True when the client proved knowledge of `secret` by any method: an equal password for
    /// USER/PASS, PLAIN and LOGIN, or a matching digest for APOP and CRAM-MD5. The one check an
    /// onLogin handler needs.
    bool checkSecret(std::string_view secret) const { return _credentials.matches(secret); }

    /// Closes the connection once the current reply is sent. Nothing is deleted.
    void disconnect();
    bool disconnectRequested() const { return _disconnectRequested; }

private:
    friend class ServerConnection;
    Credentials _credentials;
    std::function<void()> _onDisconnectRequest;
    bool _disconnectRequested = false;
};

/// What Server::onCommand may do with a command (or the greeting) instead of the normal
/// reply: the protocol-level deviations of Intercept, plus timing.
struct CommandAction : Intercept {
    /// Wait this long before handling (stop() cuts the wait short).
    std::chrono::milliseconds delay{0};
    /// Never answer: read and discard until the client closes, the idle timeout or stop().
    bool stall = false;
};

/// Settings beyond the infinity.pop3 constructor's; change them before start().
struct ServerOptions {
    /// Address to listen on ("127.0.0.1", "::1", "0.0.0.0" for every IPv4 interface).
    std::string address = "0.0.0.0";
    /// Implicit TLS (RFC 8314) on any port; port 995 always means implicit TLS.
    bool implicitTls = false;
    /// Name in the APOP timestamp and CRAM-MD5 challenges.
    std::string hostname = "localhost";
    std::string greeting = "POP3 server ready";
    std::string implementation = "pop3-conform";
    /// Further CAPA lines, listed last (e.g. "LOGIN-DELAY 900", "EXPIRE NEVER").
    std::vector<std::string> extraCapabilities;
    bool apop = true;
    bool userPass = true;
    std::vector<std::string> saslMechanisms = {"CRAM-MD5", "PLAIN", "LOGIN"};
    /// RFC 2595 §2.3: refuse USER/PASS, PLAIN and LOGIN before STLS.
    bool refusePlaintextLoginWithoutTls = false;
    /// RFC 6856 §2: the UTF8 command, announced as "UTF8 USER".
    bool utf8 = false;
    /// RFC 6856 §3: LANG's languages, "tag" or "tag description" ("en English"); "LANG *" picks
    /// the first, and "i-default" is added when missing. Empty: no LANG.
    std::vector<std::string> languages;
    /// RFC 1939 §8: one session per maildrop; a second login gets `-ERR [IN-USE]`.
    bool exclusiveMailboxLock = true;
    /// RFC 1939 §3 autologout: an idle session is closed without UPDATE.
    std::chrono::milliseconds idleTimeout = limits::kMinAutologout;
    /// The TLS handshake must finish within this time.
    std::chrono::milliseconds tlsHandshakeTimeout = std::chrono::seconds(30);
    /// RFC 2449 §4 command length limit, CRLF included.
    std::size_t maxCommandLine = limits::kMaxCommandLine;
    unsigned maxBadCommands = limits::kMaxBadCommands;
};

/// A POP3 server (RFC 1939, 2449, 2595, 5034) on Poco's TCPServer. Requests are answered by
/// the on... handlers, which run on the server's worker threads: several at once for different
/// connections, so shared state they touch needs its own locking.
class Server {
public:
    using Handler = std::function<void(Session&)>;

    /// `ssl`: accept TLS (implicit on port 995 or with options().implicitTls, otherwise STLS once
    /// a certificate is set); false serves plaintext only. `verifyCertificate`: verify client
    /// certificates when clients present one (against setCertificate's rootCertFile).
    /// `port` 0 picks a free port (see port()). `maxConnections`: more simultaneous
    /// connections get `-ERR [SYS/TEMP]` and are closed (under implicit TLS they are closed).
    /// `poolSize`: worker threads serving connections; at most maxConnections are used.
    explicit Server(bool ssl = true, bool verifyCertificate = false, std::uint16_t port = 110,
                    int maxConnections = 100, int poolSize = 100,
                    TlsProtocol minProtocol = TlsProtocol::tls1_2,
                    TlsProtocol maxProtocol = TlsProtocol::tls1_3);
    ~Server();

    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Loads the certificate chain and key (PEM). `rootCertFile`, if given, is the CA used to
    /// verify client certificates and, with `verify`, to check now that the server certificate
    /// chains to it and is within its validity period. Throws CertificateError naming the file.
    void setCertificate(const std::string& certFile, const std::string& keyFile,
                        const std::string& rootCertFile = {}, bool verify = false);

    /// Starts listening and returns; connections are served on the worker threads.
    void start();
    /// Closes the port, ends every session (as a disconnect: nothing is deleted) and waits for
    /// the handlers to return.
    void stop();
    bool running() const;

    /// The listening port (the chosen one when constructed with port 0), valid after start().
    std::uint16_t port() const;
    /// True when connections start with a TLS handshake.
    bool implicitTls() const;

    ServerOptions& options() { return _options; }

    /// Sessions currently connected.
    int connections() const;

    Handler onConnect;
    Handler onLogin;
    Handler onRetrieve;
    Handler onTop;
    Handler onDelete;
    Handler onQuit;
    Handler onDisconnect;

    /// Beyond the infinity.pop3 API: called before the greeting and each command (outside AUTH
    /// exchanges) with the line as received; the action it returns can replace, delay, cut or
    /// withhold the reply. For mock servers and fault injection.
    std::function<CommandAction(Session&, const CommandContext&)> onCommand;
    /// Called with each line received and sent (message bodies summarised; passwords and SASL
    /// data shown as "****"), from the connection's thread.
    std::function<void(const Session&, TraceDirection, std::string_view line)> onTrace;

private:
    friend class ServerConnection;
    friend class ConnectionLimit;
    struct State;

    ServerOptions _options;
    std::unique_ptr<State> _state;
};

} // namespace pop3
