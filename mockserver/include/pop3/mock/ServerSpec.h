#pragma once

#include "pop3/mock/Diagnostic.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::mock {

/// How the mock offers TLS.
enum class TlsMode {
    /// Plaintext only; STLS is refused (unless a rule answers it).
    None,
    /// Plaintext with STLS (RFC 2595).
    Stls,
    /// A TLS handshake first (RFC 8314).
    Implicit,
};

/// "none", "stls", "implicit".
std::string_view toString(TlsMode mode);

/// TLS protocol versions. The values equal pop3::TlsProtocol's (core/net), so
/// static_cast<pop3::TlsProtocol>(version) converts.
enum class TlsVersion { tls1_0 = 2, tls1_1 = 3, tls1_2 = 4, tls1_3 = 5 };

/// "TLSv1.0" ... "TLSv1.3", as written in scenarios.
std::string_view toString(TlsVersion version);

/// The server's certificate: PEM files, or one generated at start (self-signed for the
/// hostname).
struct CertificateSpec {
    /// Resolved paths; empty when `generate` is set.
    std::string certFile;
    std::string keyFile;
    bool generate = false;
};

struct TlsSpec {
    TlsMode mode = TlsMode::None;
    /// Required for stls and implicit; refused with none.
    std::optional<CertificateSpec> certificate;
    /// Unset: the server's defaults (TLSv1.2 .. TLSv1.3).
    std::optional<TlsVersion> minProtocol;
    std::optional<TlsVersion> maxProtocol;
};

/// Unset fields keep the server's defaults (pop3::ServerOptions).
struct AuthSpec {
    /// SASL mechanisms offered by AUTH, upper case (PLAIN, LOGIN, CRAM-MD5). Empty: no AUTH.
    std::optional<std::vector<std::string>> mechanisms;
    std::optional<bool> userPass;
    std::optional<bool> apop;
    /// Any password logs in (the app-test mode); an unknown user gets an empty mailbox.
    bool acceptAnyPassword = false;
    /// RFC 2595 §2.3: USER/PASS, PLAIN and LOGIN are refused before TLS.
    std::optional<bool> refusePlaintextLoginWithoutTls;
};

/// Unset fields keep the server's defaults.
struct LimitsSpec {
    /// Simultaneous connections; more get `-ERR [SYS/TEMP]`.
    std::optional<int> maxConnections;
    /// Worker threads.
    std::optional<int> poolSize;
    /// Autologout. RFC 1939 §3 asks for at least 10 minutes; shorter values are allowed for tests.
    std::optional<std::chrono::milliseconds> idleTimeout;
    /// RFC 2449 §6.5 LOGIN-DELAY: advertised, and a login sooner than this after the previous
    /// one of the same user is refused with `-ERR [LOGIN-DELAY]`.
    std::optional<std::chrono::seconds> loginDelay;
    /// Longest command line accepted, CRLF included.
    std::optional<std::size_t> maxCommandLine;
    /// Bad commands before the session is closed.
    std::optional<unsigned> maxBadCommands;
};

/// CAPA responses replacing the server's own, per state (the EAST test matrix). Each list holds
/// the capability lines as sent, without CRLF; an unset list keeps the server's own answer.
struct CapabilityOverrides {
    std::optional<std::vector<std::string>> plainBeforeLogin;
    std::optional<std::vector<std::string>> plainAfterLogin;
    std::optional<std::vector<std::string>> tlsBeforeLogin;
    std::optional<std::vector<std::string>> tlsAfterLogin;

    /// The override for a state, or nullptr when the server's own list applies.
    const std::vector<std::string>* forState(bool tls, bool loggedIn) const;
};

/// The `server:` section. Unset optionals keep pop3::Server's defaults.
struct ServerSpec {
    /// Greeting text after "+OK " (the APOP timestamp, if any, is appended by the server).
    std::optional<std::string> greeting;
    /// Whether the greeting carries an APOP timestamp (RFC 1939 §7). Default: on when APOP is.
    std::optional<bool> apopTimestamp;
    /// The name in the APOP timestamp, CRAM-MD5 challenges and generated certificates.
    std::optional<std::string> hostname;
    /// Listening address and port; the command line may override them. Port 0: any free port.
    std::optional<std::string> address;
    std::optional<std::uint16_t> port;
    CapabilityOverrides capabilities;
    AuthSpec auth;
    TlsSpec tls;
    LimitsSpec limits;
    /// RFC 1939 §8 maildrop lock: a second session of the same user gets `-ERR [IN-USE]`.
    std::optional<bool> mailboxLock;
    /// RFC 6856 §2: the UTF8 command ("UTF8 USER" in CAPA).
    std::optional<bool> utf8;
    /// RFC 6856 §3: the languages LANG offers, "tag" or "tag description"; "LANG *" picks the
    /// first.
    std::optional<std::vector<std::string>> languages;
    /// RFC 2449 §6.7: the EXPIRE capability's argument, "NEVER" or a number of days.
    std::optional<std::string> expire;
};

} // namespace pop3::mock
