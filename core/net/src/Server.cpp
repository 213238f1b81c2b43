#include "pop3/Server.h"

#include "pop3/Errors.h"
#include "pop3/Sasl.h"
#include "pop3/ServerSession.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/RandomStream.h>
#include <Poco/ThreadPool.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace pop3 {

namespace {

constexpr std::uint16_t kImplicitTlsPort = 995; // RFC 8314 §7.2
constexpr std::size_t kReadBuffer = 16 * 1024;

Poco::Logger& logger() {
    return Poco::Logger::get("pop3.server");
}

Poco::Timespan toTimespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

/// Fails with the file's name and the system's reason when `path` cannot be read.
void requireReadable(const std::string& path, const char* what) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw CertificateError(std::string("cannot read ") + what + " '" + path +
                               "': " + std::strerror(errno));
}

std::string openSslError() {
    std::string text;
    char buffer[256];
    while (const unsigned long code = ERR_get_error()) {
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.empty())
            text += "; ";
        text += buffer;
    }
    return text.empty() ? "unknown OpenSSL error" : text;
}

/// Verifies that the first certificate of `certFile` chains to `rootFile` (intermediates taken
/// from the rest of `certFile`) and is within its validity period.
void verifyCertificateChain(const std::string& certFile, const std::string& rootFile) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(certFile.c_str(), "r"), &std::fclose);
    if (!file)
        throw CertificateError("cannot read certificate file '" + certFile + "'");
    std::unique_ptr<X509, void (*)(X509*)> leaf(
        PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!leaf)
        throw CertificateError("no PEM certificate in '" + certFile + "': " + openSslError());
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> chain(
        sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); });
    while (X509* extra = PEM_read_X509(file.get(), nullptr, nullptr, nullptr))
        sk_X509_push(chain.get(), extra);
    ERR_clear_error();

    std::unique_ptr<X509_STORE, void (*)(X509_STORE*)> store(X509_STORE_new(), &X509_STORE_free);
    const bool loaded = rootFile.empty() ? X509_STORE_set_default_paths(store.get()) == 1
                                         : X509_STORE_load_file(store.get(), rootFile.c_str()) == 1;
    if (!loaded)
        throw CertificateError("cannot load root certificate file '" + rootFile +
                               "': " + openSslError());
    std::unique_ptr<X509_STORE_CTX, void (*)(X509_STORE_CTX*)> context(X509_STORE_CTX_new(),
                                                                       &X509_STORE_CTX_free);
    X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), chain.get());
    if (X509_verify_cert(context.get()) != 1) {
        const int error = X509_STORE_CTX_get_error(context.get());
        throw CertificateError("certificate '" + certFile + "' does not verify against '" +
                               (rootFile.empty() ? std::string("the system CAs") : rootFile) +
                               "': " + X509_verify_cert_error_string(error));
    }
}

std::string makeNonce() {
    static std::atomic<std::uint64_t> counter{0};
    Poco::RandomInputStream random;
    std::uint64_t bits = 0;
    random.read(reinterpret_cast<char*>(&bits), sizeof bits);
    char text[64];
    std::snprintf(text, sizeof text, "%016llx.%llu.%llu", static_cast<unsigned long long>(bits),
                  static_cast<unsigned long long>(std::time(nullptr)),
                  static_cast<unsigned long long>(++counter));
    return text;
}

/// Runs the server side of the TLS handshake on `plain`'s connection with one deadline for all
/// of it, so that a client trickling bytes cannot keep it going read after read.
void completeHandshake(Poco::Net::StreamSocket& plain, Poco::Net::SecureStreamSocket& secure,
                       std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // Non-blocking on the plain socket: the TLS layer checks its blocking flag.
    plain.setBlocking(false);
    for (;;) {
        const int rc = secure.completeHandshake();
        if (rc == 1)
            break;
        if (rc != Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ &&
            rc != Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE)
            throw Poco::Net::ConnectionResetException("closed during the handshake");
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw Poco::TimeoutException("no complete handshake within " +
                                         std::to_string(timeout.count()) + " ms");
        plain.poll(toTimespan(left), rc == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE
                                         ? Poco::Net::Socket::SELECT_WRITE
                                         : Poco::Net::Socket::SELECT_READ);
    }
    plain.setBlocking(true);
}

void sendAll(Poco::Net::StreamSocket& socket, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const int n = socket.sendBytes(data.data() + sent, static_cast<int>(data.size() - sent));
        if (n <= 0)
            throw Poco::Net::ConnectionResetException("peer stopped reading");
        sent += static_cast<std::size_t>(n);
    }
}

} // namespace

struct Server::State {
    bool ssl;
    bool verifyCertificate;
    std::uint16_t port;
    int maxConnections;
    int poolSize;
    TlsProtocol minProtocol;
    TlsProtocol maxProtocol;

    Poco::Net::Context::Ptr context;
    std::unique_ptr<Poco::ThreadPool> pool;
    std::unique_ptr<Poco::Net::TCPServer> tcp;
    bool implicitTls = false;

    std::atomic<int> connections{0};
    std::atomic<std::uint64_t> nextSessionId{0};
    std::mutex mutex;
    bool stopping = false;
    std::map<std::uint64_t, Poco::Net::StreamSocket> live;
    std::set<std::string> lockedMailboxes;
};

void Session::disconnect() {
    _disconnectRequested = true;
    if (_onDisconnectRequest)
        _onDisconnectRequest();
}

/// Refuses connections over maxConnections with `-ERR [SYS/TEMP]` instead of letting Poco queue
/// or silently drop them.
class ConnectionLimit : public Poco::Net::TCPServerConnectionFilter {
public:
    explicit ConnectionLimit(Server::State& state) : _state(state) {}

    bool accept(const Poco::Net::StreamSocket& socket) override {
        if (_state.connections.fetch_add(1) < _state.maxConnections)
            return true;
        --_state.connections;
        if (!_state.implicitTls) {
            try {
                Poco::Net::StreamSocket client(socket);
                client.setSendTimeout(Poco::Timespan(1, 0));
                sendAll(client, "-ERR [SYS/TEMP] Too many connections, try again later\r\n");
            } catch (const Poco::Exception&) {
                // The client went away first; closing is all that is left.
            }
        }
        logger().warning("connection refused: maxConnections (%d) reached", _state.maxConnections);
        return false;
    }

private:
    Server::State& _state;
};

/// One client connection: the transport around a ServerSession, and the adapter from the
/// session's requests to the Server's on... handlers.
class ServerConnection : public Poco::Net::TCPServerConnection, private ServerSessionHandler {
public:
    ServerConnection(const Poco::Net::StreamSocket& socket, Server& server)
        : Poco::Net::TCPServerConnection(socket), _server(server), _state(*server._state) {}

    ~ServerConnection() override { --_state.connections; }

    void run() override {
        Poco::Net::StreamSocket plain = socket();
        _session.id = ++_state.nextSessionId;
        try {
            const Poco::Net::SocketAddress peer = plain.peerAddress();
            _session.ip = peer.host().toString();
            _session.port = peer.port();
        } catch (const Poco::Exception&) {
            return; // already gone
        }
        if (!registerSocket(plain))
            return;
        try {
            serve(plain);
        } catch (const Poco::Exception& e) {
            logger().debug("session %Lu: %s", _session.id, e.displayText());
        } catch (const std::exception& e) {
            logger().error("session %Lu: %s", _session.id, std::string(e.what()));
        }
        // Before ending: ended() sets the session id, the key of the live entry, to 0.
        unregisterSocket();
        if (_core)
            _core->end();
        else
            ended({}, false);
        close(plain);
    }

private:
    bool registerSocket(const Poco::Net::StreamSocket& socket) {
        std::lock_guard<std::mutex> lock(_state.mutex);
        if (_state.stopping)
            return false;
        _state.live.emplace(_session.id, socket);
        return true;
    }

    void unregisterSocket() {
        std::lock_guard<std::mutex> lock(_state.mutex);
        _state.live.erase(_session.id);
    }

    /// Closes the connection now rather than when the last copy of the socket goes away, so
    /// the client sees the end of the session at once.
    void close(Poco::Net::StreamSocket& plain) {
        try {
            if (_session.secure)
                _active.shutdown(); // close_notify
        } catch (const Poco::Exception&) {
            // The peer is gone already.
        }
        _active.close();
        plain.close();
    }

    void serve(Poco::Net::StreamSocket& plain) {
        const ServerOptions& options = _server._options;
        plain.setNoDelay(true);
        plain.setSendTimeout(toTimespan(options.idleTimeout));
        _active = plain;
        if (_state.implicitTls)
            startTls(plain);
        _session._onDisconnectRequest = [this] {
            try {
                _active.shutdownReceive();
            } catch (const Poco::Exception&) {
            }
        };
        callHandler(_server.onConnect, "connect");
        if (_session.disconnectRequested())
            return;

        ServerSessionConfig config;
        config.hostname = options.hostname;
        config.greeting = options.greeting;
        config.implementation = options.implementation;
        config.extraCapabilities = options.extraCapabilities;
        config.userPass = options.userPass;
        config.apop = options.apop;
        config.saslMechanisms = options.saslMechanisms;
        config.tlsAvailable = _state.ssl && _state.context && !_state.implicitTls;
        config.tlsActive = _state.implicitTls;
        config.refusePlaintextLoginWithoutTls = options.refusePlaintextLoginWithoutTls;
        config.utf8 = options.utf8;
        config.languages = options.languages;
        config.maxCommandLine = options.maxCommandLine;
        config.maxBadCommands = options.maxBadCommands;
        ServerSessionHandler& handler = *this;
        _core = std::make_unique<ServerSession>(config, handler, &makeNonce);
        _core->start();
        flush();

        char buffer[kReadBuffer];
        const Poco::Timespan idle = toTimespan(options.idleTimeout);
        while (!_core->closeRequested() && !_session.disconnectRequested()) {
            if (_active.available() <= 0 && !_active.poll(idle, Poco::Net::Socket::SELECT_READ)) {
                logger().information("session %Lu: idle for %Ld ms, closing (no UPDATE)",
                                     _session.id,
                                     static_cast<Poco::Int64>(options.idleTimeout.count()));
                return;
            }
            const int n = _active.receiveBytes(buffer, sizeof buffer);
            if (n <= 0)
                return;
            _core->feed(std::string_view(buffer, static_cast<std::size_t>(n)));
            flush();
            if (_core->tlsRequested()) {
                startTls(plain);
                _core->tlsStarted();
                flush();
            }
        }
    }

    void startTls(Poco::Net::StreamSocket& plain) {
        const ServerOptions& options = _server._options;
        Poco::Net::SecureStreamSocket secure =
            Poco::Net::SecureStreamSocket::attach(plain, _state.context);
        try {
            completeHandshake(plain, secure, options.tlsHandshakeTimeout);
        } catch (const Poco::Exception& e) {
            throw TlsError("TLS handshake with " + _session.ip + " failed: " + e.displayText());
        }
        secure.setReceiveTimeout(toTimespan(options.idleTimeout));
        _active = secure;
        _session.secure = true;
    }

    void flush() {
        std::string out;
        while (_core->pullOutput(out)) {
            sendAll(_active, out);
            out.clear();
        }
    }

    void callHandler(const Server::Handler& handler, const char* event) {
        if (!handler)
            return;
        try {
            handler(_session);
        } catch (const std::exception& e) {
            handlerFailed(event, e.what());
        } catch (...) {
            handlerFailed(event, "unknown exception");
        }
    }

    void prepareItem(const MessageInfo& message, std::uint64_t lines) {
        _session.item = SessionItem{};
        _session.item.id = message.id;
        _session.item.uid = message.uid;
        _session.item.size = message.size;
        _session.item.deleted = message.deleted;
        _session.item.lines = lines;
    }

    MessageContent takeItemContent() {
        if (_session.item.stream)
            return MessageContent::fromStream(std::move(_session.item.stream));
        return MessageContent::fromText(std::move(_session.item.msg));
    }

    // ServerSessionHandler: where the protocol core meets the on... handlers. Exceptions from
    // the handlers propagate to the core, which answers -ERR [SYS/TEMP].

    LoginResult login(const Credentials& credentials) override {
        _session.username = credentials.username;
        _session.password = credentials.password;
        _session.authMethod = credentials.method;
        _session._credentials = credentials;
        _session.authenticated = false;
        _session.refusal = LoginStatus::Rejected;
        _session.items.clear();
        if (_server.onLogin)
            _server.onLogin(_session);

        LoginResult result;
        if (!_session.authenticated) {
            result.status = _session.refusal == LoginStatus::Accepted ? LoginStatus::Rejected
                                                                      : _session.refusal;
            _session.username.clear();
            _session.password.clear();
            _session._credentials = Credentials{};
            return result;
        }
        if (_server._options.exclusiveMailboxLock && !lockMailbox(credentials.username)) {
            _session.authenticated = false;
            result.status = LoginStatus::InUse;
            return result;
        }
        result.status = LoginStatus::Accepted;
        result.messages = _session.items;
        return result;
    }

    MessageContent retrieve(MessageIndex, const MessageInfo& message) override {
        if (!_server.onRetrieve)
            return {};
        prepareItem(message, 0);
        _server.onRetrieve(_session);
        return takeItemContent();
    }

    MessageContent top(MessageIndex, const MessageInfo& message, std::uint64_t lines) override {
        const Server::Handler& handler = _server.onTop ? _server.onTop : _server.onRetrieve;
        if (!handler)
            return {};
        prepareItem(message, lines);
        handler(_session);
        return takeItemContent();
    }

    bool markDeleted(MessageIndex, const MessageInfo& message) override {
        if (!_server.onDelete)
            return true;
        prepareItem(message, 0);
        _session.item.deleted = false;
        _server.onDelete(_session);
        return _session.item.deleted;
    }

    bool update(const std::vector<MessageInfo>& messages) override {
        _session.items = messages;
        // Whatever onQuit does, the maildrop is free before +OK reaches the client, so that
        // its next session is not refused with [IN-USE].
        struct Unlock {
            ServerConnection& connection;
            ~Unlock() { connection.unlockMailbox(); }
        } unlock{*this};
        if (_server.onQuit)
            _server.onQuit(_session);
        return true;
    }

    void ended(const std::vector<MessageInfo>& messages, bool) override {
        _session.items = messages;
        unlockMailbox();
        _session.id = 0;
        callHandler(_server.onDisconnect, "disconnect");
    }

    Intercept intercept(const CommandContext& context) override {
        if (!_server.onCommand)
            return {};
        const CommandAction action = _server.onCommand(_session, context);
        if (action.stall) {
            stall();
            Intercept dropped;
            dropped.dropBeforeReply = true;
            return dropped;
        }
        if (action.delay.count() > 0)
            pause(action.delay);
        return action;
    }

    void trace(TraceDirection direction, std::string_view line) override {
        if (_server.onTrace)
            _server.onTrace(_session, direction, line);
    }

    /// Sleeps in short steps so that stop() is not held up.
    void pause(std::chrono::milliseconds duration) {
        const auto deadline = std::chrono::steady_clock::now() + duration;
        while (!stopping() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                std::chrono::milliseconds(20), deadline - std::chrono::steady_clock::now()));
    }

    /// Reads and discards until the client closes, the idle timeout passes or stop().
    void stall() {
        const auto idle = _server._options.idleTimeout;
        auto lastInput = std::chrono::steady_clock::now();
        char buffer[4096];
        try {
            while (!stopping() && std::chrono::steady_clock::now() - lastInput < idle) {
                if (!_active.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ))
                    continue;
                if (_active.receiveBytes(buffer, sizeof buffer) <= 0)
                    return;
                lastInput = std::chrono::steady_clock::now();
            }
        } catch (const Poco::Exception&) {
            // The client went away: the stall is over.
        }
    }

    bool stopping() {
        std::lock_guard<std::mutex> lock(_state.mutex);
        return _state.stopping;
    }

    void handlerFailed(std::string_view command, std::string_view what) override {
        logger().error("session %Lu: %s handler threw: %s", _session.id, std::string(command),
                       std::string(what));
    }

    void unlockMailbox() {
        if (!_lockedMailbox)
            return;
        std::lock_guard<std::mutex> lock(_state.mutex);
        _state.lockedMailboxes.erase(*_lockedMailbox);
        _lockedMailbox.reset();
    }

    bool lockMailbox(const std::string& username) {
        std::lock_guard<std::mutex> lock(_state.mutex);
        if (!_state.lockedMailboxes.insert(username).second)
            return false;
        _lockedMailbox = username;
        return true;
    }

    Server& _server;
    Server::State& _state;
    Session _session;
    Poco::Net::StreamSocket _active;
    std::unique_ptr<ServerSession> _core;
    std::optional<std::string> _lockedMailbox;
};

class ServerConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    explicit ServerConnectionFactory(Server& server) : _server(server) {}

    Poco::Net::TCPServerConnection*
    createConnection(const Poco::Net::StreamSocket& socket) override {
        return new ServerConnection(socket, _server);
    }

private:
    Server& _server;
};

Server::Server(bool ssl, bool verifyCertificate, std::uint16_t port, int maxConnections,
               int poolSize, TlsProtocol minProtocol, TlsProtocol maxProtocol)
    : _state(std::make_unique<State>()) {
    if (maxConnections < 1)
        throw UsageError("maxConnections must be at least 1");
    if (poolSize < 1)
        throw UsageError("poolSize must be at least 1");
    if (static_cast<int>(minProtocol) > static_cast<int>(maxProtocol))
        throw UsageError("TLS minimum protocol " + toString(minProtocol) +
                         " is above the maximum " + toString(maxProtocol));
    _state->ssl = ssl;
    _state->verifyCertificate = verifyCertificate;
    _state->port = port;
    _state->maxConnections = maxConnections;
    _state->poolSize = std::min(poolSize, maxConnections);
    _state->minProtocol = minProtocol;
    _state->maxProtocol = maxProtocol;
}

Server::~Server() {
    try {
        stop();
    } catch (...) {
        // Destructors never throw; stop() has logged what it could.
    }
}

void Server::setCertificate(const std::string& certFile, const std::string& keyFile,
                            const std::string& rootCertFile, bool verify) {
    requireReadable(certFile, "certificate file");
    requireReadable(keyFile, "key file");
    if (!rootCertFile.empty())
        requireReadable(rootCertFile, "root certificate file");
    ensureSslInitialized();
    if (verify)
        verifyCertificateChain(certFile, rootCertFile);

    Poco::Net::Context::Params params;
    params.certificateFile = certFile;
    params.privateKeyFile = keyFile;
    params.caLocation = rootCertFile;
    params.verificationMode = _state->verifyCertificate ? Poco::Net::Context::VERIFY_RELAXED
                                                        : Poco::Net::Context::VERIFY_NONE;
    params.loadDefaultCAs = _state->verifyCertificate && rootCertFile.empty();
    Poco::Net::Context::Ptr context;
    try {
        context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    } catch (const Poco::Exception& e) {
        throw CertificateError("cannot use certificate '" + certFile + "' with key '" + keyFile +
                               "': " + e.displayText());
    }
    if (SSL_CTX_check_private_key(context->sslContext()) != 1)
        throw CertificateError("key '" + keyFile + "' does not match certificate '" + certFile +
                               "': " + openSslError());
    applyProtocolRange(*context, _state->minProtocol, _state->maxProtocol);
    _state->context = context;
}

void Server::start() {
    if (_state->tcp)
        throw UsageError("the server is already running");
    _state->implicitTls = _state->ssl && (_options.implicitTls || _state->port == kImplicitTlsPort);
    if (_state->implicitTls && !_state->context)
        throw UsageError("implicit TLS needs a certificate: call setCertificate() before start()");
    const std::vector<std::string>& implemented = supportedSaslMechanisms();
    for (const std::string& mechanism : _options.saslMechanisms) {
        if (std::find(implemented.begin(), implemented.end(), mechanism) == implemented.end())
            throw UsageError("SASL mechanism '" + mechanism +
                             "' is not implemented (use CRAM-MD5, PLAIN or LOGIN)");
    }

    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(_options.address, _state->port), true);
    socket.listen(std::max(64, _state->maxConnections));

    auto params = new Poco::Net::TCPServerParams;
    params->setMaxThreads(_state->poolSize);
    // Connections beyond the worker threads wait in Poco's queue; ConnectionLimit keeps the
    // total at maxConnections, so the queue never overflows (it would drop them silently).
    params->setMaxQueued(_state->maxConnections);
    _state->pool =
        std::make_unique<Poco::ThreadPool>(std::min(2, _state->poolSize), _state->poolSize);
    {
        std::lock_guard<std::mutex> lock(_state->mutex);
        _state->stopping = false;
    }
    _state->tcp = std::make_unique<Poco::Net::TCPServer>(new ServerConnectionFactory(*this),
                                                         *_state->pool, socket, params);
    _state->tcp->setConnectionFilter(new ConnectionLimit(*_state));
    _state->tcp->start();
}

void Server::stop() {
    if (!_state->tcp)
        return;
    _state->tcp->stop();
    {
        std::lock_guard<std::mutex> lock(_state->mutex);
        _state->stopping = true;
        for (auto& [id, socket] : _state->live) {
            try {
                socket.shutdown();
            } catch (const Poco::Exception&) {
                // Already closed by the peer.
            }
        }
    }
    _state->pool->joinAll();
    _state->tcp.reset();
    _state->pool.reset();
}

bool Server::running() const {
    return _state->tcp != nullptr;
}

std::uint16_t Server::port() const {
    if (!_state->tcp)
        throw UsageError("the server is not running");
    return _state->tcp->port();
}

bool Server::implicitTls() const {
    return _state->implicitTls;
}

int Server::connections() const {
    return _state->connections.load();
}

} // namespace pop3
