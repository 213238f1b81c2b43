#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pop3::test {

/// A loopback POP3 "server" that plays a fixed script to one client, for the error paths a
/// correct server never takes: garbage replies, drops mid-message, silence, injection.
class ScriptedPeer {
public:
    /// What the script can do; steps run in order on the peer's thread.
    class Script {
    public:
        /// Sends bytes as they are.
        Script& send(std::string bytes);
        /// Reads one line from the client (recorded in received()).
        Script& expectLine();
        /// Reads lines and answers each with the bytes given for it, in order.
        Script& reply(std::vector<std::string> answers);
        /// Server side of a TLS handshake with the test certificate (after STLS).
        Script& startTls(Poco::Net::Context::Ptr context = nullptr);
        /// Waits without reading.
        Script& pause(std::chrono::milliseconds duration);
        /// Closes the connection.
        Script& close();

    private:
        friend class ScriptedPeer;
        std::vector<std::function<void(ScriptedPeer&)>> _steps;
    };

    /// Listens on 127.0.0.1 (implicit TLS with `tlsContext`) and plays `script` to the first
    /// client.
    explicit ScriptedPeer(Script script, Poco::Net::Context::Ptr tlsContext = nullptr);
    ~ScriptedPeer();

    std::uint16_t port() const { return _server.address().port(); }
    /// The lines the client sent, without line ends (waits for the script to finish).
    std::vector<std::string> received();

    /// A server context with the test certificate, limited to the given TLS versions.
    static Poco::Net::Context::Ptr serverContext(const std::string& certFile,
                                                 const std::string& keyFile);

private:
    void run(Script script, Poco::Net::Context::Ptr tlsContext);
    std::string readLine();

    Poco::Net::ServerSocket _server;
    Poco::Net::StreamSocket _socket;
    std::string _buffer;
    std::mutex _mutex;
    std::vector<std::string> _received;
    std::thread _thread;
};

} // namespace pop3::test
