// Hostile and careless clients against pop3::Server: many slow connections, endless lines,
// long AUTH exchanges, floods of bad commands, idle and half-done TLS sessions, and a client
// that never reads a huge message. Each must leave the server serving others with bounded
// memory.

#include "pop3/Limits.h"
#include "pop3/Server.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include "support/ServerFixture.h"

namespace pop3::test {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::StartsWith;

double millisSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// This process's resident set size in bytes (VmRSS).
std::size_t residentBytes() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stoull(line.substr(6)) * 1024;
    }
    return 0;
}

/// Raises the soft (and if needed the hard) open-files limit to at least `wanted`.
bool raiseOpenFileLimit(rlim_t wanted) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return false;
    if (limit.rlim_cur >= wanted)
        return true;
    limit.rlim_cur = wanted;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted)
        limit.rlim_max = wanted;
    return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

/// A message generated while it is read: `size` octets of 100-octet CRLF lines, never held
/// in memory whole.
class GeneratedMessage : public std::streambuf {
public:
    static constexpr std::size_t kLine = 100;

    explicit GeneratedMessage(std::uint64_t size) : _remaining(size) {
        for (std::size_t i = 0; i < sizeof _chunk; i += kLine) {
            std::fill(_chunk + i, _chunk + i + kLine - 2, 'x');
            _chunk[i + kLine - 2] = '\r';
            _chunk[i + kLine - 1] = '\n';
        }
    }

protected:
    int_type underflow() override {
        if (_remaining == 0)
            return traits_type::eof();
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(sizeof _chunk, _remaining));
        _remaining -= n;
        setg(_chunk, _chunk, _chunk + n);
        return traits_type::to_int_type(_chunk[0]);
    }

private:
    char _chunk[kLine * 640];
    std::uint64_t _remaining;
};

class GeneratedStream : public std::istream {
public:
    explicit GeneratedStream(std::uint64_t size) : std::istream(nullptr), _buffer(size) {
        rdbuf(&_buffer);
    }

private:
    GeneratedMessage _buffer;
};

/// Reads until the peer closes or `timeout` passes; true when it closed (EOF or reset).
bool closedWithin(Poco::Net::StreamSocket& socket, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    char buffer[4096];
    try {
        while (Clock::now() < deadline) {
            const auto left =
                std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
            if (!socket.poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_READ))
                return false;
            if (socket.receiveBytes(buffer, sizeof buffer) <= 0)
                return true;
        }
    } catch (const Poco::Net::NetException&) {
        return true;
    }
    return false;
}

class AbuseTest : public ServerFixture {
protected:
    /// alice's only message is `size` octets, generated as it is sent.
    void serveGeneratedMessage(Server& s, std::uint64_t size) {
        s.onLogin = [size](Session& session) {
            session.authenticated = session.checkSecret("alice-pw");
            session.items = {{0, "huge", size, false}};
        };
        s.onRetrieve = [size](Session& session) {
            session.item.stream = std::make_shared<GeneratedStream>(size);
        };
        s.onDisconnect = [this](Session&) { ++ended; };
    }

    std::atomic<int> ended{0};
};

TEST_F(AbuseTest, ThousandSlowClientsDoNotDelayNewSessionsAndTheLimitRefusesAtOnce) {
    constexpr int kSlow = 1000;
    constexpr int kLimit = 1100;
    const auto testStart = Clock::now();
    // Per slow client: our socket, the server's socket and the epoll descriptor Poco's poll()
    // holds while it waits.
    ASSERT_TRUE(raiseOpenFileLimit(16384)) << "cannot raise RLIMIT_NOFILE";
    startServer({}, kLimit);
    const Poco::Net::SocketAddress address("127.0.0.1", server->port());

    std::vector<Poco::Net::StreamSocket> slow(kSlow);
    for (Poco::Net::StreamSocket& socket : slow)
        socket.connect(address, Poco::Timespan(5, 0));
    ASSERT_TRUE(eventually([&] { return server->connections() == kSlow; }))
        << server->connections() << " sessions";
    const double connectSeconds = millisSince(testStart) / 1000;

    // One byte per second from each slow client; none ever finishes a line.
    std::atomic<bool> dripping{true};
    std::atomic<int> rounds{0};
    std::thread dripper([&] {
        while (dripping) {
            for (Poco::Net::StreamSocket& socket : slow)
                socket.sendBytes("x", 1);
            ++rounds;
            for (int i = 0; i < 20 && dripping; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });

    // New sessions for three seconds: connect, greeting, USER/PASS (the latency), QUIT.
    std::vector<double> latencies;
    const auto measureStart = Clock::now();
    while (Clock::now() - measureStart < std::chrono::seconds(3)) {
        const auto start = Clock::now();
        RawClient client = connect();
        ASSERT_THAT(greeting, StartsWith("+OK"));
        login(client);
        latencies.push_back(millisSince(start));
        ASSERT_EQ(client.command("QUIT"), "+OK Bye\r\n");
        ASSERT_TRUE(client.closedByServer());
        std::this_thread::sleep_for(std::chrono::milliseconds(5)); // spare the ephemeral ports
    }
    ASSERT_TRUE(eventually([&] { return server->connections() == kSlow; }));

    // Up to the limit every connection is greeted; the next one is refused at once.
    std::vector<RawClient> holders;
    for (int i = kSlow; i < kLimit; ++i) {
        holders.push_back(connect());
        ASSERT_THAT(greeting, StartsWith("+OK")) << "connection " << i + 1;
    }
    const auto refusedStart = Clock::now();
    RawClient over(server->port());
    EXPECT_EQ(over.readLine(), "-ERR [SYS/TEMP] Too many connections, try again later\r\n");
    const double refusedMs = millisSince(refusedStart);
    EXPECT_TRUE(over.closedByServer());
    EXPECT_LT(refusedMs, 1000);

    dripping = false;
    dripper.join();
    EXPECT_GE(rounds.load(), 3) << "the slow clients kept sending while new sessions ran";
    EXPECT_EQ(server->connections(), kLimit) << "every slow client is still connected";

    std::sort(latencies.begin(), latencies.end());
    auto percentile = [&](double p) {
        const auto rank = static_cast<std::size_t>(std::ceil(p * latencies.size()));
        return latencies[std::max<std::size_t>(rank, 1) - 1];
    };
    const double p50 = percentile(0.50), p99 = percentile(0.99), max = latencies.back();
    char figures[256];
    std::snprintf(figures, sizeof figures,
                  "%d slow clients (connected in %.1f s): %zu new sessions, greeting+login "
                  "p50 %.2f ms, p99 %.2f ms, max %.2f ms; refusal over the limit in %.2f ms; "
                  "test %.1f s",
                  kSlow, connectSeconds, latencies.size(), p50, p99, max, refusedMs,
                  millisSince(testStart) / 1000);
    std::cout << "[ figures  ] " << figures << std::endl;
    RecordProperty("figures", figures);
    EXPECT_GE(latencies.size(), 100u);
    EXPECT_LT(p50, 100);
    EXPECT_LT(max, 2000);
}

TEST_F(AbuseTest, EndlessLineWithoutLineEndGetsOneErrAndMemoryStaysFlat) {
    startServer();
    RawClient client = connect();
    const std::string chunk(64 * 1024, 'x');
    client.send(chunk);
    const std::size_t before = residentBytes();
    for (int i = 0; i < 256; ++i) // 16 MiB more, no line end
        client.send(chunk);
    const std::size_t after = residentBytes();
    EXPECT_LT(after, before + (4u << 20)) << "RSS grew from " << before << " to " << after;
    EXPECT_EQ(client.readLine(), "-ERR line too long\r\n");
    client.send("\r\n");
    EXPECT_EQ(client.command("NOOP"), "-ERR NOOP is not valid in this state\r\n")
        << "the session goes on, reading commands again";
}

TEST_F(AbuseTest, EndlessAuthResponseIsCutAtTheSaslLineLimit) {
    startServer();
    RawClient client = connect();
    EXPECT_EQ(client.command("AUTH PLAIN"), "+ \r\n");
    const std::string chunk(64 * 1024, 'A');
    client.send(chunk);
    const std::size_t before = residentBytes();
    for (int i = 0; i < 256; ++i)
        client.send(chunk);
    const std::size_t after = residentBytes();
    EXPECT_LT(after, before + (4u << 20)) << "RSS grew from " << before << " to " << after;
    EXPECT_EQ(client.readLine(), "-ERR [AUTH] Authentication failed: line too long\r\n");
    client.send("\r\n");
    EXPECT_EQ(client.command("USER alice"), "+OK\r\n") << "back to commands, 255-octet limit";
}

TEST_F(AbuseTest, AuthResponsesUpToTheSaslLimitAreReadAndLongerOnesRefused) {
    startServer();
    RawClient client = connect();
    // An 8192-octet line (CRLF included) is within the limit: the exchange sees it.
    EXPECT_EQ(client.command("AUTH PLAIN"), "+ \r\n");
    std::string longest; // the longest base64 line within the limit: "aaa" ... "aaa"
    while (longest.size() + 4 + 2 <= limits::kMaxSaslLine)
        longest += "YWFh";
    EXPECT_EQ(client.command(longest),
              "-ERR [AUTH] Authentication failed: PLAIN message lacks NUL separators\r\n");
    EXPECT_EQ(client.command("AUTH PLAIN"), "+ \r\n");
    EXPECT_EQ(client.command(std::string(limits::kMaxSaslLine - 1, 'A')),
              "-ERR [AUTH] Authentication failed: line too long\r\n");
}

TEST_F(AbuseTest, AuthExchangesEndWithinTheStepLimitWhateverTheClientSends) {
    startServer();
    for (const char* mechanism : {"PLAIN", "LOGIN", "CRAM-MD5"}) {
        RawClient client = connect();
        std::string reply = client.command(std::string("AUTH ") + mechanism);
        unsigned rounds = 0;
        while (reply.rfind("+ ", 0) == 0) {
            ASSERT_LE(++rounds, limits::kMaxSaslSteps) << mechanism;
            reply = client.command("YWxpY2U="); // "alice"
        }
        EXPECT_THAT(reply, StartsWith("-ERR [AUTH]")) << mechanism << " after " << rounds;
        EXPECT_EQ(client.command("YWxpY2U="), "-ERR malformed command keyword\r\n")
            << mechanism << ": further lines are commands again";
    }
}

TEST_F(AbuseTest, PipelinedFloodOfBadCommandsIsCutAtMaxBadCommands) {
    startServer();
    RawClient client = connect();
    std::string flood;
    for (int i = 0; i < 100; ++i)
        flood += "BOGUS\r\n";
    client.send(flood);
    for (unsigned i = 1; i < limits::kMaxBadCommands; ++i)
        ASSERT_EQ(client.readLine(), "-ERR unknown command\r\n") << "reply " << i;
    EXPECT_EQ(client.readLine(), "-ERR Too many bad commands, closing the connection\r\n");
    EXPECT_TRUE(client.closedByServer());
}

TEST_F(AbuseTest, PipelinedRetrFloodQueuesOneMessageAtATime) {
    const std::string message = "Subject: big\r\n\r\n" + std::string(256 * 1024, 'x') + "\r\n";
    mailbox.addMessage("alice", "uid-big", message);
    startServer([](Server& s) { s.options().idleTimeout = std::chrono::milliseconds(500); });
    RawClient client = connect();
    login(client);
    std::string flood;
    for (int i = 0; i < 2000; ++i)
        flood += "RETR 3\r\n";
    const std::size_t before = residentBytes();
    client.send(flood); // 16 000 octets, one read for the server; the client reads nothing
    const auto start = Clock::now();
    std::size_t peak = before;
    while (server->connections() > 0 && Clock::now() - start < std::chrono::seconds(10)) {
        peak = std::max(peak, residentBytes());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(server->connections(), 0) << "the send timeout ends the session";
    EXPECT_LT(peak, before + (32u << 20)) << "RSS grew from " << before << " to " << peak;
}

TEST_F(AbuseTest, PipelinedRetrsAreAllAnsweredInOrder) {
    startServer();
    RawClient client = connect();
    login(client);
    const std::string first = client.multiline("RETR 1");
    const std::string second = client.multiline("RETR 2");
    std::string batch;
    for (int i = 0; i < 200; ++i)
        batch += i % 2 == 0 ? "RETR 1\r\n" : "RETR 2\r\n";
    client.send(batch + "QUIT\r\n");
    for (int i = 0; i < 200; ++i) {
        const std::string status = client.readLine();
        ASSERT_EQ(status + client.readBody(), i % 2 == 0 ? first : second) << "reply " << i;
    }
    EXPECT_EQ(client.readLine(), "+OK Bye\r\n");
    EXPECT_TRUE(client.closedByServer());
}

TEST_F(AbuseTest, IdleTimeoutClosesSessionsInEveryPhase) {
    startServer([](Server& s) { s.options().idleTimeout = std::chrono::milliseconds(300); });
    RawClient silent = connect();
    RawClient partialLine = connect();
    partialLine.send("USER ali");
    RawClient midAuth = connect();
    ASSERT_EQ(midAuth.command("AUTH LOGIN"), "+ VXNlcm5hbWU6\r\n");
    RawClient loggedIn = connect();
    login(loggedIn);
    const auto start = Clock::now();
    for (RawClient* client : {&silent, &partialLine, &midAuth, &loggedIn})
        EXPECT_TRUE(closedWithin(client->socket(), std::chrono::seconds(3)));
    EXPECT_LT(millisSince(start), 2000);
    EXPECT_TRUE(eventually([&] { return server->connections() == 0; }));
    EXPECT_EQ(mailbox.quits(), 0);
}

TEST_F(AbuseTest, SilentImplicitTlsClientIsClosedAfterTheHandshakeTimeout) {
    startServer([](Server& s) {
        s.options().implicitTls = true;
        s.options().tlsHandshakeTimeout = std::chrono::milliseconds(300);
    });
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", server->port()));
    const auto start = Clock::now();
    EXPECT_TRUE(closedWithin(socket, std::chrono::seconds(3)));
    EXPECT_LT(millisSince(start), 2000);
    EXPECT_TRUE(eventually([&] { return server->connections() == 0; }));
}

TEST_F(AbuseTest, SilentClientAfterStlsIsClosedAfterTheHandshakeTimeout) {
    startServer(
        [](Server& s) { s.options().tlsHandshakeTimeout = std::chrono::milliseconds(300); });
    RawClient client = connect();
    ASSERT_EQ(client.command("STLS"), "+OK Begin TLS negotiation\r\n");
    const auto start = Clock::now();
    EXPECT_TRUE(closedWithin(client.socket(), std::chrono::seconds(3)));
    EXPECT_LT(millisSince(start), 2000);
}

TEST_F(AbuseTest, TlsHandshakeTricklingOneByteAtATimeIsClosedAfterTheHandshakeTimeout) {
    startServer([](Server& s) {
        s.options().implicitTls = true;
        s.options().tlsHandshakeTimeout = std::chrono::milliseconds(500);
    });
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", server->port()));
    // A TLS record header announcing a 512-octet handshake message, then one octet every
    // 100 ms: each read makes progress, the handshake never completes.
    socket.sendBytes("\x16\x03\x01\x02\x00", 5);
    const auto start = Clock::now();
    bool closed = false;
    try {
        while (!closed && Clock::now() - start < std::chrono::seconds(4)) {
            socket.sendBytes("\x01", 1);
            closed = closedWithin(socket, std::chrono::milliseconds(100));
        }
    } catch (const Poco::Net::NetException&) {
        closed = true; // the send failed: the server is gone
    }
    EXPECT_TRUE(closed);
    EXPECT_LT(millisSince(start), 1500) << "the handshake has one deadline, not one per read";
}

TEST_F(AbuseTest, ClientThatNeverReadsAHugeRetrBlocksTheSenderAndIsClosed) {
    constexpr std::uint64_t kSize = 200'000'000;
    startServer([&](Server& s) {
        s.options().idleTimeout = std::chrono::milliseconds(500);
        serveGeneratedMessage(s, kSize);
    });
    RawClient client = connect();
    login(client);
    const std::size_t before = residentBytes();
    client.send("RETR 1\r\n");
    const auto start = Clock::now();
    std::size_t peak = before;
    while (ended == 0 && Clock::now() - start < std::chrono::seconds(10)) {
        peak = std::max(peak, residentBytes());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(ended.load(), 1) << "the send timeout (idleTimeout) ends the session";
    EXPECT_LT(millisSince(start), 5000);
    EXPECT_LT(peak, before + (32u << 20)) << "RSS grew from " << before << " to " << peak;
}

TEST_F(AbuseTest, ClientThatNeverReadsAHugeRetrOverTlsIsClosedToo) {
    constexpr std::uint64_t kSize = 200'000'000;
    startServer([&](Server& s) {
        s.options().implicitTls = true;
        s.options().idleTimeout = std::chrono::milliseconds(500);
        serveGeneratedMessage(s, kSize);
    });
    RawClient client = connect(true);
    login(client);
    const std::size_t before = residentBytes();
    client.send("RETR 1\r\n");
    const auto start = Clock::now();
    std::size_t peak = before;
    while (ended == 0 && Clock::now() - start < std::chrono::seconds(10)) {
        peak = std::max(peak, residentBytes());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(ended.load(), 1);
    EXPECT_LT(millisSince(start), 5000);
    EXPECT_LT(peak, before + (32u << 20)) << "RSS grew from " << before << " to " << peak;
}

} // namespace
} // namespace pop3::test
