#pragma once

#include "pop3/Response.h"
#include "pop3/Tls.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pop3 {

/// How Client logs in (numbered as in the infinity.pop3 API).
enum class AuthMode { userPass = 0, apop = 1, sasl = 2 };

/// How Client protects the connection: none, implicit TLS (RFC 8314, port 995), or STLS after
/// the greeting (RFC 2595). sslTls and startTls never send credentials in plaintext.
enum class EncryptMode { none = 0, sslTls = 1, startTls = 2 };

/// One line of LIST: message number (1-based, as on the wire) and size in octets.
struct ListEntry {
    std::uint64_t msgNum = 0;
    std::uint64_t size = 0;
};

/// One line of UIDL: message number and unique-id.
struct UidlEntry {
    std::uint64_t msgNum = 0;
    std::string id;
};

/// LIST and UIDL together (sent pipelined when the server allows it).
struct MessageListing {
    std::uint64_t msgNum = 0;
    std::uint64_t size = 0;
    std::string uid;
};

/// The reply to STAT.
struct MaildropStat {
    std::uint64_t count = 0;
    std::uint64_t octets = 0;
};

/// The server's CAPA reply (RFC 2449), parsed. Empty when the server has no CAPA.
struct Capabilities {
    bool top = false;
    bool uidl = false;
    bool user = false;
    bool stls = false;
    bool respCodes = false;
    bool authRespCode = false;
    bool pipelining = false;
    std::vector<std::string> saslMechanisms;
    /// EXPIRE and LOGIN-DELAY arguments as sent ("NEVER", "30", "0 USER"...).
    std::optional<std::string> expire;
    std::optional<std::string> loginDelay;
    std::optional<std::string> implementation;
    /// Every capability line as sent.
    std::vector<std::string> lines;

    bool has(std::string_view name) const;
};

/// A POP3 client (RFC 1939, 2449, 2595, 5034, 8314) on Poco sockets and OpenSSL.
///
/// Set the public settings, call connect(), then the commands; disconnect() sends QUIT, which is
/// when the server applies deletions. Destroying a connected client closes the connection
/// without QUIT: nothing is deleted. Every method throws a pop3::Error subclass on failure
/// (see Errors.h); a message is never returned truncated.
class Client {
public:
    Client();
    ~Client();
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Settings, read by connect().

    std::string host = "localhost";
    /// 0 means the default port of encryptMode: 995 for sslTls, 110 otherwise.
    std::uint16_t port = 0;
    /// Applies to connecting, the TLS handshake and every wait for a reply.
    std::chrono::milliseconds timeout{30000};
    std::string username;
    std::string password;
    AuthMode authMode = AuthMode::userPass;
    EncryptMode encryptMode = EncryptMode::none;
    /// Verify the server's certificate chain and that it is valid for `host` (also on
    /// loopback). Turn off only for servers you trust by other means.
    bool verifyServerCertificate = true;
    /// OpenSSL's SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION, for old servers only.
    bool allowUnsafeLegacyRenegotiation = false;
    /// OpenSSL's SSL_OP_LEGACY_SERVER_CONNECT: connect to servers without RFC 5746 support.
    bool useLegacyServerConnect = false;
    /// PEM file and/or hashed directory of CAs to trust instead of the system's.
    std::string caFile;
    std::string caPath;
    TlsProtocol minProtocol = TlsProtocol::tls1_2;
    TlsProtocol maxProtocol = TlsProtocol::tls1_3;
    /// SASL mechanisms in order of preference; empty: the strongest the server offers of
    /// CRAM-MD5, PLAIN, LOGIN.
    std::vector<std::string> saslMechanisms;

    /// Called while a message arrives: octets so far, and the size the server announced (0 when
    /// it did not say).
    std::function<void(std::uint64_t received, std::uint64_t expected)> onProgress;
    /// Called for every command and status line, passwords and SASL data masked.
    std::function<void(TraceDirection, std::string_view line)> onTrace;

    /// Connects, reads the greeting, reads CAPA, upgrades with STLS if asked, and logs in with
    /// authMode (skipped when username is empty, leaving the session in AUTHORIZATION).
    void connect();
    /// QUIT: the server applies deletions, then the connection is closed. Throws ServerError
    /// when the server reports it could not remove every message. Does nothing when not
    /// connected.
    void disconnect();
    bool connected() const;

    /// The greeting, without "+OK ".
    const std::string& greeting() const;
    /// CAPA as read after the last greeting or STLS (read again over TLS).
    const Capabilities& capabilities() const;
    /// True once the connection is encrypted.
    bool secure() const;

    MaildropStat stat();
    /// Number of messages (STAT).
    std::uint64_t count();
    /// Total octets of the maildrop (STAT).
    std::uint64_t size();
    /// Size of one message (LIST n).
    std::uint64_t size(std::uint64_t msgNum);
    std::vector<ListEntry> list(std::optional<std::uint64_t> msgNum = std::nullopt);
    std::vector<UidlEntry> uidl(std::optional<std::uint64_t> msgNum = std::nullopt);
    /// LIST and UIDL in one round trip when the server announces PIPELINING.
    std::vector<MessageListing> listing();

    /// The whole message, exactly as the server holds it (CRLF line ends, unstuffed).
    std::string retrieve(std::uint64_t msgNum);
    /// Streams the message to `out` in constant memory; returns the octets written.
    std::uint64_t retrieve(std::uint64_t msgNum, std::ostream& out);
    /// Writes the message to `fileName` (relative paths resolve against the current working
    /// directory) through a temporary file renamed into place: a failed retrieve leaves no
    /// partial file at the target. Returns the octets written.
    std::uint64_t retrieve(std::uint64_t msgNum, const std::string& fileName);

    /// RETR for many messages, pipelined when the server allows: `out(msgNum)` gives the stream
    /// for each, asked for just before it arrives. Returns the octets of each. If the server
    /// refuses one, the others are still delivered, then ServerError is thrown.
    std::vector<std::uint64_t>
    retrieve(const std::vector<std::uint64_t>& msgNums,
             const std::function<std::ostream&(std::uint64_t msgNum)>& out);

    /// The headers and the first `maxLines` body lines (TOP).
    std::string top(std::uint64_t msgNum, std::uint64_t maxLines = 0);
    std::uint64_t top(std::uint64_t msgNum, std::uint64_t maxLines, std::ostream& out);
    std::uint64_t top(std::uint64_t msgNum, std::uint64_t maxLines, const std::string& fileName);

    /// DELE: marks the message; the server deletes it at disconnect(). False when the server
    /// refuses (no such message, already deleted).
    bool remove(std::uint64_t msgNum);
    /// DELE for each, pipelined when the server allows; the result per message, in order.
    std::vector<bool> remove(const std::vector<std::uint64_t>& msgNums);
    void noop();
    /// RSET: clears the deletion marks.
    void reset();

private:
    class Connection;
    std::unique_ptr<Connection> _connection;

    /// Runs `function` on the connection; an error other than -ERR ends the connection.
    template <typename Function> auto use(Function&& function);
};

} // namespace pop3
