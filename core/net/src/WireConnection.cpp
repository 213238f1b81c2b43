#include "pop3/WireConnection.h"

#include "pop3/Errors.h"
#include "pop3/ResponseDecoder.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <pthread.h>

namespace pop3 {

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
/// The longest one blocking TLS read may wait before the deadline is looked at again.
constexpr std::chrono::milliseconds kTlsReadSlice{50};

/// At least one millisecond: a zero Poco timeout means "wait forever".
Poco::Timespan toTimespan(WireConnection::Clock::duration duration) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
    return Poco::Timespan(std::max<Poco::Timespan::TimeDiff>(us, 1000));
}

std::string describe(std::chrono::milliseconds timeout) {
    return std::to_string(timeout.count()) + " ms";
}

/// Blocks SIGPIPE on this thread while it lives and swallows one raised meanwhile, so writing
/// to a connection the server closed (plain or through OpenSSL) gives an error, not a dead
/// process. The process's signal disposition is left alone.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigemptyset(&_pipe);
        sigaddset(&_pipe, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        _wasPending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &_pipe, &_previous);
    }

    ~SigpipeGuard() {
        if (!_wasPending) {
            sigset_t pending;
            sigemptyset(&pending);
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{0, 0};
                while (sigtimedwait(&_pipe, nullptr, &zero) == -1 && errno == EINTR) {
                }
            }
        }
        pthread_sigmask(SIG_SETMASK, &_previous, nullptr);
    }

    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t _pipe;
    sigset_t _previous;
    bool _wasPending = false;
};

void keep(std::string& kept, std::string_view data) {
    if (kept.size() < WireConnection::kKeptOctets)
        kept.append(data.substr(0, WireConnection::kKeptOctets - kept.size()));
}

TlsError tlsFailure(const std::string& endpoint, const std::string& serverName,
                    const Poco::Exception& e) {
    if (!lastVerificationFailure().empty())
        return TlsError("certificate of " + endpoint + " rejected for '" + serverName +
                        "': " + lastVerificationFailure());
    return TlsError("TLS handshake with " + endpoint + " failed: " + e.displayText());
}

/// Runs the handshake to its end within `deadline`. Poco 1.11 returns from connect() and
/// attach() without an error when a blocking handshake times out, leaving the rest to the
/// first read; this makes the handshake's outcome certain before any application data.
void finishHandshake(Poco::Net::SecureStreamSocket& secure,
                     WireConnection::Clock::time_point deadline) {
    for (;;) {
        const auto remaining = deadline - WireConnection::Clock::now();
        if (remaining <= WireConnection::Clock::duration::zero())
            throw Poco::TimeoutException();
        secure.setReceiveTimeout(toTimespan(remaining));
        secure.setSendTimeout(toTimespan(remaining));
        const int rc = secure.completeHandshake();
        if (rc == 1)
            return;
        if (rc == 0)
            throw Poco::Net::SSLConnectionUnexpectedlyClosedException("during the TLS handshake");
    }
}

std::string protocolName(int version) {
    switch (version) {
    case SSL3_VERSION:
        return "SSLv3";
    case TLS1_VERSION:
        return toString(TlsProtocol::tls1_0);
    case TLS1_1_VERSION:
        return toString(TlsProtocol::tls1_1);
    case TLS1_2_VERSION:
        return toString(TlsProtocol::tls1_2);
    case TLS1_3_VERSION:
        return toString(TlsProtocol::tls1_3);
    default:
        return "unknown (" + std::to_string(version) + ")";
    }
}

} // namespace

WireConnection::WireConnection(std::string endpoint) : _endpoint(std::move(endpoint)) {}

WireConnection::~WireConnection() {
    close();
}

void WireConnection::connect(const std::string& host, std::uint16_t port,
                             std::chrono::milliseconds timeout, Poco::Net::Context::Ptr context,
                             const std::string& serverName) {
    SigpipeGuard guard;
    Poco::Net::SocketAddress address;
    try {
        address = Poco::Net::SocketAddress(host, port);
    } catch (const Poco::Exception& e) {
        throw ConnectionError("cannot resolve " + _endpoint + ": " + e.displayText());
    }
    const Poco::Timespan span = toTimespan(timeout);
    const Clock::time_point deadline = Clock::now() + timeout;
    if (context) {
        clearVerificationFailure();
        try {
            Poco::Net::SecureStreamSocket secure(context);
            secure.setPeerHostName(serverName);
            secure.connect(address, span);
            finishHandshake(secure, deadline);
            _socket = secure;
        } catch (const Poco::Net::SSLException& e) {
            throw tlsFailure(_endpoint, serverName, e);
        } catch (const Poco::TimeoutException&) {
            throw TimeoutError("no connection and TLS handshake with " + _endpoint + " within " +
                               describe(timeout));
        } catch (const Poco::Exception& e) {
            throw ConnectionError("cannot connect to " + _endpoint + ": " + e.displayText());
        }
        _secure = true;
    } else {
        try {
            _socket.connect(address, span);
        } catch (const Poco::TimeoutException&) {
            throw TimeoutError("cannot connect to " + _endpoint + " within " + describe(timeout));
        } catch (const Poco::Exception& e) {
            throw ConnectionError("cannot connect to " + _endpoint + ": " + e.displayText());
        }
    }
    _open = true;
    try {
        _socket.setNoDelay(true);
    } catch (const Poco::Exception&) {
        // Only latency is at stake.
    }
}

void WireConnection::send(std::string_view bytes, std::chrono::milliseconds timeout) {
    SigpipeGuard guard;
    try {
        _socket.setSendTimeout(toTimespan(timeout));
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const int n =
                _socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
            if (n <= 0)
                throw ConnectionError("connection to " + _endpoint + " closed while sending");
            sent += static_cast<std::size_t>(n);
        }
    } catch (const Poco::TimeoutException&) {
        throw TimeoutError("sending to " + _endpoint + " took longer than " + describe(timeout));
    } catch (const Poco::Exception& e) {
        throw ConnectionError("connection to " + _endpoint +
                              " lost while sending: " + e.displayText());
    }
}

WireConnection::Receive WireConnection::receive(Clock::time_point deadline, std::string& error) {
    char chunk[kReadChunk];
    try {
        int n = 0;
        for (;;) {
            if (_socket.available() <= 0) {
                const auto remaining = deadline - Clock::now();
                if (remaining <= Clock::duration::zero() ||
                    !_socket.poll(toTimespan(remaining), Poco::Net::Socket::SELECT_READ))
                    return Receive::timeout;
            }
            // Bounds a TLS read that has only part of a record. Poco waits the whole receive
            // timeout anew after each record without data (TLS 1.3 session tickets), so a read
            // gets a slice and the loop keeps to the deadline.
            _socket.setReceiveTimeout(
                toTimespan(std::min<Clock::duration>(deadline - Clock::now(), kTlsReadSlice)));
            try {
                n = _socket.receiveBytes(chunk, sizeof chunk);
                break;
            } catch (const Poco::TimeoutException&) {
                if (Clock::now() >= deadline)
                    return Receive::timeout;
            }
        }
        if (n <= 0)
            return Receive::closed;
        _buffer.append(chunk, static_cast<std::size_t>(n));
        return Receive::data;
    } catch (const Poco::TimeoutException&) {
        return Receive::timeout;
    } catch (const Poco::Net::ConnectionResetException&) {
        return Receive::closed;
    } catch (const Poco::Net::SSLConnectionUnexpectedlyClosedException&) {
        return Receive::closed;
    } catch (const Poco::Exception& e) {
        error = e.displayText();
        return Receive::failed;
    }
}

WireConnection::Response WireConnection::read(ResponseKind kind, std::chrono::milliseconds timeout,
                                              std::uint64_t maxOctets) {
    SigpipeGuard guard;
    Response response;
    std::string body;
    bool tooLarge = false;
    _decoder.expect(kind, [&](std::string_view data) {
        if (body.size() + data.size() > maxOctets)
            tooLarge = true;
        else
            body.append(data);
    });
    const Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
        const std::size_t used = _decoder.feed(_buffer);
        keep(response.received, std::string_view(_buffer).substr(0, used));
        response.octets += used;
        _buffer.erase(0, used);
        if (tooLarge) {
            response.outcome = Response::Outcome::tooLarge;
            response.error = "the body exceeds " + std::to_string(maxOctets) + " octets";
            return response;
        }
        switch (_decoder.state()) {
        case ResponseDecoder::State::Complete: {
            response.outcome = Response::Outcome::complete;
            response.statusLine = response.received.substr(0, response.received.find("\r\n"));
            response.status = _decoder.status();
            response.continuation = _decoder.isContinuation();
            response.body = splitBodyLines(body);
            return response;
        }
        case ResponseDecoder::State::Failed:
            response.outcome = Response::Outcome::malformed;
            response.error = _decoder.error();
            keep(response.received, _buffer);
            return response;
        default:
            break;
        }
        std::string error;
        switch (receive(deadline, error)) {
        case Receive::data:
            continue;
        case Receive::closed:
            response.outcome = Response::Outcome::closed;
            return response;
        case Receive::timeout:
            response.outcome = Response::Outcome::timeout;
            return response;
        case Receive::failed:
            response.outcome = Response::Outcome::failed;
            response.error = error;
            return response;
        }
    }
}

WireConnection::CloseWait WireConnection::waitForClose(std::chrono::milliseconds timeout) {
    SigpipeGuard guard;
    CloseWait wait;
    const Clock::time_point deadline = Clock::now() + timeout;
    if (_buffer.empty()) {
        switch (receive(deadline, wait.detail)) {
        case Receive::closed:
            wait.outcome = CloseWait::Outcome::closed;
            return wait;
        case Receive::timeout:
            wait.outcome = CloseWait::Outcome::timeout;
            return wait;
        case Receive::failed:
            wait.outcome = CloseWait::Outcome::failed;
            return wait;
        case Receive::data:
            break;
        }
    }
    wait.outcome = CloseWait::Outcome::data;
    keep(wait.detail, _buffer);
    return wait;
}

std::size_t WireConnection::discardBuffered() {
    const std::size_t n = _buffer.size();
    _buffer.clear();
    return n;
}

void WireConnection::startTls(Poco::Net::Context::Ptr context, const std::string& serverName,
                              std::chrono::milliseconds timeout) {
    SigpipeGuard guard;
    clearVerificationFailure();
    const Clock::time_point deadline = Clock::now() + timeout;
    try {
        _socket.setReceiveTimeout(toTimespan(timeout));
        _socket.setSendTimeout(toTimespan(timeout));
        Poco::Net::SecureStreamSocket secure =
            Poco::Net::SecureStreamSocket::attach(_socket, serverName, context);
        _socket = secure;
        finishHandshake(secure, deadline);
    } catch (const Poco::Net::SSLException& e) {
        throw tlsFailure(_endpoint, serverName, e);
    } catch (const Poco::TimeoutException&) {
        throw TimeoutError("no TLS handshake with " + _endpoint + " within " + describe(timeout));
    } catch (const Poco::Exception& e) {
        throw ConnectionError("connection to " + _endpoint +
                              " lost during the TLS handshake: " + e.displayText());
    }
    _secure = true;
}

WireConnection::TlsSession WireConnection::tlsSession() const {
    TlsSession session;
    if (!_secure)
        return session;
    try {
        Poco::Net::SecureStreamSocket secure(_socket);
        if (const Poco::Net::Session::Ptr current = secure.currentSession()) {
            if (const SSL_SESSION* ssl = current->sslSession()) {
                session.protocol = protocolName(SSL_SESSION_get_protocol_version(ssl));
                if (const SSL_CIPHER* cipher = SSL_SESSION_get0_cipher(ssl))
                    session.cipher = SSL_CIPHER_get_name(cipher);
            }
        }
        if (secure.havePeerCertificate())
            session.certificate = secure.peerCertificate();
    } catch (const Poco::Exception&) {
        // A connection the server dropped: report what is known.
    }
    return session;
}

void WireConnection::close() {
    if (!_open)
        return;
    _open = false;
    SigpipeGuard guard;
    try {
        _socket.close();
    } catch (...) {
        // A socket the server already dropped: nothing to report.
    }
}

} // namespace pop3
