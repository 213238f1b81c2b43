#pragma once

#include "pop3/Server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "support/RawClient.h"
#include "support/TestMailbox.h"
#include "support/TestPki.h"

namespace pop3::test {

/// Message texts used across the server tests: one with a line starting with ".", LF line ends
/// and no final newline, so stuffing, normalisation and sizes are all exercised.
inline const std::string kFirstMessage = "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n"
                                         ".dot line\r\n..two dots\r\n.\r\nlast\r\n";
inline const std::string kSecondMessage = "From: b@example.org\nSubject: two\n\nbody 1\nbody 2\n"
                                          "body 3";

/// A loopback pop3::Server on a free port with an in-memory mailbox: alice (secret "alice-pw")
/// has two messages, bob ("bob-pw") none.
class ServerFixture : public ::testing::Test {
protected:
    void SetUp() override {
        mailbox.addUser("alice", "alice-pw");
        mailbox.addUser("bob", "bob-pw");
        mailbox.addMessage("alice", "uid-1", kFirstMessage);
        mailbox.addMessage("alice", "uid-2", kSecondMessage);
    }

    void TearDown() override {
        if (server)
            server->stop();
    }

    /// Creates the server (port 0 on 127.0.0.1) with a certificate, lets `configure` adjust
    /// it, and starts it.
    Server& startServer(std::function<void(Server&)> configure = {}, int maxConnections = 16,
                        TlsProtocol minProtocol = TlsProtocol::tls1_2,
                        TlsProtocol maxProtocol = TlsProtocol::tls1_3) {
        server = std::make_unique<Server>(true, false, 0, maxConnections, maxConnections,
                                          minProtocol, maxProtocol);
        server->options().address = "127.0.0.1";
        const TestPki& pki = TestPki::get();
        server->setCertificate(pki.serverCert, pki.serverKey, pki.caCert);
        mailbox.attach(*server);
        if (configure)
            configure(*server);
        server->start();
        return *server;
    }

    RawClient connect(bool tls = false) {
        RawClient client(server->port(), tls);
        greeting = client.readLine();
        return client;
    }

    void login(RawClient& client, const std::string& user = "alice",
               const std::string& password = "alice-pw") {
        ASSERT_EQ(client.command("USER " + user), "+OK\r\n");
        ASSERT_EQ(client.command("PASS " + password).rfind("+OK", 0), 0u);
    }

    /// Waits until `condition` holds, up to five seconds.
    static bool eventually(const std::function<bool()>& condition) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            if (condition())
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return condition();
    }

    TestMailbox mailbox;
    std::unique_ptr<Server> server;
    std::string greeting;
};

/// The bytes a client gets for `message` after unstuffing (canonical CRLF form).
std::string wireForm(const std::string& message);

} // namespace pop3::test
