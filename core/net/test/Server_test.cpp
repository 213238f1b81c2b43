#include "pop3/Auth.h"
#include "pop3/Errors.h"
#include "pop3/Sasl.h"
#include "pop3/Server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "support/ServerFixture.h"
#include "support/Subprocess.h"

namespace pop3::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ServerTest : public ServerFixture {};

TEST_F(ServerTest, PortZeroPicksAFreePortReadableAfterStart) {
    startServer();
    EXPECT_GT(server->port(), 0);
    RawClient client = connect();
    EXPECT_THAT(greeting, StartsWith("+OK "));
}

TEST_F(ServerTest, Rfc1939RetrieveIsByteExactAndDeleteHappensAtQuit) {
    startServer();
    RawClient client = connect();
    login(client);
    const std::string first = wireForm(kFirstMessage);
    const std::string second = wireForm(kSecondMessage);
    EXPECT_EQ(client.command("STAT"),
              "+OK 2 " + std::to_string(first.size() + second.size()) + "\r\n");
    EXPECT_EQ(client.multiline("LIST"), "+OK Scan listing follows\r\n1 " +
                                            std::to_string(first.size()) + "\r\n2 " +
                                            std::to_string(second.size()) + "\r\n.\r\n");
    EXPECT_EQ(client.multiline("UIDL"),
              "+OK Unique-ID listing follows\r\n1 uid-1\r\n2 uid-2\r\n.\r\n");
    // Byte-stuffed on the wire: every line starting with "." gains one.
    EXPECT_EQ(client.multiline("RETR 1"),
              "+OK " + std::to_string(first.size()) +
                  " octets\r\nFrom: a@example.org\r\nSubject: one\r\n\r\nHello\r\n"
                  "..dot line\r\n...two dots\r\n..\r\nlast\r\n.\r\n");
    EXPECT_EQ(client.multiline("TOP 2 1"),
              "+OK Top of message follows\r\nFrom: b@example.org\r\nSubject: two\r\n\r\n"
              "body 1\r\n.\r\n");
    EXPECT_EQ(client.command("DELE 1"), "+OK Message 1 deleted\r\n");
    EXPECT_EQ(mailbox.uids("alice").size(), 2u) << "DELE only marks";
    EXPECT_EQ(client.command("QUIT"), "+OK Bye\r\n");
    EXPECT_TRUE(client.closedByServer());
    EXPECT_EQ(mailbox.uids("alice"), std::vector<std::string>{"uid-2"});
    EXPECT_TRUE(eventually([&] { return mailbox.disconnects() == 1; }));
}

TEST_F(ServerTest, Rfc1939Section6DisconnectWithoutQuitDeletesNothing) {
    startServer();
    {
        RawClient client = connect();
        login(client);
        EXPECT_EQ(client.command("DELE 1"), "+OK Message 1 deleted\r\n");
        EXPECT_EQ(client.command("DELE 2"), "+OK Message 2 deleted\r\n");
    }
    EXPECT_TRUE(eventually([&] { return mailbox.disconnects() == 1; }));
    EXPECT_EQ(mailbox.quits(), 0);
    EXPECT_EQ(mailbox.uids("alice").size(), 2u);
}

TEST_F(ServerTest, Rfc1939Section7ApopChecksTheDigestAgainstTheSharedSecret) {
    startServer();
    RawClient client = connect();
    const auto timestamp = extractApopTimestamp(greeting);
    ASSERT_TRUE(timestamp) << greeting;
    EXPECT_EQ(client.command("APOP alice " + apopDigest(*timestamp, "wrong")),
              "-ERR [AUTH] Authentication failed\r\n");
    EXPECT_THAT(client.command("APOP alice " + apopDigest(*timestamp, "alice-pw")),
                StartsWith("+OK"));
    EXPECT_EQ(client.command("STAT").substr(0, 5), "+OK 2");
}

TEST_F(ServerTest, Rfc1939Section7ApopTimestampDiffersPerConnection) {
    startServer();
    RawClient first = connect();
    const std::string firstGreeting = greeting;
    RawClient second = connect();
    EXPECT_NE(extractApopTimestamp(firstGreeting), extractApopTimestamp(greeting));
}

TEST_F(ServerTest, Rfc5034SaslCramMd5LogsInThroughCheckSecret) {
    startServer();
    RawClient client = connect();
    auto sasl = SaslClientExchange::create("CRAM-MD5", "alice", "alice-pw");
    const std::string challenge = client.command("AUTH CRAM-MD5");
    ASSERT_THAT(challenge, StartsWith("+ "));
    const auto response = sasl->respond(challenge.substr(2, challenge.size() - 4));
    ASSERT_TRUE(response);
    EXPECT_THAT(client.command(*response), StartsWith("+OK"));
}

TEST_F(ServerTest, Rfc5034SaslPlainWithInitialResponse) {
    startServer();
    RawClient client = connect();
    auto sasl = SaslClientExchange::create("PLAIN", "alice", "alice-pw");
    EXPECT_THAT(client.command("AUTH PLAIN " + *sasl->initialResponse()), StartsWith("+OK"));
}

TEST_F(ServerTest, Rfc2595StlsUpgradesAndCapaDropsStls) {
    startServer();
    RawClient client = connect();
    EXPECT_THAT(client.multiline("CAPA"), HasSubstr("\r\nSTLS\r\n"));
    EXPECT_EQ(client.command("STLS"), "+OK Begin TLS negotiation\r\n");
    client.startTls();
    const std::string capa = client.multiline("CAPA");
    EXPECT_THAT(capa, StartsWith("+OK"));
    EXPECT_THAT(capa, Not(HasSubstr("STLS")));
    EXPECT_EQ(client.command("STLS"), "-ERR TLS is already active\r\n");
    login(client);
    EXPECT_EQ(client.command("STAT").substr(0, 5), "+OK 2");
}

TEST_F(ServerTest, Rfc2595StlsInjectedCommandIsNotAnsweredInsideTls) {
    startServer();
    RawClient client = connect();
    // CVE-2011-0411 pattern: a command pipelined after STLS in the same segment must be
    // discarded, not executed once TLS is up.
    client.send("STLS\r\nCAPA\r\n");
    EXPECT_EQ(client.readLine(), "+OK Begin TLS negotiation\r\n");
    client.startTls();
    EXPECT_EQ(client.command("USER alice"), "+OK\r\n")
        << "the first reply inside TLS must answer our first TLS command";
}

TEST_F(ServerTest, Rfc2595RefusesPlaintextLoginBeforeTlsWhenConfigured) {
    startServer([](Server& s) { s.options().refusePlaintextLoginWithoutTls = true; });
    RawClient client = connect();
    const std::string capa = client.multiline("CAPA");
    EXPECT_THAT(capa, Not(HasSubstr("\r\nUSER\r\n")));
    EXPECT_THAT(capa, HasSubstr("\r\nSASL CRAM-MD5\r\n"));
    EXPECT_THAT(client.command("USER alice"), StartsWith("-ERR [AUTH]"));
    EXPECT_THAT(client.command("AUTH PLAIN"), StartsWith("-ERR [AUTH]"));
    ASSERT_EQ(client.command("STLS"), "+OK Begin TLS negotiation\r\n");
    client.startTls();
    EXPECT_THAT(client.multiline("CAPA"), HasSubstr("\r\nUSER\r\nSASL CRAM-MD5 PLAIN LOGIN\r\n"));
    login(client);
}

TEST_F(ServerTest, Rfc8314ImplicitTlsGreetsOnlyAfterTheHandshake) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    EXPECT_TRUE(server->implicitTls());
    RawClient client = connect(true);
    EXPECT_THAT(greeting, StartsWith("+OK"));
    EXPECT_THAT(client.multiline("CAPA"), Not(HasSubstr("STLS")));
    login(client);
    EXPECT_THAT(client.multiline("RETR 2"), HasSubstr("body 3\r\n.\r\n"));
}

TEST_F(ServerTest, Rfc8314ImplicitTlsSendsNoPlaintext) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    Poco::Net::StreamSocket plain;
    plain.connect(Poco::Net::SocketAddress("127.0.0.1", server->port()));
    plain.setReceiveTimeout(Poco::Timespan(0, 300000));
    char buffer[16];
    EXPECT_THROW(plain.receiveBytes(buffer, sizeof buffer), Poco::TimeoutException)
        << "the server must wait for the client's TLS hello";
}

/// Runs `openssl s_client` with the given protocol switch against the server and returns its
/// result; the POP3 greeting in its output proves the handshake completed.
SubprocessResult opensslHandshake(std::uint16_t port, const std::string& protocolSwitch) {
    return runSubprocess(requireProgram("openssl"),
                         {"s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                          protocolSwitch, "-cipher", "DEFAULT:@SECLEVEL=0", "-quiet"},
                         "QUIT\r\n", std::chrono::seconds(20));
}

TEST_F(ServerTest, MinimumProtocolTls12RefusesTls11Handshake) {
    startServer([](Server& s) { s.options().implicitTls = true; }, 16, TlsProtocol::tls1_2);
    const SubprocessResult refused = opensslHandshake(server->port(), "-tls1_1");
    EXPECT_NE(refused.exitCode, 0);
    EXPECT_THAT(refused.out, Not(HasSubstr("+OK")));
    const SubprocessResult accepted = opensslHandshake(server->port(), "-tls1_2");
    EXPECT_THAT(accepted.out, HasSubstr("+OK")) << accepted.err;
}

TEST_F(ServerTest, MinimumProtocolTls10AcceptsTls11Handshake) {
    startServer([](Server& s) { s.options().implicitTls = true; }, 16, TlsProtocol::tls1_0);
    const SubprocessResult accepted = opensslHandshake(server->port(), "-tls1_1");
    EXPECT_THAT(accepted.out, HasSubstr("+OK")) << accepted.err;
}

TEST_F(ServerTest, MaximumProtocolTls12RefusesTls13Handshake) {
    startServer([](Server& s) { s.options().implicitTls = true; }, 16, TlsProtocol::tls1_2,
                TlsProtocol::tls1_2);
    const SubprocessResult refused = opensslHandshake(server->port(), "-tls1_3");
    EXPECT_NE(refused.exitCode, 0);
    EXPECT_THAT(refused.out, Not(HasSubstr("+OK")));
    EXPECT_THAT(opensslHandshake(server->port(), "-tls1_2").out, HasSubstr("+OK"));
}

TEST_F(ServerTest, MaxConnectionsRefusesWithSysTempInsteadOfDropping) {
    startServer({}, 2);
    RawClient first = connect();
    RawClient second = connect();
    RawClient third(server->port());
    EXPECT_EQ(third.readLine(), "-ERR [SYS/TEMP] Too many connections, try again later\r\n");
    EXPECT_TRUE(third.closedByServer());
    EXPECT_EQ(first.command("QUIT"), "+OK Bye\r\n");
    EXPECT_TRUE(first.closedByServer());
    EXPECT_TRUE(eventually([&] { return server->connections() == 1; }));
    RawClient fourth = connect();
    EXPECT_THAT(greeting, StartsWith("+OK"));
}

TEST_F(ServerTest, ThrowingHandlerGivesSysTempAndTheSessionGoesOn) {
    startServer([](Server& s) {
        s.onRetrieve = [](Session&) { throw std::runtime_error("storage offline"); };
    });
    RawClient client = connect();
    login(client);
    EXPECT_EQ(client.command("RETR 1"), "-ERR [SYS/TEMP] Internal server error\r\n");
    EXPECT_EQ(client.command("NOOP"), "+OK\r\n");
    RawClient other = connect();
    EXPECT_THAT(greeting, StartsWith("+OK")) << "the server keeps serving";
}

TEST_F(ServerTest, ThrowingQuitHandlerReportsUndeletedMessages) {
    startServer(
        [](Server& s) { s.onQuit = [](Session&) { throw std::runtime_error("disk full"); }; });
    RawClient client = connect();
    login(client);
    client.command("DELE 1");
    EXPECT_EQ(client.command("QUIT"), "-ERR [SYS/TEMP] Some deleted messages were not removed\r\n");
    EXPECT_TRUE(client.closedByServer());
}

TEST_F(ServerTest, Rfc1939Section8SecondLoginToALockedMailboxGetsInUse) {
    startServer();
    RawClient first = connect();
    login(first);
    RawClient second = connect();
    EXPECT_EQ(second.command("USER alice"), "+OK\r\n");
    EXPECT_EQ(second.command("PASS alice-pw"),
              "-ERR [IN-USE] Mailbox is locked by another session\r\n");
    EXPECT_EQ(first.command("QUIT"), "+OK Bye\r\n");
    EXPECT_TRUE(first.closedByServer());
    EXPECT_TRUE(eventually([&] { return mailbox.disconnects() == 1; }));
    login(second);
}

TEST_F(ServerTest, Rfc1939Section8MailboxIsFreeOnceQuitIsAnswered) {
    startServer();
    for (int i = 0; i < 20; ++i) {
        RawClient client = connect();
        login(client);
        ASSERT_EQ(client.command("QUIT"), "+OK Bye\r\n") << "round " << i;
    }
}

TEST_F(ServerTest, LoginRefusalCodeChosenByTheHandler) {
    startServer([](Server& s) {
        s.onLogin = [](Session& session) { session.refusal = LoginStatus::LoginDelay; };
    });
    RawClient client = connect();
    client.command("USER alice");
    EXPECT_THAT(client.command("PASS alice-pw"), StartsWith("-ERR [LOGIN-DELAY]"));
}

TEST_F(ServerTest, Rfc1939Section3IdleSessionIsClosedWithoutUpdate) {
    startServer([](Server& s) { s.options().idleTimeout = std::chrono::milliseconds(300); });
    RawClient client = connect();
    login(client);
    client.command("DELE 1");
    EXPECT_TRUE(client.closedByServer());
    EXPECT_TRUE(eventually([&] { return mailbox.disconnects() == 1; }));
    EXPECT_EQ(mailbox.quits(), 0);
    EXPECT_EQ(mailbox.uids("alice").size(), 2u);
}

TEST_F(ServerTest, StopEndsOpenSessionsAsDisconnects) {
    startServer();
    RawClient client = connect();
    login(client);
    client.command("DELE 1");
    server->stop();
    EXPECT_FALSE(server->running());
    EXPECT_TRUE(client.closedByServer());
    EXPECT_EQ(mailbox.disconnects(), 1) << "stop() waits for the handlers";
    EXPECT_EQ(mailbox.uids("alice").size(), 2u);
}

TEST_F(ServerTest, PipelinedCommandsFromOneWriteAreAnsweredInOrder) {
    startServer();
    RawClient client = connect();
    client.send("USER alice\r\nPASS alice-pw\r\nSTAT\r\nLIST 2\r\nUIDL 1\r\nNOOP\r\nQUIT\r\n");
    EXPECT_EQ(client.readLine(), "+OK\r\n");
    EXPECT_THAT(client.readLine(), StartsWith("+OK Logged in"));
    EXPECT_THAT(client.readLine(), StartsWith("+OK 2 "));
    EXPECT_EQ(client.readLine(),
              "+OK 2 " + std::to_string(wireForm(kSecondMessage).size()) + "\r\n");
    EXPECT_EQ(client.readLine(), "+OK 1 uid-1\r\n");
    EXPECT_EQ(client.readLine(), "+OK\r\n");
    EXPECT_EQ(client.readLine(), "+OK Bye\r\n");
    EXPECT_TRUE(client.closedByServer());
}

TEST_F(ServerTest, Rfc2449Section4OverLongCommandGetsErrAndSessionContinues) {
    startServer();
    RawClient client = connect();
    EXPECT_EQ(client.command("USER " + std::string(300, 'a')), "-ERR line too long\r\n");
    EXPECT_EQ(client.command("USER " + std::string(255 - 7, 'a')), "+OK\r\n")
        << "255 octets including CRLF are accepted";
}

TEST_F(ServerTest, MegabyteLineWithoutLineEndIsRefusedWithBoundedMemory) {
    startServer();
    RawClient client = connect();
    client.send(std::string(1 << 20, 'x'));
    EXPECT_EQ(client.readLine(), "-ERR line too long\r\n");
    client.send("\r\n");
    EXPECT_EQ(client.command("NOOP"), "-ERR NOOP is not valid in this state\r\n");
}

TEST_F(ServerTest, TooManyBadCommandsCloseTheSession) {
    startServer([](Server& s) { s.options().maxBadCommands = 3; });
    RawClient client = connect();
    EXPECT_EQ(client.command("BOGUS"), "-ERR unknown command\r\n");
    EXPECT_EQ(client.command("STAT"), "-ERR STAT is not valid in this state\r\n");
    EXPECT_EQ(client.command("\x01"), "-ERR Too many bad commands, closing the connection\r\n");
    EXPECT_TRUE(client.closedByServer());
}

TEST_F(ServerTest, LargeStreamedMessageArrivesIntact) {
    std::string big;
    for (int i = 0; big.size() < 8u << 20; ++i)
        big += (i % 7 == 0 ? "." : "") + std::string("line ") + std::to_string(i) + "\r\n";
    startServer([&](Server& s) {
        s.onLogin = [&](Session& session) {
            session.authenticated = session.checkSecret("pw");
            session.items = {{7, "big", big.size(), false}};
        };
        s.onRetrieve = [&](Session& session) {
            EXPECT_EQ(session.item.id, 7u);
            session.item.stream = std::make_shared<std::istringstream>(big);
        };
    });
    RawClient client = connect();
    login(client, "anyone", "pw");
    const std::string status = client.command("RETR 1");
    EXPECT_EQ(status, "+OK " + std::to_string(big.size()) + " octets\r\n");
    std::string body = client.readBody();
    // Undo the stuffing the way a client does.
    std::string unstuffed;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
        line += "\n";
        if (line == ".\r\n")
            break;
        unstuffed += line[0] == '.' ? line.substr(1) : line;
    }
    EXPECT_EQ(unstuffed.size(), big.size());
    EXPECT_TRUE(unstuffed == big);
}

TEST_F(ServerTest, OnConnectCanRefuseTheConnection) {
    std::atomic<int> connects{0};
    startServer([&](Server& s) {
        s.onConnect = [&](Session& session) {
            ++connects;
            EXPECT_EQ(session.ip, "127.0.0.1");
            EXPECT_GT(session.port, 0);
            EXPECT_GT(session.id, 0u);
            session.disconnect();
        };
    });
    RawClient client(server->port());
    EXPECT_TRUE(client.closedByServer());
    EXPECT_EQ(connects.load(), 1);
}

TEST_F(ServerTest, SessionFieldsPersistAcrossHandlers) {
    std::atomic<std::uint64_t> loginId{0}, retrieveId{0};
    std::string seenUser;
    startServer([&](Server& s) {
        s.onLogin = [&](Session& session) {
            loginId = session.id;
            session.authenticated = session.password == "pw";
            session.items = {{0, "u", 5, false}};
        };
        s.onRetrieve = [&](Session& session) {
            retrieveId = session.id;
            seenUser = session.username;
            EXPECT_EQ(session.password, "pw");
            EXPECT_TRUE(session.authenticated);
            session.item.msg = "abc\r\n";
        };
    });
    RawClient client = connect();
    login(client, "carol", "pw");
    EXPECT_EQ(client.multiline("RETR 1"), "+OK 5 octets\r\nabc\r\n.\r\n");
    EXPECT_EQ(loginId.load(), retrieveId.load());
    EXPECT_EQ(seenUser, "carol");
}

TEST(ServerCertificateTest, MissingCertificateFileIsNamedInTheError) {
    Server server(true, false, 0);
    const TestPki& pki = TestPki::get();
    try {
        server.setCertificate("/nonexistent/cert.pem", pki.serverKey);
        FAIL() << "expected CertificateError";
    } catch (const CertificateError& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/cert.pem"));
    }
    try {
        server.setCertificate(pki.serverCert, "/nonexistent/key.pem");
        FAIL() << "expected CertificateError";
    } catch (const CertificateError& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/key.pem"));
    }
}

TEST(ServerCertificateTest, KeyThatDoesNotMatchTheCertificateIsRefused) {
    Server server(true, false, 0);
    const TestPki& pki = TestPki::get();
    const std::string otherKey = pki.dir + "/other-ca.key";
    try {
        server.setCertificate(pki.serverCert, otherKey);
        FAIL() << "expected CertificateError";
    } catch (const CertificateError& e) {
        EXPECT_THAT(e.what(), HasSubstr(otherKey));
    }
}

TEST(ServerCertificateTest, VerifyChecksTheChainAgainstTheRoot) {
    Server server(true, false, 0);
    const TestPki& pki = TestPki::get();
    EXPECT_NO_THROW(server.setCertificate(pki.serverCert, pki.serverKey, pki.caCert, true));
    try {
        server.setCertificate(pki.serverCert, pki.serverKey, pki.otherCaCert, true);
        FAIL() << "expected CertificateError";
    } catch (const CertificateError& e) {
        EXPECT_THAT(e.what(), HasSubstr("does not verify"));
        EXPECT_THAT(e.what(), HasSubstr(pki.otherCaCert));
    }
}

TEST(ServerCertificateTest, ImplicitTlsWithoutCertificateCannotStart) {
    Server server(true, false, 0);
    server.options().address = "127.0.0.1";
    server.options().implicitTls = true;
    EXPECT_THROW(server.start(), UsageError);
}

TEST(ServerConstructorTest, RejectsMinimumAboveMaximum) {
    EXPECT_THROW(Server(true, false, 0, 10, 10, TlsProtocol::tls1_3, TlsProtocol::tls1_2),
                 UsageError);
}

TEST_F(ServerTest, OnCommandDelaysTheReply) {
    startServer([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) {
            CommandAction action;
            if (context.line == "CAPA")
                action.delay = std::chrono::milliseconds(300);
            return action;
        };
    });
    RawClient client = connect();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THAT(client.multiline("CAPA"), StartsWith("+OK"));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

TEST_F(ServerTest, OnCommandStallNeverAnswersAndStopEndsIt) {
    startServer([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) {
            CommandAction action;
            action.stall = context.line == "STAT";
            return action;
        };
    });
    RawClient client = connect();
    login(client);
    client.send("STAT\r\n");
    client.socket().setReceiveTimeout(Poco::Timespan(0, 300000));
    EXPECT_THROW(client.readLine(), Poco::TimeoutException) << "a stalled command is not answered";
    server->stop();
    EXPECT_TRUE(client.closedByServer());
    EXPECT_EQ(mailbox.quits(), 0);
}

TEST_F(ServerTest, OnCommandInjectsLinesAfterStlsPlusOkThenStartsTls) {
    startServer([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) {
            CommandAction action;
            if (context.line == "STLS")
                action.appendAfterReply = "+OK injected before the handshake\r\n";
            return action;
        };
    });
    RawClient client = connect();
    EXPECT_EQ(client.command("STLS"), "+OK Begin TLS negotiation\r\n");
    EXPECT_EQ(client.readLine(), "+OK injected before the handshake\r\n");
    client.startTls();
    login(client);
}

TEST_F(ServerTest, OnCommandStlsOkWithoutTlsStaysPlaintext) {
    startServer([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) {
            CommandAction action;
            if (context.line == "STLS")
                action.replaceReply = "+OK Begin TLS negotiation\r\n";
            return action;
        };
    });
    RawClient client = connect();
    EXPECT_EQ(client.command("STLS"), "+OK Begin TLS negotiation\r\n");
    EXPECT_THAT(client.multiline("CAPA"), HasSubstr("\r\nSTLS\r\n"))
        << "still plaintext: the STARTTLS-stripping case";
}

TEST_F(ServerTest, OnCommandDropsMidMessage) {
    startServer([](Server& s) {
        s.onCommand = [](Session&, const CommandContext& context) {
            CommandAction action;
            if (context.line == "RETR 1")
                action.dropAfterBytes = 30;
            return action;
        };
    });
    RawClient client = connect();
    login(client);
    client.send("RETR 1\r\n");
    EXPECT_EQ(client.readLine(),
              "+OK " + std::to_string(wireForm(kFirstMessage).size()) + " octets\r\n");
    EXPECT_THROW(client.readBody(), std::runtime_error) << "closed before the terminator";
    EXPECT_TRUE(eventually([&] { return mailbox.disconnects() == 1; }));
}

TEST_F(ServerTest, OnTraceRecordsBothDirectionsWithTheSession) {
    std::mutex mutex;
    std::vector<std::string> trace;
    startServer([&](Server& s) {
        s.onTrace = [&](const Session& session, TraceDirection direction, std::string_view line) {
            std::lock_guard<std::mutex> lock(mutex);
            trace.push_back(std::to_string(session.id) +
                            (direction == TraceDirection::received ? " C: " : " S: ") +
                            std::string(line));
        };
    });
    {
        RawClient client = connect();
        login(client);
        client.multiline("RETR 2");
        client.command("QUIT");
        EXPECT_TRUE(client.closedByServer());
    }
    EXPECT_TRUE(eventually([&] { return mailbox.disconnects() == 1; }));
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_THAT(trace, ::testing::Contains("1 C: PASS ****"));
    EXPECT_THAT(trace, ::testing::Contains("1 C: RETR 2"));
    EXPECT_THAT(trace, ::testing::Contains("1 S: +OK Bye"));
    EXPECT_THAT(trace, ::testing::Contains(::testing::StartsWith("1 S: [message data: ")));
}

TEST(ServerConstructorTest, UnimplementedSaslMechanismIsRefusedAtStart) {
    Server server(false, false, 0);
    server.options().address = "127.0.0.1";
    server.options().saslMechanisms = {"PLAIN", "SCRAM-SHA-1"};
    try {
        server.start();
        FAIL() << "would advertise a mechanism AUTH then refuses";
    } catch (const UsageError& e) {
        EXPECT_THAT(e.what(), HasSubstr("SCRAM-SHA-1"));
    }
    EXPECT_FALSE(server.running());
}

TEST(ServerConstructorTest, PlaintextOnlyServerDoesNotOfferStls) {
    TestMailbox mailbox;
    Server server(false, false, 0);
    server.options().address = "127.0.0.1";
    const TestPki& pki = TestPki::get();
    server.setCertificate(pki.serverCert, pki.serverKey);
    mailbox.attach(server);
    server.start();
    RawClient client(server.port());
    client.readLine();
    EXPECT_THAT(client.multiline("CAPA"), Not(HasSubstr("STLS")));
    EXPECT_EQ(client.command("STLS"), "-ERR STLS is not available\r\n");
    server.stop();
}

} // namespace
} // namespace pop3::test
