#include "support/RawClient.h"

#include "pop3/Tls.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <stdexcept>

#include "support/TestPki.h"

namespace pop3::test {

Poco::Net::Context::Ptr RawClient::clientContext() {
    ensureSslInitialized();
    Poco::Net::Context::Params params;
    params.caLocation = TestPki::get().caCert;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    static Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    return context;
}

RawClient::RawClient(std::uint16_t port, bool tls) {
    const Poco::Net::SocketAddress address("127.0.0.1", port);
    if (tls) {
        Poco::Net::SecureStreamSocket secure(clientContext());
        secure.setPeerHostName("localhost");
        secure.connect(address, Poco::Timespan(5, 0));
        _socket = secure;
    } else {
        _socket.connect(address, Poco::Timespan(5, 0));
    }
    _socket.setReceiveTimeout(Poco::Timespan(5, 0));
}

void RawClient::send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size())
        sent += static_cast<std::size_t>(
            _socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
}

int RawClient::fill() {
    char chunk[16384];
    const int n = _socket.receiveBytes(chunk, sizeof chunk);
    if (n > 0)
        _buffer.append(chunk, static_cast<std::size_t>(n));
    return n;
}

std::string RawClient::readLine() {
    std::size_t lf;
    while ((lf = _buffer.find('\n')) == std::string::npos) {
        if (fill() <= 0)
            throw std::runtime_error("connection closed while reading a line; got '" + _buffer +
                                     "'");
    }
    std::string line = _buffer.substr(0, lf + 1);
    _buffer.erase(0, lf + 1);
    return line;
}

std::string RawClient::readBody() {
    std::string body;
    for (;;) {
        std::string line = readLine();
        body += line;
        if (line == ".\r\n")
            return body;
    }
}

std::string RawClient::command(const std::string& command) {
    send(command + "\r\n");
    return readLine();
}

std::string RawClient::multiline(const std::string& command) {
    std::string status = this->command(command);
    if (status.rfind("+OK", 0) != 0)
        return status;
    return status + readBody();
}

bool RawClient::closedByServer() {
    try {
        while (_buffer.empty()) {
            if (fill() <= 0)
                return true;
        }
    } catch (const Poco::Net::ConnectionResetException&) {
        return true;
    }
    return false;
}

void RawClient::startTls() {
    Poco::Net::SecureStreamSocket secure =
        Poco::Net::SecureStreamSocket::attach(_socket, "localhost", clientContext());
    _socket = secure;
    _buffer.clear();
}

} // namespace pop3::test
