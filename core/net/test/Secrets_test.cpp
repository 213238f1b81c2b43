// Passwords and SASL secrets never reach pop3::Client's trace or errors, nor pop3::Server's
// trace or log: real sessions on loopback with every login method, accepted and refused.

#include "pop3/Auth.h"
#include "pop3/Client.h"
#include "pop3/Errors.h"

#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>

#include "support/Secrets.h"
#include "support/ServerFixture.h"

namespace pop3::test {
namespace {

/// Collects what a Poco logger writes.
class CapturingChannel : public Poco::Channel {
public:
    void log(const Poco::Message& message) override {
        std::lock_guard<std::mutex> lock(_mutex);
        _text += message.getText() + "\n";
    }

    std::string text() const {
        std::lock_guard<std::mutex> lock(_mutex);
        return _text;
    }

private:
    mutable std::mutex _mutex;
    std::string _text;
};

/// carol's password is the secret; mallory has no account, so her logins with the secret are
/// refused.
class SecretsNeverLeak : public ServerFixture {
protected:
    void SetUp() override {
        ServerFixture::SetUp();
        mailbox.addUser("carol", kSecret);
        mailbox.addMessage("carol", "uid-c", kFirstMessage);
        Poco::Logger& logger = Poco::Logger::get("pop3.server");
        _savedChannel = logger.getChannel();
        _savedLevel = logger.getLevel();
        logger.setChannel(serverLog);
        logger.setLevel(Poco::Message::PRIO_DEBUG);
    }

    void TearDown() override {
        ServerFixture::TearDown();
        Poco::Logger& logger = Poco::Logger::get("pop3.server");
        logger.setChannel(_savedChannel);
        logger.setLevel(_savedLevel);
    }

    /// Starts the server with its trace captured; `configure` adds to it.
    void start(std::function<void(Server&)> configure = {}) {
        startServer([this, configure](Server& s) {
            s.onTrace = [this](const Session&, TraceDirection direction, std::string_view line) {
                std::lock_guard<std::mutex> lock(_mutex);
                _serverTrace += (direction == TraceDirection::received ? "C: " : "S: ") +
                                std::string(line) + "\n";
            };
            if (configure)
                configure(s);
        });
    }

    /// A client logging in as `user` with the secret, tracing into clientTrace.
    Client makeClient(const std::string& user, AuthMode mode, const std::string& mechanism = {}) {
        Client client;
        client.host = "127.0.0.1";
        client.port = server->port();
        client.timeout = std::chrono::seconds(5);
        client.username = user;
        client.password = kSecret;
        client.authMode = mode;
        if (!mechanism.empty())
            client.saslMechanisms = {mechanism};
        client.onTrace = [this](TraceDirection direction, std::string_view line) {
            clientTrace +=
                (direction == TraceDirection::sent ? "C: " : "S: ") + std::string(line) + "\n";
        };
        return client;
    }

    /// Logs in as carol (accepted) and as mallory (refused); the refusal's message and command
    /// go into `errors`.
    void logInTwice(AuthMode mode, const std::string& mechanism = {}) {
        Client accepted = makeClient("carol", mode, mechanism);
        accepted.connect();
        EXPECT_EQ(accepted.count(), 1u);
        accepted.disconnect();
        Client refused = makeClient("mallory", mode, mechanism);
        try {
            refused.connect();
            ADD_FAILURE() << "mallory logged in";
        } catch (const ServerError& e) {
            errors += std::string(e.what()) + "\n" + e.command() + "\n";
        }
    }

    /// Everything either side wrote, once the sessions ended: both traces, the server's log,
    /// the errors.
    std::string everything() {
        eventually([this] { return server->connections() == 0; });
        std::lock_guard<std::mutex> lock(_mutex);
        return clientTrace + _serverTrace + serverLog->text() + errors;
    }

    std::string serverTrace() {
        eventually([this] { return server->connections() == 0; });
        std::lock_guard<std::mutex> lock(_mutex);
        return _serverTrace;
    }

    /// The first challenge the client received ("S: + <base64>"), decoded.
    std::string firstChallenge() const {
        const std::size_t at = clientTrace.find("S: + ");
        if (at == std::string::npos)
            return {};
        const std::size_t start = at + 5;
        return decodeBase64(clientTrace.substr(start, clientTrace.find('\n', start) - start))
            .value_or("");
    }

    std::string clientTrace;
    std::string errors;
    Poco::AutoPtr<CapturingChannel> serverLog = new CapturingChannel;

private:
    std::mutex _mutex;
    std::string _serverTrace;
    Poco::Channel::Ptr _savedChannel;
    int _savedLevel = 0;
};

TEST_F(SecretsNeverLeak, ClientAndServerTracesMaskPassCommand) {
    start();
    logInTwice(AuthMode::userPass);
    const std::string text = everything();
    EXPECT_TRUE(holdsNoSecret(text, "carol"));
    EXPECT_TRUE(holdsNoSecret(text, "mallory"));
    EXPECT_NE(clientTrace.find("C: PASS ****\n"), std::string::npos) << clientTrace;
    EXPECT_NE(serverTrace().find("C: PASS ****\n"), std::string::npos) << serverTrace();
}

TEST_F(SecretsNeverLeak, ClientTraceMasksSaslPlainResponse) {
    start();
    logInTwice(AuthMode::sasl, "PLAIN");
    const std::string text = everything();
    EXPECT_TRUE(holdsNoSecret(text, "carol"));
    EXPECT_TRUE(holdsNoSecret(text, "mallory"));
    EXPECT_NE(clientTrace.find("C: AUTH PLAIN ****\n"), std::string::npos) << clientTrace;
}

TEST_F(SecretsNeverLeak, ClientTraceMasksSaslLoginResponses) {
    start();
    logInTwice(AuthMode::sasl, "LOGIN");
    const std::string text = everything();
    EXPECT_TRUE(holdsNoSecret(text, "carol"));
    EXPECT_TRUE(holdsNoSecret(text, "mallory"));
    EXPECT_NE(clientTrace.find("C: AUTH LOGIN\n"), std::string::npos) << clientTrace;
}

TEST_F(SecretsNeverLeak, ClientTraceMasksCramMd5Response) {
    start();
    Client client = makeClient("carol", AuthMode::sasl, "CRAM-MD5");
    client.connect();
    client.disconnect();
    const std::string digest = cramMd5Digest(firstChallenge(), kSecret);
    ASSERT_FALSE(firstChallenge().empty()) << clientTrace;
    EXPECT_TRUE(holdsNoSecret(everything(), "carol", {digest, encodeBase64("carol " + digest)}));
}

TEST_F(SecretsNeverLeak, ClientAndServerTracesMaskApopDigest) {
    start();
    Client client = makeClient("carol", AuthMode::apop);
    client.connect();
    const std::optional<std::string> timestamp = extractApopTimestamp(client.greeting());
    client.disconnect();
    ASSERT_TRUE(timestamp);
    const std::string digest = apopDigest(*timestamp, kSecret);
    EXPECT_TRUE(holdsNoSecret(everything(), "carol", {digest}));
    EXPECT_NE(clientTrace.find("C: APOP carol ****\n"), std::string::npos) << clientTrace;
}

TEST_F(SecretsNeverLeak, RefusedApopNamesNoDigest) {
    start();
    Client client = makeClient("mallory", AuthMode::apop);
    try {
        client.connect();
        FAIL() << "mallory logged in";
    } catch (const ServerError& e) {
        EXPECT_EQ(e.command(), "APOP mallory ****");
        errors = e.what();
    }
    const std::size_t greeting = clientTrace.find("S: +OK");
    const std::optional<std::string> timestamp =
        extractApopTimestamp(clientTrace.substr(greeting, clientTrace.find('\n', greeting)));
    ASSERT_TRUE(timestamp) << clientTrace;
    EXPECT_TRUE(holdsNoSecret(everything(), "mallory", {apopDigest(*timestamp, kSecret)}));
}

TEST_F(SecretsNeverLeak, ServerLogMasksTheLineOfAFailingCommandHandler) {
    start([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) -> CommandAction {
            if (!context.greeting)
                throw std::runtime_error("storage offline");
            return {};
        };
    });
    const std::string plain = encodeBase64(std::string("\0carol\0", 7) + kSecret);
    {
        RawClient client = connect();
        for (const std::string& line : {"PASS " + kSecret, "AUTH PLAIN " + plain,
                                        "APOP carol " + apopDigest("<x@y>", kSecret)})
            EXPECT_EQ(client.command(line).rfind("-ERR [SYS/TEMP]", 0), 0u) << line;
        client.command("QUIT");
    }
    ASSERT_TRUE(eventually([&] {
        return serverLog->text().find("PASS ****") != std::string::npos;
    })) << serverLog->text();
    EXPECT_TRUE(
        holdsNoSecret(serverLog->text() + serverTrace(), "carol", {apopDigest("<x@y>", kSecret)}));
}

TEST_F(SecretsNeverLeak, ServerTraceMasksPassAfterLeadingSpaces) {
    start();
    {
        RawClient client = connect();
        EXPECT_EQ(client.command("USER carol"), "+OK\r\n");
        EXPECT_EQ(client.command("  PASS " + kSecret).rfind("-ERR", 0), 0u);
        client.command("QUIT");
    }
    EXPECT_TRUE(holdsNoSecret(serverTrace(), "carol"));
    EXPECT_NE(serverTrace().find("C:   PASS ****\n"), std::string::npos) << serverTrace();
}

TEST_F(SecretsNeverLeak, ServerTraceMasksSaslDataAnsweringAReplacedContinuation) {
    // A handler answering AUTH with its own "+ " makes the client send its PLAIN message as SASL
    // data, which the session then reads as an (unknown) command.
    start([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) {
            CommandAction action;
            if (context.line.rfind("AUTH", 0) == 0)
                action.replaceReply = "+ \r\n";
            return action;
        };
    });
    Client client = makeClient("carol", AuthMode::sasl, "PLAIN");
    EXPECT_THROW(client.connect(), ServerError);
    EXPECT_TRUE(holdsNoSecret(serverTrace() + clientTrace, "carol"));
    EXPECT_NE(serverTrace().find("C: ****\n"), std::string::npos) << serverTrace();
}

} // namespace
} // namespace pop3::test
