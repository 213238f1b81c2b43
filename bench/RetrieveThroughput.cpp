// One RETR of a large message, timed: through pop3::Client (decoded, unstuffed) or through a bare
// socket that only looks for the terminating "\r\n.\r\n" (the ceiling any client can reach on the
// same server). Prints one JSON line; docs/benchmarks.md shows how to run it.

#include "pop3/Client.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/resource.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string method;
    std::string host = "127.0.0.1";
    std::uint16_t port = 110;
    std::string user;
    std::string password;
    std::uint64_t message = 1;
    std::string output = "/dev/null";
};

struct Measurement {
    std::uint64_t octets = 0;
    Clock::duration elapsed{};
};

Measurement retrieveWithClient(const Options& options, std::ostream& out) {
    pop3::Client client;
    client.host = options.host;
    client.port = options.port;
    client.username = options.user;
    client.password = options.password;
    client.connect();
    Measurement measurement;
    const Clock::time_point start = Clock::now();
    measurement.octets = client.retrieve(options.message, out);
    measurement.elapsed = Clock::now() - start;
    client.disconnect();
    return measurement;
}

/// A bare POP3 session on a socket: single-line exchanges and one RETR read as raw bytes.
class RawSession {
public:
    /// Read size: large enough that one receive drains what the kernel holds.
    static constexpr std::size_t kChunk = 1024 * 1024;
    static constexpr std::string_view kTerminator = "\r\n.\r\n";

    RawSession(const std::string& host, std::uint16_t port)
        : _socket(Poco::Net::SocketAddress(host, port)), _chunk(new char[kChunk]) {
        _socket.setNoDelay(true);
        _socket.setReceiveTimeout(Poco::Timespan(30, 0)); // as pop3::Client's default
        expectOk(readLine(), "greeting");
    }

    void command(const std::string& line, const std::string& what) {
        send(line);
        expectOk(readLine(), what);
    }

    /// Sends RETR and writes every byte of the reply to `out` as it arrives, status line and
    /// terminator included, without unstuffing.
    std::uint64_t retrieve(std::uint64_t message, std::ostream& out) {
        send("RETR " + std::to_string(message));
        std::uint64_t octets = 0;
        std::string tail; // the last five octets, which decide whether the reply has ended
        bool statusChecked = false;
        auto take = [&](std::string_view data) {
            out.write(data.data(), static_cast<std::streamsize>(data.size()));
            octets += data.size();
            if (!statusChecked || data.size() < kTerminator.size()) {
                tail.append(data);
            } else {
                tail.assign(data.substr(data.size() - kTerminator.size()));
                return;
            }
            if (!statusChecked && tail.size() >= 4) {
                if (tail.compare(0, 3, "+OK") != 0)
                    throw std::runtime_error("RETR refused: " + tail.substr(0, tail.find('\r')));
                statusChecked = true;
            }
            if (statusChecked && tail.size() > kTerminator.size())
                tail.erase(0, tail.size() - kTerminator.size());
        };
        take(_pending);
        _pending.clear();
        while (!statusChecked || tail != kTerminator) {
            const int n = _socket.receiveBytes(_chunk.get(), static_cast<int>(kChunk));
            if (n <= 0)
                throw std::runtime_error("connection closed during RETR after " +
                                         std::to_string(octets) + " octets");
            take(std::string_view(_chunk.get(), static_cast<std::size_t>(n)));
        }
        return octets;
    }

private:
    void send(const std::string& line) {
        const std::string bytes = line + "\r\n";
        _socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    }

    std::string readLine() {
        for (;;) {
            const std::size_t end = _pending.find("\r\n");
            if (end != std::string::npos) {
                std::string line = _pending.substr(0, end);
                _pending.erase(0, end + 2);
                return line;
            }
            const int n = _socket.receiveBytes(_chunk.get(), static_cast<int>(kChunk));
            if (n <= 0)
                throw std::runtime_error("connection closed by the server");
            _pending.append(_chunk.get(), static_cast<std::size_t>(n));
        }
    }

    static void expectOk(const std::string& line, const std::string& what) {
        if (line.compare(0, 3, "+OK") != 0)
            throw std::runtime_error(what + " refused: " + line);
    }

    Poco::Net::StreamSocket _socket;
    std::unique_ptr<char[]> _chunk;
    std::string _pending;
};

Measurement retrieveRaw(const Options& options, std::ostream& out) {
    RawSession session(options.host, options.port);
    session.command("USER " + options.user, "USER");
    session.command("PASS " + options.password, "PASS");
    Measurement measurement;
    const Clock::time_point start = Clock::now();
    measurement.octets = session.retrieve(options.message, out);
    measurement.elapsed = Clock::now() - start;
    session.command("QUIT", "QUIT");
    return measurement;
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app("Times one RETR: pop3::Client against a raw socket read", "pop3_retrieve");
    Options options;
    app.add_option("--method", options.method, "client or raw")
        ->required()
        ->check(CLI::IsMember({"client", "raw"}));
    app.add_option("--host", options.host, "Server address")->capture_default_str();
    app.add_option("--port", options.port, "Plaintext POP3 port")->required();
    app.add_option("--user", options.user, "Account name")->required();
    app.add_option("--password", options.password, "Account password")->required();
    app.add_option("--message", options.message, "Message number")->required();
    app.add_option("--output", options.output, "Where the message goes")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 1;
    }

    try {
        std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot open " + options.output);
        const Measurement measurement = options.method == "client"
                                            ? retrieveWithClient(options, out)
                                            : retrieveRaw(options, out);
        out.close();
        if (!out)
            throw std::runtime_error("cannot write " + options.output);
        const double seconds = std::chrono::duration<double>(measurement.elapsed).count();
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        std::printf("{\"method\":\"%s\",\"octets\":%llu,\"seconds\":%.6f,\"mb_per_s\":%.1f,"
                    "\"peak_rss_kb\":%ld}\n",
                    options.method.c_str(), static_cast<unsigned long long>(measurement.octets),
                    seconds,
                    seconds > 0 ? static_cast<double>(measurement.octets) / 1e6 / seconds : 0.0,
                    usage.ru_maxrss);
        return 0;
    } catch (const Poco::Exception& e) {
        std::cerr << "pop3_retrieve: " << e.displayText() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "pop3_retrieve: " << e.what() << '\n';
        return 1;
    }
}
