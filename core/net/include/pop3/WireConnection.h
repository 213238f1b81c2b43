#pragma once

#include "pop3/Response.h"
#include "pop3/ResponseDecoder.h"
#include "pop3/Tls.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/X509Certificate.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3 {

/// A POP3 connection at the byte level, for tools that must see exactly what a server does
/// (the step runner, the conformance checker): connect (plain or implicit TLS), send any bytes,
/// read one response with the strict decoder, wait for the server to close, STLS upgrade. Build
/// TLS contexts with makeClientContext(). Every wait is bounded by the timeout given; SIGPIPE is
/// never raised.
class WireConnection {
public:
    using Clock = std::chrono::steady_clock;

    /// One response, or why none was read.
    struct Response {
        enum class Outcome {
            complete,
            /// The bytes break POP3 framing (error says how).
            malformed,
            /// The server closed the connection before the response was complete.
            closed,
            timeout,
            /// The multi-line body exceeded the limit.
            tooLarge,
            /// A socket or TLS error (error says which).
            failed,
        };

        Outcome outcome = Outcome::failed;
        /// The status line without CRLF, exactly as sent ("+ challenge" for a continuation).
        std::string statusLine;
        StatusLine status;
        bool continuation = false;
        /// The body lines, unstuffed, without CRLF and without the terminator.
        std::vector<std::string> body;
        /// The bytes received for this response (the first kKeptOctets), for reports; for a
        /// malformed response also the unread bytes after the offending one.
        std::string received;
        /// All bytes received for this response.
        std::uint64_t octets = 0;
        std::string error;
    };

    /// What waiting for the server to close found.
    struct CloseWait {
        enum class Outcome { closed, data, timeout, failed };
        Outcome outcome = Outcome::failed;
        /// The bytes that arrived instead (data), or the error (failed).
        std::string detail;
    };

    /// What a TLS handshake settled.
    struct TlsSession {
        /// "TLSv1.3" and so on.
        std::string protocol;
        std::string cipher;
        /// The server's certificate, when it sent one.
        std::optional<Poco::Net::X509Certificate> certificate;
    };

    /// Bytes of a response kept for reports.
    static constexpr std::size_t kKeptOctets = 64 * 1024;

    explicit WireConnection(std::string endpoint);
    ~WireConnection();

    WireConnection(const WireConnection&) = delete;
    WireConnection& operator=(const WireConnection&) = delete;

    /// Connects to host:port; with `context`, runs the TLS handshake first (implicit TLS).
    /// Throws ConnectionError, TimeoutError or TlsError.
    void connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
                 Poco::Net::Context::Ptr context, const std::string& serverName);
    /// Sends all of `bytes`. Throws ConnectionError or TimeoutError.
    void send(std::string_view bytes, std::chrono::milliseconds timeout);
    /// Reads one response of `kind`; never throws.
    Response read(ResponseKind kind, std::chrono::milliseconds timeout, std::uint64_t maxOctets);
    /// Waits for the server to close the connection; never throws.
    CloseWait waitForClose(std::chrono::milliseconds timeout);
    /// Drops bytes received but not yet read; returns how many.
    std::size_t discardBuffered();
    /// Client side of the TLS handshake on the open connection (after STLS). Throws
    /// ConnectionError, TimeoutError or TlsError.
    void startTls(Poco::Net::Context::Ptr context, const std::string& serverName,
                  std::chrono::milliseconds timeout);
    /// Closes the socket (no QUIT); never throws.
    void close();

    bool secure() const { return _secure; }
    /// The TLS session of a secure connection; empty fields otherwise.
    TlsSession tlsSession() const;
    const std::string& endpoint() const { return _endpoint; }

private:
    enum class Receive { data, closed, timeout, failed };

    Receive receive(Clock::time_point deadline, std::string& error);

    std::string _endpoint;
    Poco::Net::StreamSocket _socket;
    std::string _buffer;
    ResponseDecoder _decoder;
    bool _secure = false;
    bool _open = false;
};

} // namespace pop3
