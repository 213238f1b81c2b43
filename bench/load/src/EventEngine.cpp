// The events engine: one thread, one epoll loop over non-blocking plaintext connections, each a
// state machine that sends one command at a time and decodes the reply with ResponseDecoder.

#include "pop3/Command.h"
#include "pop3/ResponseDecoder.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <random>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

#include "Engine.h"

namespace pop3::load {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadBufferSize = 64 * 1024;
constexpr int kMaxEvents = 256;
/// How often stop requests, timeouts and lingering sockets are looked at.
constexpr std::chrono::milliseconds kTick{10};
/// A connection the server refused waits this long before it tries again.
constexpr std::chrono::milliseconds kReconnectDelay{10};
constexpr std::uint64_t kTopLines = 10;
/// Commands of a login: CAPA, USER, PASS.
constexpr unsigned kLoginCommands = 3;

/// The reply a connection waits for.
enum class Awaiting {
    nothing,
    connect,
    greeting,
    capa,
    user,
    pass,
    stat,
    listing,
    operation,
    rset,
    quit
};

/// The server's address, resolved once; length 0 when the name did not resolve.
struct Endpoint {
    sockaddr_storage address{};
    socklen_t length = 0;
    int family = AF_UNSPEC;
};

Endpoint resolve(const LoadTarget& target) {
    Endpoint endpoint;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(target.port);
    if (getaddrinfo(target.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr)
        return endpoint;
    std::memcpy(&endpoint.address, found->ai_addr, found->ai_addrlen);
    endpoint.length = found->ai_addrlen;
    endpoint.family = found->ai_family;
    freeaddrinfo(found);
    return endpoint;
}

bool needsMessage(Operation operation) {
    return operation == Operation::retr || operation == Operation::top ||
           operation == Operation::dele;
}

bool hasCode(const StatusLine& status, std::string_view code) {
    return status.code.compare(0, code.size(), code) == 0 &&
           (status.code.size() == code.size() || status.code[code.size()] == '/');
}

/// The class of a -ERR reply; `loggingIn` for USER and PASS.
ErrorClass errorOf(const StatusLine& status, bool loggingIn) {
    if (hasCode(status, codes::kSysTemp))
        return ErrorClass::refused;
    if (hasCode(status, codes::kInUse))
        return ErrorClass::inUse;
    return loggingIn ? ErrorClass::auth : ErrorClass::server;
}

void appendNumber(std::string& out, std::uint64_t number) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    out.append(digits, end);
}

struct Connection {
    Connection(const LoadSettings& settings, unsigned index)
        : index(index), account(index % settings.accountCount() + 1),
          user(settings.target.user(account)), password(settings.target.passwordOf(account)),
          random(settings.seed + index) {}
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    const unsigned index;
    const unsigned account;
    const std::string user;
    const std::string password;
    std::mt19937_64 random;

    int fd = -1;
    /// Tells this socket's epoll events from those of an earlier one.
    std::uint32_t generation = 0;
    /// The previous session's socket after QUIT, kept until the server closes it so the
    /// TIME-WAIT state stays on the server's side.
    int lingerFd = -1;
    std::uint32_t lingerGeneration = 0;
    Clock::time_point lingerDeadline;

    Awaiting awaiting = Awaiting::nothing;
    bool loggedIn = false;
    bool receivedAny = false;
    /// No more units: the QUIT under way ends the connection.
    bool finishing = false;
    bool done = false;

    ResponseDecoder decoder;
    std::string out;
    std::size_t outSent = 0;
    std::string body;
    const ResponseDecoder::BodySink keepBody = [this](std::string_view data) {
        body.append(data.data(), data.size());
    };

    Clock::time_point connectStart;
    Clock::time_point commandStart;
    Clock::time_point deleStart;
    Clock::time_point lastProgress;
    Clock::time_point retryAt;
    unsigned operationsLeft = 0;
    Operation operation = Operation::noop;
    std::uint64_t message = 0;
};

class EventLoop {
public:
    explicit EventLoop(EngineContext& context)
        : _context(context), _settings(context.settings), _endpoint(resolve(_settings.target)),
          _epoll(epoll_create1(EPOLL_CLOEXEC)), _buffer(new char[kReadBufferSize]) {
        if (_epoll < 0)
            throw std::system_error(errno, std::generic_category(), "epoll_create1");
        _connections.reserve(_settings.connections);
        for (unsigned i = 0; i < _settings.connections; ++i)
            _connections.push_back(std::make_unique<Connection>(_settings, i));
        _retries.resize(_settings.connections);
    }

    ~EventLoop() {
        for (auto& connection : _connections) {
            closeSocket(*connection);
            closeLinger(*connection);
        }
        close(_epoll);
    }

    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    void run() {
        _now = Clock::now();
        for (auto& connection : _connections)
            startUnit(*connection);
        Clock::time_point nextSweep = _now + kTick;
        epoll_event events[kMaxEvents];
        while (_finished < _connections.size()) {
            const int ready = epoll_wait(_epoll, events, kMaxEvents, waitMillis());
            if (ready < 0 && errno != EINTR)
                throw std::system_error(errno, std::generic_category(), "epoll_wait");
            _now = Clock::now();
            for (int i = 0; i < ready; ++i)
                dispatch(events[i]);
            startRetries();
            if (_now >= nextSweep) {
                sweep();
                nextSweep = _now + kTick;
            }
        }
    }

private:
    // Units of work.

    void startUnit(Connection& c) {
        if (!_context.control.takeUnit()) {
            finish(c);
            return;
        }
        c.operationsLeft = _settings.operationsPerUnit;
        if (c.loggedIn)
            nextOperation(c);
        else
            connect(c);
    }

    void unitDone(Connection& c) {
        if (_settings.mode == SessionMode::reconnect)
            quit(c);
        else
            startUnit(c);
    }

    /// No more units: a pooled session still open ends with QUIT, then the connection is done.
    void finish(Connection& c) {
        if (c.loggedIn) {
            c.finishing = true;
            quit(c);
            return;
        }
        c.done = true;
        ++_finished;
    }

    void nextOperation(Connection& c) {
        if (c.operationsLeft == 0) {
            unitDone(c);
            return;
        }
        c.operation = _settings.mix.pick(c.random());
        const std::uint64_t count = _context.catalog.count(c.account);
        if (needsMessage(c.operation) && count == 0) {
            _context.stats.recordError(ErrorClass::emptyMailbox);
            quit(c);
            return;
        }
        c.message = count > 0 ? c.random() % count + 1 : 0;
        c.out.clear();
        switch (c.operation) {
        case Operation::stat:
            c.out.append("STAT\r\n");
            send(c, Awaiting::operation, ResponseKind::SingleLine);
            return;
        case Operation::list:
            c.out.append("LIST\r\n");
            send(c, Awaiting::operation, ResponseKind::MultiLine);
            return;
        case Operation::uidl:
            c.out.append("UIDL\r\n");
            send(c, Awaiting::operation, ResponseKind::MultiLine);
            return;
        case Operation::noop:
            c.out.append("NOOP\r\n");
            send(c, Awaiting::operation, ResponseKind::SingleLine);
            return;
        case Operation::retr:
            c.out.append("RETR ");
            appendNumber(c.out, c.message);
            c.out.append("\r\n");
            c.body.clear();
            send(c, Awaiting::operation, ResponseKind::MultiLine, c.keepBody);
            return;
        case Operation::top:
            c.out.append("TOP ");
            appendNumber(c.out, c.message);
            c.out.push_back(' ');
            appendNumber(c.out, kTopLines);
            c.out.append("\r\n");
            send(c, Awaiting::operation, ResponseKind::MultiLine);
            return;
        case Operation::dele:
            c.out.append("DELE ");
            appendNumber(c.out, c.message);
            c.out.append("\r\n");
            send(c, Awaiting::operation, ResponseKind::SingleLine);
            return;
        }
    }

    void quit(Connection& c) {
        c.out.assign("QUIT\r\n");
        send(c, Awaiting::quit, ResponseKind::SingleLine);
    }

    /// Ends the session after a failure; the next unit starts a fresh one, after a pause when
    /// the server could not be reached or refused the connection.
    void fail(Connection& c, ErrorClass error) {
        _context.stats.recordError(error);
        closeSocket(c);
        c.loggedIn = false;
        if (c.finishing) {
            finish(c);
        } else if (error == ErrorClass::connect || error == ErrorClass::refused) {
            c.retryAt = _now + kReconnectDelay;
            _retries[(_retryHead + _retryCount++) % _retries.size()] = &c;
        } else {
            startUnit(c);
        }
    }

    void startRetries() {
        const bool stopping = _context.control.stopping();
        while (_retryCount > 0 && (stopping || _retries[_retryHead]->retryAt <= _now)) {
            Connection& c = *_retries[_retryHead];
            _retryHead = (_retryHead + 1) % _retries.size();
            --_retryCount;
            startUnit(c);
        }
    }

    int waitMillis() const {
        if (_retryCount == 0)
            return static_cast<int>(kTick.count());
        const auto left = _retries[_retryHead]->retryAt - Clock::now();
        const auto millis = std::chrono::ceil<std::chrono::milliseconds>(left).count();
        return static_cast<int>(std::clamp<std::int64_t>(millis, 0, kTick.count()));
    }

    /// Closes sessions that made no progress within the timeout and lingering sockets whose
    /// server never closed them.
    void sweep() {
        const auto timeout = _settings.target.timeout;
        for (auto& connection : _connections) {
            Connection& c = *connection;
            if (c.lingerFd >= 0 && _now >= c.lingerDeadline)
                closeLinger(c);
            if (c.fd >= 0 && _now - c.lastProgress >= timeout)
                fail(c, ErrorClass::timeout);
        }
    }

    // Sockets.

    void connect(Connection& c) {
        c.connectStart = Clock::now();
        c.lastProgress = c.connectStart;
        c.receivedAny = false;
        c.awaiting = Awaiting::connect;
        if (_endpoint.length == 0) {
            fail(c, ErrorClass::connect);
            return;
        }
        c.fd = socket(_endpoint.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) {
            fail(c, ErrorClass::connect);
            return;
        }
        c.generation = ++_generation;
        const int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&_endpoint.address),
                      _endpoint.length) != 0 &&
            errno != EINPROGRESS) {
            fail(c, ErrorClass::connect);
            return;
        }
        // Edge-triggered: one registration serves the whole session.
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        event.data.u64 = tag(c);
        if (epoll_ctl(_epoll, EPOLL_CTL_ADD, c.fd, &event) != 0)
            fail(c, ErrorClass::connect);
    }

    /// epoll data: the socket's generation and the connection's index.
    static std::uint64_t tag(const Connection& c) {
        return static_cast<std::uint64_t>(c.generation) << 32 | c.index;
    }

    void dispatch(const epoll_event& event) {
        const auto generation = static_cast<std::uint32_t>(event.data.u64 >> 32);
        Connection& c = *_connections[event.data.u64 & 0xffffffffu];
        if (c.fd >= 0 && generation == c.generation)
            onEvent(c, event.events);
        else if (c.lingerFd >= 0 && generation == c.lingerGeneration)
            drainLinger(c);
    }

    void onEvent(Connection& c, std::uint32_t events) {
        if (c.awaiting == Awaiting::connect) {
            if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
                return;
            int error = 0;
            socklen_t length = sizeof error;
            if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
                fail(c, ErrorClass::connect);
                return;
            }
            c.awaiting = Awaiting::greeting;
            c.decoder.expect(ResponseKind::SingleLine);
            c.lastProgress = _now;
        }
        if ((events & EPOLLOUT) && c.outSent < c.out.size() && !flush(c))
            return;
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            receive(c, events);
    }

    /// Sends the command in c.out and waits for its reply.
    void send(Connection& c, Awaiting awaiting, ResponseKind kind,
              const ResponseDecoder::BodySink& sink = {}) {
        c.awaiting = awaiting;
        c.decoder.expect(kind, sink);
        c.outSent = 0;
        c.commandStart = Clock::now();
        c.lastProgress = c.commandStart;
        flush(c);
    }

    /// Writes what the socket takes of the pending command; false when the connection failed.
    bool flush(Connection& c) {
        while (c.outSent < c.out.size()) {
            const ssize_t sent =
                ::send(c.fd, c.out.data() + c.outSent, c.out.size() - c.outSent, MSG_NOSIGNAL);
            if (sent > 0) {
                c.outSent += static_cast<std::size_t>(sent);
                c.lastProgress = _now;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return true; // EPOLLOUT follows
            } else if (errno != EINTR) {
                fail(c, ErrorClass::closed);
                return false;
            }
        }
        return true;
    }

    void receive(Connection& c, std::uint32_t events) {
        const std::uint32_t generation = c.generation;
        // With edge-triggered events a short read means the socket is drained, unless the
        // server's close is pending: then read on until the end of the stream is seen.
        const bool hangup = events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
        while (c.fd >= 0 && c.generation == generation) {
            const ssize_t got = recv(c.fd, _buffer.get(), kReadBufferSize, 0);
            if (got > 0) {
                c.receivedAny = true;
                c.lastProgress = _now;
                consume(c, std::string_view(_buffer.get(), static_cast<std::size_t>(got)));
                if (static_cast<std::size_t>(got) < kReadBufferSize && !hangup)
                    break;
            } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                closedByServer(c);
                break;
            } else if (errno != EINTR) {
                break;
            }
        }
        // The session may have ended with QUIT while the server's close was already pending.
        if (hangup && c.lingerFd >= 0 && c.lingerGeneration == generation)
            drainLinger(c);
    }

    void closedByServer(Connection& c) {
        const bool atOnce = c.awaiting == Awaiting::greeting && !c.receivedAny;
        fail(c, atOnce ? ErrorClass::refused : ErrorClass::closed);
    }

    void consume(Connection& c, std::string_view data) {
        const std::size_t used = c.decoder.feed(data);
        switch (c.decoder.state()) {
        case ResponseDecoder::State::Complete:
            // One command at a time: nothing may follow the reply.
            if (used < data.size())
                fail(c, ErrorClass::protocol);
            else
                onReply(c);
            return;
        case ResponseDecoder::State::Failed:
            fail(c, ErrorClass::protocol);
            return;
        case ResponseDecoder::State::Idle:
        case ResponseDecoder::State::Incomplete:
            return;
        }
    }

    void closeSocket(Connection& c) {
        if (c.fd >= 0) {
            close(c.fd);
            c.fd = -1;
        }
        c.awaiting = Awaiting::nothing;
        c.out.clear();
        c.outSent = 0;
    }

    /// After QUIT: the server closes the connection, so its socket waits for that in the
    /// background while the connection goes on.
    void linger(Connection& c) {
        closeLinger(c);
        c.lingerFd = c.fd;
        c.lingerGeneration = c.generation;
        c.lingerDeadline = _now + _settings.target.timeout;
        c.fd = -1;
        closeSocket(c);
    }

    void drainLinger(Connection& c) {
        for (;;) {
            const ssize_t got = recv(c.lingerFd, _buffer.get(), kReadBufferSize, 0);
            if (got > 0 || (got < 0 && errno == EINTR))
                continue;
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return;
            closeLinger(c);
            return;
        }
    }

    void closeLinger(Connection& c) {
        if (c.lingerFd >= 0) {
            close(c.lingerFd);
            c.lingerFd = -1;
        }
    }

    // Replies.

    void onReply(Connection& c) {
        const Clock::time_point now = Clock::now();
        const auto latency = now - c.commandStart;
        const StatusLine& status = c.decoder.status();
        LoadStats& stats = _context.stats;
        switch (c.awaiting) {
        case Awaiting::nothing:
        case Awaiting::connect:
            fail(c, ErrorClass::protocol);
            return;
        case Awaiting::greeting:
            if (!status.ok()) {
                fail(c, ErrorClass::refused);
                return;
            }
            c.out.assign("CAPA\r\n");
            send(c, Awaiting::capa, ResponseKind::MultiLine);
            return;
        case Awaiting::capa:
            c.out.assign("USER ").append(c.user).append("\r\n");
            send(c, Awaiting::user, ResponseKind::SingleLine);
            return;
        case Awaiting::user:
            if (!status.ok()) {
                fail(c, errorOf(status, true));
                return;
            }
            c.out.assign("PASS ").append(c.password).append("\r\n");
            send(c, Awaiting::pass, ResponseKind::SingleLine);
            return;
        case Awaiting::pass:
            if (!status.ok()) {
                fail(c, errorOf(status, true));
                return;
            }
            stats.recordStep("login", now - c.connectStart, kLoginCommands);
            stats.recordLogin();
            c.loggedIn = true;
            c.out.assign("STAT\r\n");
            send(c, Awaiting::stat, ResponseKind::SingleLine);
            return;
        case Awaiting::stat:
            onStat(c, latency);
            return;
        case Awaiting::listing:
            onListing(c, latency);
            return;
        case Awaiting::operation:
            onOperation(c, latency);
            return;
        case Awaiting::rset:
            if (!status.ok()) {
                fail(c, errorOf(status, false));
                return;
            }
            stats.recordStep("dele", now - c.deleStart, 2, true);
            --c.operationsLeft;
            nextOperation(c);
            return;
        case Awaiting::quit:
            if (status.ok()) {
                stats.recordStep("quit", latency, 1);
                stats.recordSessionEnd();
            } else {
                stats.recordError(ErrorClass::server);
            }
            c.loggedIn = false;
            linger(c);
            if (c.finishing)
                finish(c);
            else
                startUnit(c);
            return;
        }
    }

    void onStat(Connection& c, Clock::duration latency) {
        const StatusLine& status = c.decoder.status();
        if (!status.ok()) {
            fail(c, errorOf(status, false));
            return;
        }
        const std::string_view text = status.text;
        const auto count = parseDecimal(text.substr(0, text.find(' ')));
        if (!count) {
            fail(c, ErrorClass::protocol);
            return;
        }
        _context.stats.recordStep("stat", latency, 1);
        if (!_context.catalog.needsListing(c.account, *count)) {
            nextOperation(c);
            return;
        }
        c.body.clear();
        c.out.assign("UIDL\r\n");
        send(c, Awaiting::listing, ResponseKind::MultiLine, c.keepBody);
    }

    /// UIDL's "n uid" lines give the catalog the unique-id of every message STAT counted.
    void onListing(Connection& c, Clock::duration latency) {
        const StatusLine& status = c.decoder.status();
        if (!status.ok()) {
            fail(c, errorOf(status, false));
            return;
        }
        std::vector<std::string> uids;
        for (const std::string& line : splitBodyLines(c.body)) {
            // A fresh session lists every message, in order.
            const std::size_t space = line.find(' ');
            const auto number = parseDecimal(std::string_view(line).substr(0, space));
            if (space == std::string::npos || number != uids.size() + 1) {
                fail(c, ErrorClass::protocol);
                return;
            }
            uids.push_back(line.substr(space + 1));
        }
        _context.catalog.update(c.account, std::move(uids));
        _context.stats.recordStep("uidl", latency, 1);
        nextOperation(c);
    }

    void onOperation(Connection& c, Clock::duration latency) {
        const StatusLine& status = c.decoder.status();
        if (!status.ok()) {
            fail(c, errorOf(status, false));
            return;
        }
        LoadStats& stats = _context.stats;
        switch (c.operation) {
        case Operation::dele:
            c.deleStart = c.commandStart;
            c.out.assign("RSET\r\n");
            send(c, Awaiting::rset, ResponseKind::SingleLine);
            return;
        case Operation::retr: {
            stats.recordStep("retr", latency, 1, true, c.decoder.bodyOctets());
            const std::string uid = _context.catalog.uid(c.account, c.message);
            if (!uid.empty() &&
                !_context.ledger.check(c.user, uid, IntegrityLedger::digest(c.body)))
                stats.recordError(ErrorClass::integrity);
            break;
        }
        case Operation::top:
            stats.recordStep("top", latency, 1, true, c.decoder.bodyOctets());
            break;
        case Operation::stat:
        case Operation::list:
        case Operation::uidl:
        case Operation::noop:
            stats.recordStep(toString(c.operation), latency, 1, true);
            break;
        }
        --c.operationsLeft;
        nextOperation(c);
    }

    EngineContext& _context;
    const LoadSettings& _settings;
    const Endpoint _endpoint;
    const int _epoll;
    const std::unique_ptr<char[]> _buffer;
    std::vector<std::unique_ptr<Connection>> _connections;
    /// Connections waiting to reconnect, oldest first (the delay is the same for all).
    std::vector<Connection*> _retries;
    std::size_t _retryHead = 0;
    std::size_t _retryCount = 0;
    std::size_t _finished = 0;
    std::uint32_t _generation = 0;
    Clock::time_point _now;
};

} // namespace

void runEventEngine(EngineContext& context) {
    EventLoop(context).run();
}

} // namespace pop3::load
