// pop3::Server against real third-party clients: Python's poplib, curl and openssl s_client,
// over plaintext, STLS and implicit TLS with a certificate generated for the run.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/ServerFixture.h"
#include "support/Subprocess.h"

namespace pop3::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// Runs a poplib script. The script sees PORT and CAFILE as globals, the modules poplib and
/// ssl, and a client context `tls` that trusts the test CA; it prints what the test checks.
SubprocessResult runPoplib(std::uint16_t port, const std::string& script) {
    const std::string prelude = "import poplib, ssl, sys\n"
                                "PORT = " +
                                std::to_string(port) +
                                "\n"
                                "CAFILE = '" +
                                TestPki::get().caCert +
                                "'\n"
                                "tls = ssl.create_default_context(cafile=CAFILE)\n";
    return runSubprocess(POP3_TEST_PYTHON, {"-c", prelude + script}, {}, std::chrono::seconds(30));
}

SubprocessResult runCurl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--silent", "--show-error", "--max-time", "20"});
    return runSubprocess(requireProgram("curl"), args);
}

std::string curlTlsResolve(std::uint16_t port) {
    return "localhost:" + std::to_string(port) + ":127.0.0.1";
}

class PoplibTest : public ServerFixture {};

TEST_F(PoplibTest, Rfc1939UserPassStatListUidlRetrDeleQuit) {
    startServer();
    const SubprocessResult result = runPoplib(server->port(), R"(
p = poplib.POP3('127.0.0.1', PORT, timeout=10)
print(p.user('alice').decode())
print(p.pass_('alice-pw').decode().split()[0])
print(p.stat())
print(p.list()[1])
print(p.uidl()[1])
status, lines, octets = p.retr(1)
sys.stdout.buffer.write(b'\r\n'.join(lines) + b'\r\n')
print('<<octets', octets)
print(p.dele(1).decode())
print(p.quit().decode())
)");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const std::string first = wireForm(kFirstMessage);
    const std::string second = wireForm(kSecondMessage);
    const std::string firstSize = std::to_string(first.size());
    const std::string secondSize = std::to_string(second.size());
    EXPECT_EQ(result.out, "+OK\n+OK\n(2, " + std::to_string(first.size() + second.size()) +
                              ")\n[b'1 " + firstSize + "', b'2 " + secondSize +
                              "']\n[b'1 uid-1', b'2 uid-2']\n" + first +
                              // poplib's count of unstuffed octets matches LIST's size.
                              "<<octets " + firstSize + "\n+OK Message 1 deleted\n+OK Bye\n");
    EXPECT_EQ(mailbox.uids("alice"), std::vector<std::string>{"uid-2"});
}

TEST_F(PoplibTest, Rfc1939Section7Apop) {
    startServer();
    const SubprocessResult result = runPoplib(server->port(), R"(
p = poplib.POP3('127.0.0.1', PORT, timeout=10)
print(p.apop('alice', 'alice-pw').decode().split()[0])
print(p.stat()[0])
try:
    poplib.POP3('127.0.0.1', PORT, timeout=10).apop('alice', 'wrong')
except poplib.error_proto as e:
    print(e)
p.quit()
)");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "+OK\n2\nb'-ERR [AUTH] Authentication failed'\n");
}

TEST_F(PoplibTest, Rfc2449CapaAndTop) {
    startServer();
    const SubprocessResult result = runPoplib(server->port(), R"(
p = poplib.POP3('127.0.0.1', PORT, timeout=10)
capa = p.capa()
print(sorted(capa))
print(capa['SASL'])
p.user('alice'); p.pass_('alice-pw')
print(p.top(2, 1)[1])
print(p.top(2, 0)[1])
p.quit()
)");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "['AUTH-RESP-CODE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', "
                          "'SASL', 'STLS', 'TOP', 'UIDL', "
                          "'USER']\n['CRAM-MD5', 'PLAIN', 'LOGIN']\n"
                          "[b'From: b@example.org', b'Subject: two', b'', b'body 1']\n"
                          "[b'From: b@example.org', b'Subject: two', b'']\n");
}

TEST_F(PoplibTest, Rfc2595StlsThenLoginVerifiesTheCertificate) {
    startServer();
    const SubprocessResult result = runPoplib(server->port(), R"(
p = poplib.POP3('localhost', PORT, timeout=10)
print(p.stls(tls).decode())
print('STLS' in p.capa())
p.user('alice'); p.pass_('alice-pw')
print(p.stat()[0])
p.quit()
)");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "+OK Begin TLS negotiation\nFalse\n2\n");
}

TEST_F(PoplibTest, Rfc8314Pop3SslRetrievesByteExact) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    const SubprocessResult result = runPoplib(server->port(), R"(
p = poplib.POP3_SSL('127.0.0.1', PORT, context=tls, timeout=10)
p.user('alice'); p.pass_('alice-pw')
sys.stdout.buffer.write(b'\r\n'.join(p.retr(2)[1]) + b'\r\n')
p.quit()
)");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, wireForm(kSecondMessage));
}

TEST_F(PoplibTest, Rfc8314Pop3SslRejectsAnUntrustedServer) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    const SubprocessResult result = runPoplib(server->port(), R"(
try:
    poplib.POP3_SSL('127.0.0.1', PORT, context=ssl.create_default_context(), timeout=10)
except ssl.SSLCertVerificationError as e:
    print(type(e).__name__)
)");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "SSLCertVerificationError\n");
}

class CurlTest : public ServerFixture {};

TEST_F(CurlTest, Rfc1939ListAndRetrieve) {
    startServer();
    const std::string url = "pop3://127.0.0.1:" + std::to_string(server->port()) + "/";
    const SubprocessResult list = runCurl({"--user", "alice:alice-pw", url});
    ASSERT_EQ(list.exitCode, 0) << list.err;
    EXPECT_EQ(list.out, "1 " + std::to_string(wireForm(kFirstMessage).size()) + "\r\n2 " +
                            std::to_string(wireForm(kSecondMessage).size()) + "\r\n");
    const SubprocessResult retrieve = runCurl({"--user", "alice:alice-pw", url + "1"});
    ASSERT_EQ(retrieve.exitCode, 0) << retrieve.err;
    EXPECT_EQ(retrieve.out, wireForm(kFirstMessage));
}

TEST_F(CurlTest, Rfc1939DeleteTakesEffectAtQuit) {
    startServer();
    const std::string url = "pop3://127.0.0.1:" + std::to_string(server->port()) + "/1";
    const SubprocessResult result =
        runCurl({"--user", "alice:alice-pw", "--request", "DELE", "--list-only", url});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_TRUE(eventually([&] { return mailbox.quits() == 1; }));
    EXPECT_EQ(mailbox.uids("alice"), std::vector<std::string>{"uid-2"});

    // The spelling of curl's manual: the whole command in -X, no transfer (-I).
    const SubprocessResult raw = runCurl({"--user", "alice:alice-pw", "-X", "DELE 1", "-I",
                                          "pop3://127.0.0.1:" + std::to_string(server->port())});
    ASSERT_EQ(raw.exitCode, 0) << raw.err;
    EXPECT_TRUE(eventually([&] { return mailbox.quits() == 2; }));
    EXPECT_TRUE(mailbox.uids("alice").empty());
}

TEST_F(CurlTest, Rfc5034SaslMechanismsCurlChooses) {
    startServer();
    const std::string url = "pop3://127.0.0.1:" + std::to_string(server->port()) + "/2";
    for (const char* mechanism : {"CRAM-MD5", "PLAIN", "LOGIN", "+APOP", "*"}) {
        const SubprocessResult result = runCurl(
            {"--user", "alice:alice-pw", "--login-options", std::string("AUTH=") + mechanism, url});
        ASSERT_EQ(result.exitCode, 0) << mechanism << ": " << result.err;
        EXPECT_EQ(result.out, wireForm(kSecondMessage)) << mechanism;
    }
    const SubprocessResult refused = runCurl({"--user", "alice:wrong", url});
    EXPECT_EQ(refused.exitCode, 67) << "curl's 'login denied'";
}

TEST_F(CurlTest, Rfc2595StlsRequiredWithCertificateCheck) {
    startServer();
    const std::uint16_t port = server->port();
    const SubprocessResult result =
        runCurl({"--ssl-reqd", "--cacert", TestPki::get().caCert, "--resolve", curlTlsResolve(port),
                 "--user", "alice:alice-pw", "pop3://localhost:" + std::to_string(port) + "/1"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, wireForm(kFirstMessage));
}

TEST_F(CurlTest, Rfc8314ImplicitTlsWithCertificateCheck) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    const std::uint16_t port = server->port();
    const std::string url = "pop3s://localhost:" + std::to_string(port) + "/2";
    const SubprocessResult result =
        runCurl({"--cacert", TestPki::get().caCert, "--resolve", curlTlsResolve(port), "--user",
                 "alice:alice-pw", url});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, wireForm(kSecondMessage));
    const SubprocessResult untrusted =
        runCurl({"--cacert", TestPki::get().otherCaCert, "--resolve", curlTlsResolve(port),
                 "--user", "alice:alice-pw", url});
    EXPECT_EQ(untrusted.exitCode, 60) << "curl's 'peer certificate cannot be authenticated'";
}

TEST_F(CurlTest, PlaintextOnlyServerFailsSslReqdInsteadOfLeakingThePassword) {
    server = std::make_unique<Server>(false, false, 0);
    server->options().address = "127.0.0.1";
    mailbox.attach(*server);
    server->start();
    const SubprocessResult result =
        runCurl({"--ssl-reqd", "--user", "alice:alice-pw",
                 "pop3://127.0.0.1:" + std::to_string(server->port()) + "/"});
    EXPECT_EQ(result.exitCode, 64) << "curl's 'requested SSL level failed'";
    EXPECT_EQ(mailbox.quits(), 0);
}

class OpensslTest : public ServerFixture {};

TEST_F(OpensslTest, Rfc2595StarttlsPop3VerifiesTheChain) {
    // openssl s_client -starttls pop3 reads the greeting, sends STLS and verifies the chain.
    const std::uint16_t port = startServer().port();
    const SubprocessResult result =
        runSubprocess(requireProgram("openssl"),
                      {"s_client", "-starttls", "pop3", "-connect",
                       "127.0.0.1:" + std::to_string(port), "-CAfile", TestPki::get().caCert,
                       "-verify_hostname", "localhost", "-verify_return_error", "-quiet"},
                      "CAPA\r\nQUIT\r\n", std::chrono::seconds(20));
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("+OK Capability list follows"));
    EXPECT_THAT(result.out, Not(HasSubstr("STLS")));
    EXPECT_THAT(result.out, HasSubstr("+OK Bye"));
}

} // namespace
} // namespace pop3::test
