#include "support/ScriptedPeer.h"

#include "pop3/Tls.h"

#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "support/TestPki.h"

namespace pop3::test {

ScriptedPeer::Script& ScriptedPeer::Script::send(std::string bytes) {
    _steps.push_back([bytes = std::move(bytes)](ScriptedPeer& peer) {
        peer._socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    });
    return *this;
}

ScriptedPeer::Script& ScriptedPeer::Script::expectLine() {
    _steps.push_back([](ScriptedPeer& peer) { peer.readLine(); });
    return *this;
}

ScriptedPeer::Script& ScriptedPeer::Script::reply(std::vector<std::string> answers) {
    for (std::string& answer : answers)
        expectLine().send(std::move(answer));
    return *this;
}

ScriptedPeer::Script& ScriptedPeer::Script::startTls(Poco::Net::Context::Ptr context) {
    _steps.push_back([context](ScriptedPeer& peer) {
        const TestPki& pki = TestPki::get();
        Poco::Net::Context::Ptr used =
            context ? context : ScriptedPeer::serverContext(pki.serverCert, pki.serverKey);
        peer._socket = Poco::Net::SecureStreamSocket::attach(peer._socket, used);
    });
    return *this;
}

ScriptedPeer::Script& ScriptedPeer::Script::pause(std::chrono::milliseconds duration) {
    _steps.push_back([duration](ScriptedPeer&) { std::this_thread::sleep_for(duration); });
    return *this;
}

ScriptedPeer::Script& ScriptedPeer::Script::close() {
    _steps.push_back([](ScriptedPeer& peer) { peer._socket.close(); });
    return *this;
}

ScriptedPeer::ScriptedPeer(Script script, Poco::Net::Context::Ptr tlsContext)
    : _server(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    _thread = std::thread([this, script = std::move(script), tlsContext]() mutable {
        run(std::move(script), tlsContext);
    });
}

ScriptedPeer::~ScriptedPeer() {
    if (_thread.joinable())
        _thread.join();
}

std::vector<std::string> ScriptedPeer::received() {
    if (_thread.joinable())
        _thread.join();
    std::lock_guard<std::mutex> lock(_mutex);
    return _received;
}

Poco::Net::Context::Ptr ScriptedPeer::serverContext(const std::string& certFile,
                                                    const std::string& keyFile) {
    ensureSslInitialized();
    Poco::Net::Context::Params params;
    params.certificateFile = certFile;
    params.privateKeyFile = keyFile;
    params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    return new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
}

void ScriptedPeer::run(Script script, Poco::Net::Context::Ptr tlsContext) {
    try {
        // Wait for the client for at most ten seconds: a test that never connects must end.
        if (!_server.poll(Poco::Timespan(10, 0), Poco::Net::Socket::SELECT_READ))
            return;
        _socket = _server.acceptConnection();
        _socket.setReceiveTimeout(Poco::Timespan(10, 0));
        if (tlsContext)
            _socket = Poco::Net::SecureStreamSocket::attach(_socket, tlsContext);
        for (auto& step : script._steps)
            step(*this);
        // Linger until the client is done, so its reads see the script's end, not a reset.
        char sink[256];
        while (_socket.impl()->initialized() && _socket.receiveBytes(sink, sizeof sink) > 0) {
        }
    } catch (const Poco::Exception&) {
        // The client went away or the handshake failed: the test checks the client's side.
    }
}

std::string ScriptedPeer::readLine() {
    std::size_t lf;
    while ((lf = _buffer.find('\n')) == std::string::npos) {
        char chunk[1024];
        const int n = _socket.receiveBytes(chunk, sizeof chunk);
        if (n <= 0)
            throw Poco::Exception("client closed");
        _buffer.append(chunk, static_cast<std::size_t>(n));
    }
    std::string line = _buffer.substr(0, lf);
    _buffer.erase(0, lf + 1);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    std::lock_guard<std::mutex> lock(_mutex);
    _received.push_back(line);
    return line;
}

} // namespace pop3::test
