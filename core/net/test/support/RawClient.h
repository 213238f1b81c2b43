#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <string>

namespace pop3::test {

/// A deliberately dumb POP3 client for byte-exact tests: it sends exactly the bytes it is given
/// and returns exactly what the server sent.
class RawClient {
public:
    /// Connects to 127.0.0.1:port (implicit TLS handshake first when `tls` is set).
    explicit RawClient(std::uint16_t port, bool tls = false);

    void send(const std::string& bytes);
    /// One line including its CRLF. Throws on timeout or EOF.
    std::string readLine();
    /// Everything up to and including the ".\r\n" terminator line (after a status line read
    /// with readLine()).
    std::string readBody();
    /// Sends `command` + CRLF and returns the status line.
    std::string command(const std::string& command);
    /// Sends `command` + CRLF and returns status line and body.
    std::string multiline(const std::string& command);
    /// True when the server closed the connection (reads until EOF, within the timeout).
    bool closedByServer();
    /// Runs the client side of the TLS handshake on the existing connection (after STLS).
    void startTls();

    Poco::Net::StreamSocket& socket() { return _socket; }

    static Poco::Net::Context::Ptr clientContext();

private:
    int fill();

    Poco::Net::StreamSocket _socket;
    std::string _buffer;
};

} // namespace pop3::test
