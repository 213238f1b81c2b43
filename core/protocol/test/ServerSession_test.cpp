#include "pop3/Auth.h"
#include "pop3/ResponseDecoder.h"
#include "pop3/Sasl.h"
#include "pop3/ServerSession.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <istream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/Chunkings.h"
#include "support/FakeMailbox.h"

namespace {

using pop3::Credentials;
using pop3::LoginStatus;
using pop3::MessageContent;
using pop3::SaslClientExchange;
using pop3::ServerSession;
using pop3::ServerSessionConfig;
using pop3::SessionState;
using pop3::test::chunkings;
using pop3::test::describe;
using pop3::test::FakeMailbox;

// Sizes are octets in CRLF form (RFC 1939 §5): 21 + 14 + 2 + 7.
constexpr std::string_view kMessage1 = "From: a@example.com\r\nSubject: one\r\n\r\nHello\r\n";
constexpr std::uint64_t kSize1 = 44;
// Bare LF line ends and dot lines: 14 + 2 + 14 + 8 + 4 + 3 + 5 once in CRLF form.
constexpr std::string_view kMessage2 = "Subject: two\n\n.leading dot\nbody 2\n..\n.\nend";
constexpr std::uint64_t kSize2 = 50;
constexpr std::string_view kMessage2OnTheWire =
    "Subject: two\r\n\r\n..leading dot\r\nbody 2\r\n...\r\n..\r\nend\r\n.\r\n";
// 16 + 2 + 3 * 4.
constexpr std::string_view kMessage3 = "Subject: three\r\n\r\nl1\r\nl2\r\nl3\r\n";
constexpr std::uint64_t kSize3 = 30;
constexpr std::uint64_t kTotal = kSize1 + kSize2 + kSize3;

const std::string kLoggedIn = "+OK Logged in, 3 messages (124 octets)\r\n";
const std::string kCapaAuthorization = "+OK Capability list follows\r\n"
                                       "TOP\r\n"
                                       "UIDL\r\n"
                                       "RESP-CODES\r\n"
                                       "AUTH-RESP-CODE\r\n"
                                       "PIPELINING\r\n"
                                       "USER\r\n"
                                       "SASL CRAM-MD5 PLAIN LOGIN\r\n"
                                       "IMPLEMENTATION pop3-conform\r\n"
                                       ".\r\n";

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

/// True for exactly one "-ERR ..." line.
bool isErrLine(std::string_view reply) {
    return startsWith(reply, "-ERR") && reply.size() >= 6 &&
           reply.substr(reply.size() - 2) == "\r\n" && reply.find('\n') == reply.size() - 1;
}

std::vector<std::string> lines(std::string_view text) {
    std::vector<std::string> result;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find("\r\n", start);
        if (end == std::string_view::npos) {
            result.emplace_back(text.substr(start));
            break;
        }
        result.emplace_back(text.substr(start, end - start));
        start = end + 2;
    }
    return result;
}

/// The body lines of a multi-line reply (between the status line and the terminator).
std::vector<std::string> bodyLines(std::string_view reply) {
    std::vector<std::string> all = lines(reply);
    if (all.size() < 2 || all.back() != ".")
        return {};
    return {all.begin() + 1, all.end() - 1};
}

class ServerSessionTest : public ::testing::Test {
protected:
    ServerSessionTest() {
        mailbox.add("uid-1", std::string(kMessage1));
        mailbox.add("uid-2", std::string(kMessage2));
        mailbox.add("uid-3", std::string(kMessage3));
    }

    std::unique_ptr<ServerSession> makeSession() {
        return std::make_unique<ServerSession>(
            config, mailbox, [this] { return "nonce" + std::to_string(++nonces); });
    }

    /// Starts a session and keeps its greeting.
    void start() {
        session = makeSession();
        session->start();
        greeting = pull();
    }

    std::string pull(std::size_t budget = 64 * 1024) {
        std::string out;
        while (session->pullOutput(out, budget)) {
        }
        return out;
    }

    std::string send(std::string_view bytes) {
        session->feed(bytes);
        return pull();
    }

    void logIn() {
        start();
        ASSERT_EQ(send("USER alice\r\n"), "+OK\r\n");
        const std::string reply = send("PASS secret\r\n");
        ASSERT_TRUE(startsWith(reply, "+OK Logged in, ")) << reply;
        ASSERT_EQ(session->state(), SessionState::Transaction);
    }

    /// Runs an AUTH exchange with `client` and returns the final reply.
    std::string authenticate(SaslClientExchange& client, bool withInitialResponse) {
        std::string command = "AUTH " + std::string(client.mechanism());
        const auto initial = client.initialResponse();
        if (withInitialResponse && initial)
            command += " " + *initial;
        std::string reply = send(command + "\r\n");
        for (int steps = 0; startsWith(reply, "+ ") && steps < 10; ++steps) {
            challenges.push_back(reply);
            const auto answer = client.respond(reply.substr(2, reply.size() - 4));
            reply = send((answer ? *answer : std::string("*")) + "\r\n");
        }
        return reply;
    }

    std::vector<std::string> capa() { return bodyLines(send("CAPA\r\n")); }

    ServerSessionConfig config;
    FakeMailbox mailbox;
    std::unique_ptr<ServerSession> session;
    std::string greeting;
    std::vector<std::string> challenges;
    int nonces = 0;
};

// --- greeting (RFC 1939 §4, §7) ---

TEST_F(ServerSessionTest, G01Rfc1939Section4GreetingIsOneOkLineWithApopTimestamp) {
    start();
    EXPECT_EQ(greeting, "+OK POP3 server ready <nonce1@localhost>\r\n");
    EXPECT_EQ(session->apopTimestamp(), "<nonce1@localhost>");
    EXPECT_EQ(session->state(), SessionState::Authorization);
    EXPECT_LE(greeting.size(), pop3::limits::kMaxResponseLine);
    EXPECT_FALSE(session->hasOutput());
}

TEST_F(ServerSessionTest, GreetingUsesConfiguredTextAndHostname) {
    config.greeting = "mail.example.org ready";
    config.hostname = "mail.example.org";
    start();
    EXPECT_EQ(greeting, "+OK mail.example.org ready <nonce1@mail.example.org>\r\n");
}

TEST_F(ServerSessionTest, GreetingHasNoTimestampWhenApopIsOff) {
    config.apop = false;
    start();
    EXPECT_EQ(greeting, "+OK POP3 server ready\r\n");
    EXPECT_EQ(session->apopTimestamp(), "");
    EXPECT_EQ(nonces, 0);
}

TEST_F(ServerSessionTest, A05Rfc1939Section7ApopTimestampIsAMsgIdThatDiffersPerSession) {
    start();
    const std::string first = session->apopTimestamp();
    EXPECT_EQ(pop3::extractApopTimestamp(greeting), first);
    start();
    const std::string second = session->apopTimestamp();
    EXPECT_EQ(pop3::extractApopTimestamp(greeting), second);
    EXPECT_NE(first, second);
}

TEST_F(ServerSessionTest, NothingIsPendingAfterTheGreetingIsPulled) {
    start();
    std::string out;
    EXPECT_FALSE(session->pullOutput(out));
    EXPECT_EQ(out, "");
}

// --- general command handling (RFC 1939 §3) ---

TEST_F(ServerSessionTest, G04Rfc1939Section3KeywordsAreCaseInsensitive) {
    start();
    EXPECT_EQ(send("user alice\r\n"), "+OK\r\n");
    EXPECT_EQ(send("Pass secret\r\n"), kLoggedIn);
    for (const char* stat : {"STAT\r\n", "stat\r\n", "Stat\r\n"})
        EXPECT_EQ(send(stat), "+OK 3 124\r\n") << stat;
    EXPECT_EQ(send("list 2\r\n"), "+OK 2 50\r\n");
    EXPECT_EQ(send("noop\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, G05Rfc1939Section3UnknownOrInvalidCommandGivesErrAndSessionGoesOn) {
    logIn();
    EXPECT_EQ(send("XTND XMIT\r\n"), "-ERR unknown command\r\n");
    EXPECT_EQ(send("\r\n"), "-ERR empty command\r\n");
    EXPECT_EQ(send("ST4T\r\n"), "-ERR malformed command keyword\r\n");
    EXPECT_EQ(send("RETR abc\r\n"), "-ERR RETR: invalid message number\r\n");
    EXPECT_EQ(send("NOOP 1\r\n"), "-ERR NOOP: takes no arguments\r\n");
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
    EXPECT_EQ(session->state(), SessionState::Transaction);
    EXPECT_FALSE(session->closeRequested());
}

TEST_F(ServerSessionTest, A07Rfc1939Section3TransactionCommandsBeforeLoginGiveErr) {
    start();
    for (const char* command : {"STAT", "LIST", "LIST 1", "RETR 1", "DELE 1", "NOOP", "RSET",
                                "TOP 1 0", "UIDL", "UIDL 1"}) {
        const std::string reply = send(std::string(command) + "\r\n");
        EXPECT_TRUE(isErrLine(reply)) << command << ": " << reply;
        EXPECT_NE(reply.find("not valid in this state"), std::string::npos) << command;
    }
    EXPECT_EQ(session->state(), SessionState::Authorization);
    EXPECT_TRUE(mailbox.retrieved.empty());
    EXPECT_TRUE(mailbox.tops.empty());
    EXPECT_TRUE(mailbox.deleteMarks.empty());
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, A11Rfc1939Section7AuthorizationCommandsAfterLoginGiveErr) {
    logIn();
    const std::string digest = pop3::apopDigest(session->apopTimestamp(), "secret");
    for (const std::string& command :
         {std::string("USER alice"), std::string("PASS secret"), "APOP alice " + digest,
          std::string("AUTH PLAIN AGFsaWNlAHNlY3JldA=="), std::string("AUTH")}) {
        const std::string reply = send(command + "\r\n");
        EXPECT_TRUE(isErrLine(reply)) << command << ": " << reply;
    }
    EXPECT_EQ(mailbox.logins.size(), 1u);
    EXPECT_EQ(session->state(), SessionState::Transaction);
    EXPECT_EQ(send("STAT\r\n"), "+OK 3 124\r\n");
}

TEST_F(ServerSessionTest, S01Rfc5034Section4AuthAfterLoginGivesErr) {
    logIn();
    EXPECT_EQ(send("AUTH PLAIN\r\n"), "-ERR AUTH is not valid in this state\r\n");
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

// --- USER / PASS (RFC 1939 §7) ---

TEST_F(ServerSessionTest, A01Rfc1939Section7UserPassEntersTransaction) {
    start();
    EXPECT_EQ(send("USER alice\r\n"), "+OK\r\n");
    EXPECT_EQ(session->state(), SessionState::Authorization);
    EXPECT_EQ(send("PASS secret\r\n"), kLoggedIn);
    EXPECT_EQ(session->state(), SessionState::Transaction);
    EXPECT_EQ(session->username(), "alice");
    ASSERT_EQ(mailbox.logins.size(), 1u);
    EXPECT_EQ(mailbox.logins[0].method, pop3::AuthMethod::UserPass);
    EXPECT_EQ(mailbox.logins[0].username, "alice");
    EXPECT_EQ(mailbox.logins[0].password, "secret");
    ASSERT_EQ(session->messages().size(), 3u);
}

TEST_F(ServerSessionTest, Rfc1939Section7PasswordMayContainSpaces) {
    mailbox.secret = "correct horse  battery staple ";
    start();
    EXPECT_EQ(send("USER alice\r\nPASS correct horse  battery staple \r\n"), "+OK\r\n" + kLoggedIn);
    EXPECT_EQ(mailbox.logins.at(0).password, "correct horse  battery staple ");
}

TEST_F(ServerSessionTest, A02Rfc1939Section7PassWithoutUserGivesErr) {
    start();
    EXPECT_EQ(send("PASS secret\r\n"), "-ERR PASS must follow a successful USER\r\n");
    EXPECT_TRUE(mailbox.logins.empty());
    EXPECT_EQ(session->state(), SessionState::Authorization);
}

TEST_F(ServerSessionTest, A02Rfc1939Section7PassMustFollowUserImmediately) {
    start();
    EXPECT_EQ(send("USER alice\r\nCAPA\r\n"), "+OK\r\n" + kCapaAuthorization);
    EXPECT_EQ(send("PASS secret\r\n"), "-ERR PASS must follow a successful USER\r\n");
    EXPECT_EQ(send("USER alice\r\nSTAT\r\nPASS secret\r\n"),
              "+OK\r\n-ERR STAT is not valid in this state\r\n"
              "-ERR PASS must follow a successful USER\r\n");
    EXPECT_TRUE(mailbox.logins.empty());
}

TEST_F(ServerSessionTest, A02Rfc1939Section7RefusedLineBetweenUserAndPassBreaksThePair) {
    start();
    EXPECT_EQ(send("USER alice\r\n" + std::string(300, 'x') + "\r\nPASS secret\r\n"),
              "+OK\r\n-ERR line too long\r\n-ERR PASS must follow a successful USER\r\n");
    EXPECT_EQ(send(std::string("USER alice\r\nNO\0OP\r\nPASS secret\r\n", 32)),
              "+OK\r\n-ERR control characters are not allowed\r\n"
              "-ERR PASS must follow a successful USER\r\n");
    EXPECT_TRUE(mailbox.logins.empty());
    EXPECT_EQ(session->state(), SessionState::Authorization);
}

TEST_F(ServerSessionTest, A03Rfc1939Section7WrongPasswordStaysInAuthorizationAndMayRetry) {
    start();
    EXPECT_EQ(send("USER alice\r\nPASS wrong\r\n"), "+OK\r\n-ERR [AUTH] Authentication failed\r\n");
    EXPECT_EQ(session->state(), SessionState::Authorization);
    // The failed PASS used up the USER.
    EXPECT_EQ(send("PASS secret\r\n"), "-ERR PASS must follow a successful USER\r\n");
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, A04Rfc1939Section13UnknownUserAndWrongPasswordLookTheSame) {
    start();
    const std::string unknownUser = send("USER mallory\r\n");
    const std::string unknownPass = send("PASS secret\r\n");
    const std::string knownUser = send("USER alice\r\n");
    const std::string wrongPass = send("PASS wrong\r\n");
    EXPECT_EQ(unknownUser, "+OK\r\n");
    EXPECT_EQ(knownUser, unknownUser);
    EXPECT_EQ(unknownPass, "-ERR [AUTH] Authentication failed\r\n");
    EXPECT_EQ(wrongPass, unknownPass);
}

TEST_F(ServerSessionTest, A12Rfc1939Section4SessionStaysOpenAfterAuthFailure) {
    start();
    send("USER alice\r\nPASS wrong\r\n");
    EXPECT_FALSE(session->closeRequested());
    EXPECT_EQ(send("QUIT\r\n"), "+OK Bye\r\n");
    EXPECT_TRUE(session->closeRequested());
}

TEST_F(ServerSessionTest, UserIsRefusedWhenUserPassIsOff) {
    config.userPass = false;
    start();
    EXPECT_EQ(send("USER alice\r\n"), "-ERR USER is not supported\r\n");
    EXPECT_EQ(send("PASS secret\r\n"), "-ERR PASS must follow a successful USER\r\n");
    EXPECT_TRUE(mailbox.logins.empty());
}

TEST_F(ServerSessionTest, G08EightBitUserNamesReachTheHandler) {
    mailbox.user = "j\xc3\xbcrgen";
    start();
    EXPECT_EQ(send("USER j\xc3\xbcrgen\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
    EXPECT_EQ(session->username(), "j\xc3\xbcrgen");
}

// --- APOP (RFC 1939 §7) ---

TEST_F(ServerSessionTest, A06Rfc1939Section7ApopWithTheRightDigestLogsIn) {
    start();
    const std::string digest = pop3::apopDigest(session->apopTimestamp(), "secret");
    EXPECT_EQ(send("APOP alice " + digest + "\r\n"), kLoggedIn);
    EXPECT_EQ(session->state(), SessionState::Transaction);
    ASSERT_EQ(mailbox.logins.size(), 1u);
    EXPECT_EQ(mailbox.logins[0].method, pop3::AuthMethod::Apop);
    EXPECT_EQ(mailbox.logins[0].challenge, "<nonce1@localhost>");
    EXPECT_EQ(mailbox.logins[0].digest, digest);
}

TEST_F(ServerSessionTest, A06Rfc1939Section7ApopDigestInUpperCaseHexIsAccepted) {
    start();
    std::string digest = pop3::apopDigest(session->apopTimestamp(), "secret");
    std::transform(digest.begin(), digest.end(), digest.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    EXPECT_EQ(send("APOP alice " + digest + "\r\n"), kLoggedIn);
    // The handler sees the documented lower-case form.
    EXPECT_EQ(mailbox.logins.at(0).digest, pop3::apopDigest(session->apopTimestamp(), "secret"));
}

TEST_F(ServerSessionTest, A06Rfc1939Section7ApopWithAWrongDigestGivesErr) {
    start();
    const std::string wrong = pop3::apopDigest(session->apopTimestamp(), "guess");
    EXPECT_EQ(send("APOP alice " + wrong + "\r\n"), "-ERR [AUTH] Authentication failed\r\n");
    // A digest for another session's timestamp does not work either.
    const std::string replayed = pop3::apopDigest("<nonce0@localhost>", "secret");
    EXPECT_EQ(send("APOP alice " + replayed + "\r\n"), "-ERR [AUTH] Authentication failed\r\n");
    EXPECT_EQ(session->state(), SessionState::Authorization);
}

TEST_F(ServerSessionTest, ApopIsRefusedWhenOff) {
    config.apop = false;
    start();
    const std::string digest = pop3::apopDigest("", "secret");
    EXPECT_EQ(send("APOP alice " + digest + "\r\n"), "-ERR APOP is not supported\r\n");
    EXPECT_TRUE(mailbox.logins.empty());
}

// --- login refusals and response codes (RFC 2449 §8, RFC 3206) ---

TEST_F(ServerSessionTest, C08Rfc3206LoginRefusalsCarryTheirResponseCode) {
    const std::vector<std::pair<LoginStatus, std::string>> cases = {
        {LoginStatus::Rejected, "-ERR [AUTH] Authentication failed\r\n"},
        {LoginStatus::InUse, "-ERR [IN-USE] Mailbox is locked by another session\r\n"},
        {LoginStatus::LoginDelay, "-ERR [LOGIN-DELAY] Logged in too recently, try again later\r\n"},
        {LoginStatus::TemporaryFailure, "-ERR [SYS/TEMP] Mailbox temporarily unavailable\r\n"},
        {LoginStatus::PermanentFailure, "-ERR [SYS/PERM] Mailbox unavailable\r\n"},
    };
    for (const auto& [status, expected] : cases) {
        mailbox.forcedStatus = status;
        start();
        EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + expected);
        const std::string digest = pop3::apopDigest(session->apopTimestamp(), "secret");
        EXPECT_EQ(send("APOP alice " + digest + "\r\n"), expected);
        EXPECT_EQ(send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"), expected);
        EXPECT_EQ(session->state(), SessionState::Authorization);
        EXPECT_FALSE(session->closeRequested());
    }
}

TEST_F(ServerSessionTest, A09Rfc2449Section8LockedMaildropGivesInUse) {
    mailbox.forcedStatus = LoginStatus::InUse;
    start();
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"),
              "+OK\r\n-ERR [IN-USE] Mailbox is locked by another session\r\n");
    mailbox.forcedStatus.reset(); // the other session quit
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, HandlerTextReplacesTheDefaultLoginReply) {
    mailbox.forcedStatus = LoginStatus::InUse;
    mailbox.loginText = "Another client holds the lock";
    start();
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"),
              "+OK\r\n-ERR [IN-USE] Another client holds the lock\r\n");
    mailbox.forcedStatus.reset();
    mailbox.loginText = "Welcome back";
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n+OK Welcome back\r\n");
}

TEST_F(ServerSessionTest, HandlerTextCannotInjectALine) {
    mailbox.forcedStatus = LoginStatus::Rejected;
    mailbox.loginText = "no\r\n+OK fake";
    start();
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n-ERR [AUTH] no  +OK fake\r\n");
}

// --- SASL AUTH (RFC 5034) ---

TEST_F(ServerSessionTest, S03Rfc5034Section4PlainWithoutInitialResponseGetsEmptyChallenge) {
    start();
    auto client = SaslClientExchange::create("PLAIN", "alice", "secret");
    EXPECT_EQ(authenticate(*client, false), kLoggedIn);
    ASSERT_EQ(challenges.size(), 1u);
    EXPECT_EQ(challenges[0], "+ \r\n");
    ASSERT_EQ(mailbox.logins.size(), 1u);
    EXPECT_EQ(mailbox.logins[0].method, pop3::AuthMethod::SaslPlain);
    EXPECT_EQ(mailbox.logins[0].username, "alice");
    EXPECT_EQ(mailbox.logins[0].password, "secret");
    EXPECT_EQ(session->username(), "alice");
}

TEST_F(ServerSessionTest, S03Rfc5034Section4PlainWithInitialResponse) {
    start();
    auto client = SaslClientExchange::create("PLAIN", "alice", "secret");
    EXPECT_EQ(authenticate(*client, true), kLoggedIn);
    EXPECT_TRUE(challenges.empty());
    EXPECT_EQ(session->state(), SessionState::Transaction);
}

TEST_F(ServerSessionTest, S03Rfc5034Section4EqualsSignIsAnEmptyInitialResponse) {
    start();
    // An empty PLAIN message is malformed (RFC 4616), so "=" must reach PLAIN as empty.
    const std::string reply = send("AUTH PLAIN =\r\n");
    EXPECT_TRUE(startsWith(reply, "-ERR [AUTH] ")) << reply;
    EXPECT_TRUE(isErrLine(reply)) << reply;
    EXPECT_EQ(session->state(), SessionState::Authorization);
    EXPECT_TRUE(mailbox.logins.empty());
}

TEST_F(ServerSessionTest, Rfc5034Section4MechanismNameIsCaseInsensitive) {
    start();
    EXPECT_EQ(send("auth plain AGFsaWNlAHNlY3JldA==\r\n"), kLoggedIn);
}

TEST_F(ServerSessionTest, Rfc5034SaslLoginLogsIn) {
    start();
    auto client = SaslClientExchange::create("LOGIN", "alice", "secret");
    EXPECT_EQ(authenticate(*client, true), kLoggedIn);
    EXPECT_EQ(challenges, (std::vector<std::string>{"+ VXNlcm5hbWU6\r\n", "+ UGFzc3dvcmQ6\r\n"}));
    EXPECT_EQ(mailbox.logins.at(0).method, pop3::AuthMethod::SaslLogin);
}

TEST_F(ServerSessionTest, Rfc2195SaslCramMd5ChallengeIsFreshAndLogsIn) {
    start();
    auto client = SaslClientExchange::create("CRAM-MD5", "alice", "secret");
    EXPECT_EQ(authenticate(*client, true), kLoggedIn);
    ASSERT_EQ(challenges.size(), 1u);
    // The greeting took nonce1; the challenge has its own.
    EXPECT_EQ(challenges[0], "+ " + pop3::encodeBase64("<nonce2@localhost>") + "\r\n");
    const Credentials& credentials = mailbox.logins.at(0);
    EXPECT_EQ(credentials.method, pop3::AuthMethod::SaslCramMd5);
    EXPECT_EQ(credentials.challenge, "<nonce2@localhost>");
    EXPECT_TRUE(credentials.password.empty());
}

TEST_F(ServerSessionTest, Rfc2195SaslCramMd5WrongSecretGivesAuthCode) {
    start();
    auto client = SaslClientExchange::create("CRAM-MD5", "alice", "guess");
    EXPECT_EQ(authenticate(*client, true), "-ERR [AUTH] Authentication failed\r\n");
    EXPECT_EQ(session->state(), SessionState::Authorization);
}

TEST_F(ServerSessionTest, S02Rfc5034Section4UnsupportedMechanismGivesErr) {
    start();
    EXPECT_EQ(send("AUTH GSSAPI\r\n"), "-ERR Unsupported authentication mechanism\r\n");
    EXPECT_EQ(send("AUTH X-UNKNOWN dGVzdA==\r\n"), "-ERR Unsupported authentication mechanism\r\n");
    EXPECT_EQ(session->state(), SessionState::Authorization);
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, S04Rfc5034Section4StarCancelsTheExchange) {
    start();
    EXPECT_EQ(send("AUTH LOGIN\r\n"), "+ VXNlcm5hbWU6\r\n");
    EXPECT_EQ(send("*\r\n"), "-ERR Authentication cancelled\r\n");
    EXPECT_EQ(session->state(), SessionState::Authorization);
    EXPECT_TRUE(mailbox.logins.empty());
    // Back to commands: "*" is not taken as a SASL line any more.
    EXPECT_EQ(send("*\r\n"), "-ERR malformed command keyword\r\n");
}

TEST_F(ServerSessionTest, S04Rfc5034Section4InvalidBase64Fails) {
    start();
    EXPECT_EQ(send("AUTH PLAIN\r\n"), "+ \r\n");
    EXPECT_EQ(send("not base64!\r\n"),
              "-ERR [AUTH] Authentication failed: response is not valid base64\r\n");
    EXPECT_EQ(send("AUTH PLAIN not-base64\r\n"),
              "-ERR [AUTH] Authentication failed: initial response is not valid base64\r\n");
    EXPECT_EQ(session->state(), SessionState::Authorization);
    EXPECT_TRUE(mailbox.logins.empty());
}

TEST_F(ServerSessionTest, Rfc4616ForeignAuthorizationIdentityIsRefused) {
    start();
    auto foreign = SaslClientExchange::create("PLAIN", "alice", "secret", "bob");
    EXPECT_EQ(authenticate(*foreign, true), "-ERR [AUTH] Authorization identity not supported\r\n");
    EXPECT_TRUE(mailbox.logins.empty());
    auto self = SaslClientExchange::create("PLAIN", "alice", "secret", "alice");
    EXPECT_EQ(authenticate(*self, true), kLoggedIn);
}

TEST_F(ServerSessionTest, Rfc1734AuthWithoutMechanismListsTheMechanisms) {
    start();
    EXPECT_EQ(send("AUTH\r\n"),
              "+OK Supported mechanisms follow\r\nCRAM-MD5\r\nPLAIN\r\nLOGIN\r\n.\r\n");
}

TEST_F(ServerSessionTest, Rfc5034Section4SaslResponsesMayExceedTheCommandLimit) {
    mailbox.secret = std::string(400, 's');
    start();
    auto client = SaslClientExchange::create("PLAIN", "alice", mailbox.secret);
    EXPECT_EQ(authenticate(*client, false), kLoggedIn);
    // The command limit applies again after the exchange.
    EXPECT_EQ(send("LIST " + std::string(300, '1') + "\r\n"), "-ERR line too long\r\n");
}

TEST_F(ServerSessionTest, SaslLineOverItsLimitAbortsTheExchange) {
    start();
    EXPECT_EQ(send("AUTH PLAIN\r\n"), "+ \r\n");
    EXPECT_EQ(send(std::string(pop3::limits::kMaxSaslLine + 10, 'A') + "\r\n"),
              "-ERR [AUTH] Authentication failed: line too long\r\n");
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, C05Rfc2449Section66PipelinedAuthExchange) {
    start();
    EXPECT_EQ(send("AUTH PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\nSTAT\r\n"),
              "+ \r\n" + kLoggedIn + "+OK 3 124\r\n");
}

// --- TRANSACTION: STAT, LIST, UIDL (RFC 1939 §5, §7) ---

TEST_F(ServerSessionTest, T01Rfc1939Section5StatGivesCountAndOctets) {
    logIn();
    EXPECT_EQ(send("STAT\r\n"), "+OK 3 124\r\n");
    EXPECT_EQ(kTotal, 124u);
}

TEST_F(ServerSessionTest, T03A10Rfc1939Section5ListGivesEveryMessageInOrder) {
    logIn();
    EXPECT_EQ(send("LIST\r\n"), "+OK Scan listing follows\r\n1 44\r\n2 50\r\n3 30\r\n.\r\n");
}

TEST_F(ServerSessionTest, T04Rfc1939Section5ListOfOneMessage) {
    logIn();
    EXPECT_EQ(send("LIST 1\r\n"), "+OK 1 44\r\n");
    EXPECT_EQ(send("LIST 3\r\n"), "+OK 3 30\r\n");
    EXPECT_EQ(send("LIST 4\r\n"), "-ERR No such message\r\n");
    EXPECT_EQ(send("LIST 18446744073709551615\r\n"), "-ERR No such message\r\n");
    EXPECT_EQ(send("LIST 0\r\n"), "-ERR LIST: invalid message number\r\n");
}

TEST_F(ServerSessionTest, T05Rfc1939Section5SizesAreTheOnesTheHandlerReports) {
    mailbox.stored[0].reportedSize = 12345;
    logIn();
    EXPECT_EQ(send("STAT\r\n"), "+OK 3 12425\r\n");
    EXPECT_EQ(send("LIST 1\r\n"), "+OK 1 12345\r\n");
    EXPECT_EQ(send("LIST\r\n"), "+OK Scan listing follows\r\n1 12345\r\n2 50\r\n3 30\r\n.\r\n");
    EXPECT_TRUE(startsWith(send("RETR 1\r\n"), "+OK 12345 octets\r\n"));
}

TEST_F(ServerSessionTest, T05Rfc1939Section5RetrDeliversExactlyTheListedOctets) {
    logIn();
    std::uint64_t listed = 0;
    for (const std::string& line : bodyLines(send("LIST\r\n"))) {
        const std::string number = line.substr(0, line.find(' '));
        const std::uint64_t size = std::stoull(line.substr(line.find(' ') + 1));
        listed += size;
        pop3::ResponseDecoder decoder;
        std::string body;
        decoder.expect(pop3::ResponseKind::MultiLine, [&](std::string_view d) { body += d; });
        const std::string reply = send("RETR " + number + "\r\n");
        EXPECT_EQ(decoder.feed(reply), reply.size());
        ASSERT_EQ(decoder.state(), pop3::ResponseDecoder::State::Complete) << decoder.error();
        EXPECT_EQ(body.size(), size) << "message " << number;
        EXPECT_EQ(body, pop3::canonicalMessage(mailbox.stored.at(std::stoul(number) - 1).text));
    }
    EXPECT_EQ(send("STAT\r\n"), "+OK 3 " + std::to_string(listed) + "\r\n");
}

TEST_F(ServerSessionTest, T17Rfc1939Section7UidlListsEveryMessage) {
    logIn();
    EXPECT_EQ(send("UIDL\r\n"),
              "+OK Unique-ID listing follows\r\n1 uid-1\r\n2 uid-2\r\n3 uid-3\r\n.\r\n");
}

TEST_F(ServerSessionTest, T18Rfc1939Section7UidlOfOneMessage) {
    logIn();
    EXPECT_EQ(send("UIDL 2\r\n"), "+OK 2 uid-2\r\n");
    EXPECT_EQ(send("UIDL 4\r\n"), "-ERR No such message\r\n");
    EXPECT_EQ(send("DELE 2\r\n"), "+OK Message 2 deleted\r\n");
    EXPECT_EQ(send("UIDL 2\r\n"), "-ERR Message 2 is deleted\r\n");
}

TEST_F(ServerSessionTest, EmptyMaildropListsNothing) {
    mailbox.stored.clear();
    start();
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"),
              "+OK\r\n+OK Logged in, 0 messages (0 octets)\r\n");
    EXPECT_EQ(send("STAT\r\n"), "+OK 0 0\r\n");
    EXPECT_EQ(send("LIST\r\n"), "+OK Scan listing follows\r\n.\r\n");
    EXPECT_EQ(send("UIDL\r\n"), "+OK Unique-ID listing follows\r\n.\r\n");
    EXPECT_EQ(send("RETR 1\r\n"), "-ERR No such message\r\n");
}

// --- RETR and TOP ---

TEST_F(ServerSessionTest, T06G09Rfc1939Section5RetrSendsTheMessageByteStuffed) {
    logIn();
    EXPECT_EQ(send("RETR 1\r\n"), "+OK 44 octets\r\n" + std::string(kMessage1) + ".\r\n");
    EXPECT_EQ(send("RETR 2\r\n"), "+OK 50 octets\r\n" + std::string(kMessage2OnTheWire));
    EXPECT_EQ(mailbox.retrieved, (std::vector<pop3::MessageIndex>{0, 1}));
}

TEST_F(ServerSessionTest, T07Rfc1939Section5RetrWithABadArgumentGivesErr) {
    logIn();
    for (const char* command : {"RETR 0", "RETR 4", "RETR -1", "RETR abc", "RETR", "RETR 1 2",
                                "RETR 99999999999999999999", "RETR 18446744073709551615"}) {
        const std::string reply = send(std::string(command) + "\r\n");
        EXPECT_TRUE(isErrLine(reply)) << command << ": " << reply;
    }
    EXPECT_TRUE(mailbox.retrieved.empty());
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, T14Rfc1939Section7TopZeroGivesHeadersAndBlankLine) {
    logIn();
    EXPECT_EQ(send("TOP 1 0\r\n"),
              "+OK Top of message follows\r\nFrom: a@example.com\r\nSubject: one\r\n\r\n.\r\n");
    ASSERT_EQ(mailbox.tops.size(), 1u);
    EXPECT_EQ(mailbox.tops[0].index, 0u);
    EXPECT_EQ(mailbox.tops[0].lines, 0u);
}

TEST_F(ServerSessionTest, T15Rfc1939Section7TopGivesTheFirstBodyLinesByteStuffed) {
    logIn();
    EXPECT_EQ(send("TOP 2 2\r\n"),
              "+OK Top of message follows\r\nSubject: two\r\n\r\n..leading dot\r\nbody 2\r\n.\r\n");
    EXPECT_EQ(send("TOP 3 1\r\n"),
              "+OK Top of message follows\r\nSubject: three\r\n\r\nl1\r\n.\r\n");
    EXPECT_EQ(mailbox.tops.at(1).lines, 1u);
}

TEST_F(ServerSessionTest, T15Rfc1939Section7TopBeyondTheBodyGivesTheWholeMessage) {
    logIn();
    EXPECT_EQ(send("TOP 2 100\r\n"),
              "+OK Top of message follows\r\n" + std::string(kMessage2OnTheWire));
    EXPECT_EQ(send("TOP 3 18446744073709551615\r\n"),
              "+OK Top of message follows\r\n" + std::string(kMessage3) + ".\r\n");
}

TEST_F(ServerSessionTest, T16Rfc1939Section7TopWithABadArgumentGivesErr) {
    logIn();
    send("DELE 1\r\n");
    for (const char* command : {"TOP", "TOP 2", "TOP x 1", "TOP 2 x", "TOP 2 -1", "TOP 2 1 1",
                                "TOP 0 1", "TOP 4 1", "TOP 1 1"}) {
        const std::string reply = send(std::string(command) + "\r\n");
        EXPECT_TRUE(isErrLine(reply)) << command << ": " << reply;
    }
    EXPECT_TRUE(mailbox.tops.empty());
}

TEST_F(ServerSessionTest, StreamedMessageIsSentLikeATextMessage) {
    std::string big;
    for (int i = 0; i < 6000; ++i)
        big += (i % 3 == 0 ? ".dot line " : "line ") + std::to_string(i) + "\r\n";
    mailbox.add("uid-big", big);
    std::string expected = "+OK " + std::to_string(big.size()) + " octets\r\n";
    for (const std::string& line : lines(big))
        expected += (startsWith(line, ".") ? "." : "") + line + "\r\n";
    expected += ".\r\n";

    logIn();
    EXPECT_EQ(send("RETR 4\r\n"), expected);
    mailbox.streamed = true;
    session->feed("RETR 4\r\nNOOP\r\n");
    // A small budget makes the session hand the body out in several pieces.
    std::string out;
    int pulls = 0;
    while (session->pullOutput(out, 1000))
        ++pulls;
    EXPECT_GT(pulls, 1);
    EXPECT_EQ(out, expected + "+OK\r\n");
}

TEST_F(ServerSessionTest, StreamedTopStopsAfterTheRequestedLines) {
    mailbox.streamed = true;
    logIn();
    EXPECT_EQ(send("TOP 3 2\r\n"),
              "+OK Top of message follows\r\nSubject: three\r\n\r\nl1\r\nl2\r\n.\r\n");
}

/// A stream whose storage fails after the first few bytes.
class FailingBuffer : public std::streambuf {
public:
    explicit FailingBuffer(std::string data) : _data(std::move(data)) {}

protected:
    int_type underflow() override {
        if (_given)
            throw std::runtime_error("disk read error");
        _given = true;
        setg(_data.data(), _data.data(), _data.data() + _data.size());
        return traits_type::to_int_type(_data[0]);
    }

private:
    std::string _data;
    bool _given = false;
};

class FailingStream : public std::istream {
public:
    FailingStream() : std::istream(nullptr), _buffer("From: a@example.com\r\n") { rdbuf(&_buffer); }

private:
    FailingBuffer _buffer;
};

TEST_F(ServerSessionTest, StreamThatFailsMidMessageClosesWithoutTerminator) {
    mailbox.contentSource = [](pop3::MessageIndex) {
        return MessageContent::fromStream(std::make_shared<FailingStream>());
    };
    logIn();
    const std::string reply = send("RETR 1\r\nNOOP\r\n");
    // The +OK is out; ending the body with "." would pass off a truncated message as whole.
    EXPECT_TRUE(startsWith(reply, "+OK 44 octets\r\n")) << reply;
    EXPECT_EQ(reply.find("\r\n.\r\n"), std::string::npos) << reply;
    EXPECT_TRUE(session->closeRequested());
    EXPECT_FALSE(session->hasOutput());
    EXPECT_EQ(send("NOOP\r\n"), "");
}

TEST_F(ServerSessionTest, UnreadableMessageGivesSysTemp) {
    mailbox.unreadable = true;
    logIn();
    EXPECT_EQ(send("RETR 1\r\n"), "-ERR [SYS/TEMP] Message could not be read\r\n");
    EXPECT_EQ(send("TOP 1 0\r\n"), "-ERR [SYS/TEMP] Message could not be read\r\n");
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

// --- DELE, RSET, NOOP ---

TEST_F(ServerSessionTest, T09Rfc1939Section5DeleMarksAndHidesTheMessage) {
    logIn();
    EXPECT_EQ(send("DELE 2\r\n"), "+OK Message 2 deleted\r\n");
    EXPECT_EQ(mailbox.deleteMarks, (std::vector<pop3::MessageIndex>{1}));
    EXPECT_TRUE(mailbox.updates.empty()); // nothing is removed before QUIT
    EXPECT_EQ(send("STAT\r\n"), "+OK 2 74\r\n");
    EXPECT_EQ(send("LIST\r\n"), "+OK Scan listing follows\r\n1 44\r\n3 30\r\n.\r\n");
    EXPECT_EQ(send("UIDL\r\n"), "+OK Unique-ID listing follows\r\n1 uid-1\r\n3 uid-3\r\n.\r\n");
    EXPECT_TRUE(session->messages().at(1).deleted);
}

TEST_F(ServerSessionTest, T02Rfc1939Section5StatLeavesDeletedMessagesOut) {
    logIn();
    send("DELE 1\r\nDELE 3\r\n");
    EXPECT_EQ(send("STAT\r\n"), "+OK 1 50\r\n");
}

TEST_F(ServerSessionTest, T04T08T10Rfc1939Section5DeletedMessageIsRefusedEverywhere) {
    logIn();
    send("DELE 1\r\n");
    EXPECT_EQ(send("RETR 1\r\n"), "-ERR Message 1 is deleted\r\n");
    EXPECT_EQ(send("TOP 1 0\r\n"), "-ERR Message 1 is deleted\r\n");
    EXPECT_EQ(send("LIST 1\r\n"), "-ERR Message 1 is deleted\r\n");
    EXPECT_EQ(send("UIDL 1\r\n"), "-ERR Message 1 is deleted\r\n");
    EXPECT_EQ(send("DELE 1\r\n"), "-ERR Message 1 is deleted\r\n");
    EXPECT_TRUE(mailbox.retrieved.empty());
    EXPECT_TRUE(mailbox.tops.empty());
    EXPECT_EQ(mailbox.deleteMarks.size(), 1u);
}

TEST_F(ServerSessionTest, T11Rfc1939Section4NumbersDoNotChangeAfterDele) {
    logIn();
    send("DELE 1\r\n");
    EXPECT_EQ(send("LIST 2\r\n"), "+OK 2 50\r\n");
    EXPECT_EQ(send("UIDL 3\r\n"), "+OK 3 uid-3\r\n");
    EXPECT_EQ(send("RETR 2\r\n"), "+OK 50 octets\r\n" + std::string(kMessage2OnTheWire));
    EXPECT_EQ(mailbox.retrieved, (std::vector<pop3::MessageIndex>{1}));
}

TEST_F(ServerSessionTest, HandlerCanRefuseADeletionMark) {
    mailbox.acceptDelete = false;
    logIn();
    EXPECT_EQ(send("DELE 1\r\n"), "-ERR Message 1 cannot be deleted\r\n");
    EXPECT_EQ(send("STAT\r\n"), "+OK 3 124\r\n");
    EXPECT_FALSE(session->messages().at(0).deleted);
}

TEST_F(ServerSessionTest, T12Rfc1939Section5NoopGivesOk) {
    logIn();
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, T13Rfc1939Section5RsetUndeletesEverything) {
    logIn();
    const std::string stat = send("STAT\r\n");
    const std::string list = send("LIST\r\n");
    send("DELE 1\r\nDELE 2\r\n");
    EXPECT_EQ(send("RSET\r\n"), "+OK Maildrop has 3 messages (124 octets)\r\n");
    EXPECT_EQ(send("STAT\r\n"), stat);
    EXPECT_EQ(send("LIST\r\n"), list);
    EXPECT_EQ(send("RETR 1\r\n"), "+OK 44 octets\r\n" + std::string(kMessage1) + ".\r\n");
    for (const auto& message : session->messages())
        EXPECT_FALSE(message.deleted);
}

// --- QUIT and the end of a session (RFC 1939 §4, §6) ---

TEST_F(ServerSessionTest, A08Rfc1939Section4QuitInAuthorizationDoesNotUpdate) {
    start();
    send("USER alice\r\n");
    EXPECT_EQ(send("QUIT\r\n"), "+OK Bye\r\n");
    EXPECT_TRUE(session->closeRequested());
    EXPECT_EQ(session->state(), SessionState::Authorization);
    session->end();
    EXPECT_TRUE(mailbox.updates.empty());
    EXPECT_EQ(mailbox.endedUpdated, (std::vector<bool>{false}));
}

TEST_F(ServerSessionTest, U01Rfc1939Section6QuitInTransactionUpdatesWithDeletionMarks) {
    logIn();
    send("DELE 2\r\n");
    EXPECT_EQ(send("QUIT\r\n"), "+OK Bye\r\n");
    EXPECT_TRUE(session->closeRequested());
    EXPECT_EQ(session->state(), SessionState::Update);
    ASSERT_EQ(mailbox.updates.size(), 1u);
    const auto& messages = mailbox.updates[0];
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_FALSE(messages[0].deleted);
    EXPECT_TRUE(messages[1].deleted);
    EXPECT_FALSE(messages[2].deleted);
    EXPECT_EQ(messages[1].id, 1001u);
    EXPECT_EQ(messages[1].uid, "uid-2");
    session->end();
    EXPECT_EQ(mailbox.endedUpdated, (std::vector<bool>{true}));
    EXPECT_TRUE(mailbox.endings.at(0).at(1).deleted);
}

TEST_F(ServerSessionTest, U02Rfc1939Section6RsetBeforeQuitUpdatesWithNothingMarked) {
    logIn();
    send("DELE 1\r\nRSET\r\n");
    EXPECT_EQ(send("QUIT\r\n"), "+OK Bye\r\n");
    ASSERT_EQ(mailbox.updates.size(), 1u);
    for (const auto& message : mailbox.updates[0])
        EXPECT_FALSE(message.deleted);
}

TEST_F(ServerSessionTest, U03Rfc1939Section6NothingIsProcessedAfterQuit) {
    logIn();
    EXPECT_EQ(send("QUIT\r\nDELE 1\r\nNOOP\r\n"), "+OK Bye\r\n");
    EXPECT_EQ(send("NOOP\r\n"), "");
    EXPECT_TRUE(mailbox.deleteMarks.empty());
    EXPECT_EQ(mailbox.updates.size(), 1u);
}

TEST_F(ServerSessionTest, U04Rfc1939Section6EndWithoutQuitDoesNotUpdate) {
    logIn();
    send("DELE 1\r\n");
    session->end();
    session->end();
    EXPECT_TRUE(mailbox.updates.empty());
    EXPECT_EQ(mailbox.endedUpdated, (std::vector<bool>{false}));
    EXPECT_TRUE(mailbox.endings.at(0).at(0).deleted); // the marks, for the record only
    EXPECT_EQ(send("QUIT\r\n"), "");
    EXPECT_TRUE(mailbox.updates.empty());
}

TEST_F(ServerSessionTest, U06Rfc1939Section6FailedUpdateGivesErr) {
    mailbox.updateResult = false;
    logIn();
    send("DELE 1\r\n");
    EXPECT_EQ(send("QUIT\r\n"), "-ERR [SYS/TEMP] Some deleted messages were not removed\r\n");
    EXPECT_TRUE(session->closeRequested());
    session->end();
    EXPECT_EQ(mailbox.endings.size(), 1u);
}

// --- CAPA (RFC 2449) ---

TEST_F(ServerSessionTest, C01Rfc2449Section5CapaInAuthorization) {
    start();
    EXPECT_EQ(send("CAPA\r\n"), kCapaAuthorization);
    EXPECT_EQ(session->capabilities(), bodyLines(kCapaAuthorization));
}

TEST_F(ServerSessionTest, C01Rfc2449Section5CapaInTransaction) {
    logIn();
    const std::string reply = send("CAPA\r\n");
    EXPECT_TRUE(startsWith(reply, "+OK ")) << reply;
    EXPECT_EQ(reply.substr(reply.size() - 5), "\r\n.\r\n");
    EXPECT_EQ(bodyLines(reply), session->capabilities());
}

TEST_F(ServerSessionTest, C02Rfc2449Section5AuthorizationCapabilitiesStayInTransaction) {
    config.tlsAvailable = true;
    start();
    const std::vector<std::string> before = capa();
    send("USER alice\r\nPASS secret\r\n");
    const std::vector<std::string> after = capa();
    for (const std::string& capability : before) {
        // STLS is only valid in AUTHORIZATION (RFC 2595 §4); the session drops it after login.
        if (capability == "STLS")
            continue;
        EXPECT_NE(std::find(after.begin(), after.end(), capability), after.end()) << capability;
    }
}

TEST_F(ServerSessionTest, CapaFollowsTheConfiguration) {
    config.userPass = false;
    config.saslMechanisms = {"PLAIN"};
    config.implementation = "";
    start();
    EXPECT_EQ(capa(), (std::vector<std::string>{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                                                "PIPELINING", "SASL PLAIN"}));
    EXPECT_EQ(send("AUTH CRAM-MD5\r\n"), "-ERR Unsupported authentication mechanism\r\n");
    config.saslMechanisms = {};
    start();
    EXPECT_EQ(capa(), (std::vector<std::string>{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                                                "PIPELINING"}));
    EXPECT_EQ(send("AUTH PLAIN\r\n"), "-ERR Unsupported authentication mechanism\r\n");
}

TEST_F(ServerSessionTest, CapaKeepsTheConfiguredMechanismOrder) {
    config.saslMechanisms = {"LOGIN", "CRAM-MD5"};
    start();
    const auto lines = capa();
    EXPECT_NE(std::find(lines.begin(), lines.end(), "SASL LOGIN CRAM-MD5"), lines.end());
}

// --- UTF8 and LANG (RFC 6856) ---

TEST_F(ServerSessionTest, I01Rfc6856Section2Utf8IsAdvertisedInBothStatesWhenOn) {
    config.utf8 = true;
    start();
    const auto before = capa();
    EXPECT_NE(std::find(before.begin(), before.end(), "UTF8 USER"), before.end());
    send("USER alice\r\nPASS secret\r\n");
    const auto after = capa();
    EXPECT_NE(std::find(after.begin(), after.end(), "UTF8 USER"), after.end());
}

TEST_F(ServerSessionTest, I01Rfc6856Section2Utf8InAuthorizationGivesOk) {
    config.utf8 = true;
    start();
    EXPECT_EQ(send("UTF8\r\n"), "+OK UTF8 mode enabled\r\n");
    EXPECT_TRUE(session->utf8Mode());
    EXPECT_EQ(send("USER alice\r\n"), "+OK\r\n");
    EXPECT_TRUE(startsWith(send("PASS secret\r\n"), "+OK Logged in, "));
}

TEST_F(ServerSessionTest, I01Rfc6856Section2Utf8AfterLoginGivesErr) {
    config.utf8 = true;
    logIn();
    EXPECT_EQ(send("UTF8\r\n"), "-ERR UTF8 is not valid in this state\r\n");
    EXPECT_FALSE(session->utf8Mode());
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, I01Rfc6856Section2Utf8IsRefusedAndNotAdvertisedWhenOff) {
    start();
    const auto lines = capa();
    EXPECT_EQ(std::find_if(lines.begin(), lines.end(),
                           [](const std::string& line) { return startsWith(line, "UTF8"); }),
              lines.end());
    EXPECT_EQ(send("UTF8\r\n"), "-ERR UTF8 is not supported\r\n");
    EXPECT_EQ(send("UTF8 USER\r\n"), "-ERR UTF8: takes no arguments\r\n");
    EXPECT_FALSE(session->utf8Mode());
}

TEST_F(ServerSessionTest, I02Rfc6856Section2Utf8UserNamesReachTheHandlerInUtf8Mode) {
    config.utf8 = true;
    start();
    send("UTF8\r\n");
    EXPECT_EQ(send("USER j\xc3\xbcrgen\r\n"), "+OK\r\n");
    EXPECT_TRUE(isErrLine(send("PASS p\xc3\xa4ss\r\n")));
    ASSERT_EQ(mailbox.logins.size(), 1u);
    EXPECT_EQ(mailbox.logins[0].username, "j\xc3\xbcrgen");
    EXPECT_EQ(mailbox.logins[0].password, "p\xc3\xa4ss");
}

TEST_F(ServerSessionTest, I03Rfc6856Section3LangWithoutArgumentListsTheLanguages) {
    config.languages = {"en English", "de Deutsch"};
    start();
    const auto lines = capa();
    EXPECT_NE(std::find(lines.begin(), lines.end(), "LANG"), lines.end());
    EXPECT_EQ(send("LANG\r\n"), "+OK Language listing follows\r\nen English\r\nde "
                                "Deutsch\r\ni-default Default language\r\n.\r\n");
    config.languages = {"i-default", "en English"};
    start();
    EXPECT_EQ(send("LANG\r\n"), "+OK Language listing follows\r\ni-default\r\nen English\r\n.\r\n");
}

TEST_F(ServerSessionTest, I03Rfc6856Section3LangSelectsASupportedLanguage) {
    config.languages = {"en English", "de-DE Deutsch"};
    start();
    EXPECT_EQ(send("LANG de\r\n"), "+OK de-DE Language changed\r\n");
    EXPECT_EQ(session->language(), "de-DE");
    EXPECT_EQ(send("lang EN\r\n"), "+OK en Language changed\r\n");
    EXPECT_EQ(send("LANG *\r\n"), "+OK en Language changed\r\n");
    EXPECT_EQ(session->language(), "en");
}

TEST_F(ServerSessionTest, I03Rfc6856Section3LangWithAnUnsupportedTagGivesErr) {
    config.languages = {"en English"};
    start();
    EXPECT_EQ(send("LANG uga\r\n"), "-ERR Invalid language uga\r\n");
    // "e" is no prefix of "en" at a subtag boundary.
    EXPECT_EQ(send("LANG e\r\n"), "-ERR Invalid language e\r\n");
    EXPECT_EQ(session->language(), "");
    EXPECT_TRUE(isErrLine(send("LANG en de\r\n")));
}

TEST_F(ServerSessionTest, I03Rfc6856Section3LangWorksAfterLogin) {
    config.languages = {"en English"};
    logIn();
    EXPECT_EQ(send("LANG\r\n"), "+OK Language listing follows\r\nen English\r\ni-default "
                                "Default language\r\n.\r\n");
    EXPECT_EQ(send("LANG i-default\r\n"), "+OK i-default Language changed\r\n");
}

TEST_F(ServerSessionTest, I03Rfc6856Section3LangIsRefusedAndNotAdvertisedWhenOff) {
    start();
    const auto lines = capa();
    EXPECT_EQ(std::find(lines.begin(), lines.end(), "LANG"), lines.end());
    EXPECT_EQ(send("LANG\r\n"), "-ERR LANG is not supported\r\n");
}

// --- STLS (RFC 2595) ---

TEST_F(ServerSessionTest, L01Rfc2595Section4StlsIsAdvertisedWhenAvailable) {
    config.tlsAvailable = true;
    start();
    const auto lines = capa();
    EXPECT_NE(std::find(lines.begin(), lines.end(), "STLS"), lines.end());
}

TEST_F(ServerSessionTest, StlsIsNeitherAdvertisedNorAcceptedWithoutTls) {
    start();
    const auto lines = capa();
    EXPECT_EQ(std::find(lines.begin(), lines.end(), "STLS"), lines.end());
    // A refused STLS discards nothing: the pipelined command is answered.
    EXPECT_EQ(send("STLS\r\nNOOP\r\n"),
              "-ERR STLS is not available\r\n-ERR NOOP is not valid in this state\r\n");
    EXPECT_FALSE(session->tlsRequested());
}

TEST_F(ServerSessionTest, L02Rfc2595Section4StlsStartsTlsAndStaysInAuthorization) {
    config.tlsAvailable = true;
    start();
    EXPECT_EQ(send("STLS\r\n"), "+OK Begin TLS negotiation\r\n");
    EXPECT_TRUE(session->tlsRequested());
    EXPECT_FALSE(session->tlsActive());
    // Nothing is processed while the handshake runs.
    EXPECT_EQ(send("CAPA\r\n"), "");
    session->tlsStarted();
    EXPECT_FALSE(session->tlsRequested());
    EXPECT_TRUE(session->tlsActive());
    EXPECT_EQ(session->state(), SessionState::Authorization);
    EXPECT_EQ(pull(), ""); // no second greeting
    const auto lines = capa();
    EXPECT_EQ(std::find(lines.begin(), lines.end(), "STLS"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "USER"), lines.end());
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, L03Rfc2595Section4StlsAfterLoginGivesErr) {
    config.tlsAvailable = true;
    logIn();
    EXPECT_EQ(send("STLS\r\n"), "-ERR STLS is not valid in this state\r\n");
    EXPECT_FALSE(session->tlsRequested());
    const auto lines = capa();
    EXPECT_EQ(std::find(lines.begin(), lines.end(), "STLS"), lines.end());
}

TEST_F(ServerSessionTest, L04Rfc2595Section4StlsWhileTlsIsActiveGivesErr) {
    config.tlsAvailable = true;
    start();
    send("STLS\r\n");
    session->tlsStarted();
    EXPECT_EQ(send("STLS\r\n"), "-ERR TLS is already active\r\n");
    EXPECT_FALSE(session->tlsRequested());
}

TEST_F(ServerSessionTest, L04Rfc8314ImplicitTlsRefusesStlsAndDoesNotAdvertiseIt) {
    config.tlsAvailable = true;
    config.tlsActive = true;
    start();
    EXPECT_TRUE(session->tlsActive());
    const auto lines = capa();
    EXPECT_EQ(std::find(lines.begin(), lines.end(), "STLS"), lines.end());
    EXPECT_EQ(send("STLS\r\n"), "-ERR TLS is already active\r\n");
}

TEST_F(ServerSessionTest, L06Rfc2595Section4CommandsPipelinedAfterStlsAreDiscarded) {
    config.tlsAvailable = true;
    start();
    EXPECT_EQ(send("STLS\r\nCAPA\r\nUSER mallory\r\n"), "+OK Begin TLS negotiation\r\n");
    EXPECT_EQ(send("NOOP\r\n"), "");
    session->tlsStarted();
    EXPECT_EQ(pull(), "");
    // The injected USER does not count: PASS inside TLS has no USER before it.
    EXPECT_EQ(send("PASS secret\r\n"), "-ERR PASS must follow a successful USER\r\n");
    EXPECT_TRUE(mailbox.logins.empty());
}

TEST_F(ServerSessionTest, L06Rfc2595Section4InjectionIsDiscardedInEveryChunking) {
    config.tlsAvailable = true;
    for (const auto& chunks : chunkings("STLS\r\nUSER mallory\r\n")) {
        start();
        std::string out;
        for (auto chunk : chunks)
            out += send(chunk);
        ASSERT_TRUE(session->tlsRequested()) << describe(chunks);
        session->tlsStarted();
        out += send("\r\n");
        ASSERT_EQ(out, "+OK Begin TLS negotiation\r\n-ERR empty command\r\n") << describe(chunks);
    }
}

TEST_F(ServerSessionTest, L06Rfc2595Section4PartialLineBeforeTheHandshakeIsDiscarded) {
    config.tlsAvailable = true;
    start();
    EXPECT_EQ(send("STLS\r\nUSER mal"), "+OK Begin TLS negotiation\r\n");
    session->tlsStarted();
    // Only what arrives over TLS counts: "lory" is a command of its own.
    EXPECT_EQ(send("lory\r\nPASS secret\r\n"),
              "-ERR unknown command\r\n-ERR PASS must follow a successful USER\r\n");
}

TEST_F(ServerSessionTest, L10Rfc2595Section23PlaintextLoginRefusedWithoutTls) {
    config.tlsAvailable = true;
    config.refusePlaintextLoginWithoutTls = true;
    start();
    EXPECT_EQ(capa(),
              (std::vector<std::string>{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
                                        "SASL CRAM-MD5", "STLS", "IMPLEMENTATION pop3-conform"}));
    const std::string refused =
        "-ERR [AUTH] Plaintext authentication is not allowed before STLS\r\n";
    EXPECT_EQ(send("USER alice\r\n"), refused);
    EXPECT_EQ(send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"), refused);
    EXPECT_EQ(send("AUTH LOGIN\r\n"), refused);
    EXPECT_EQ(send("AUTH\r\n"), "+OK Supported mechanisms follow\r\nCRAM-MD5\r\n.\r\n");
    EXPECT_TRUE(mailbox.logins.empty());
    auto client = SaslClientExchange::create("CRAM-MD5", "alice", "secret");
    EXPECT_EQ(authenticate(*client, true), kLoggedIn);
}

TEST_F(ServerSessionTest, L10Rfc2595Section23PlaintextLoginAllowedOnceTlsIsActive) {
    config.tlsAvailable = true;
    config.refusePlaintextLoginWithoutTls = true;
    start();
    send("STLS\r\n");
    session->tlsStarted();
    EXPECT_EQ(capa(), (std::vector<std::string>{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                                                "PIPELINING", "USER", "SASL CRAM-MD5 PLAIN LOGIN",
                                                "IMPLEMENTATION pop3-conform"}));
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, L10Rfc8314ImplicitTlsAllowsPlaintextLogin) {
    config.tlsActive = true;
    config.refusePlaintextLoginWithoutTls = true;
    start();
    auto client = SaslClientExchange::create("PLAIN", "alice", "secret");
    EXPECT_EQ(authenticate(*client, true), kLoggedIn);
}

// --- pipelining (RFC 2449 §6.6) ---

TEST_F(ServerSessionTest, C05Rfc2449Section66PipelinedCommandsAreAnsweredInOrder) {
    const std::string script = "USER alice\r\nPASS secret\r\nNOOP\r\nSTAT\r\nLIST 1\r\nUIDL\r\n"
                               "RETR 2\r\nTOP 3 1\r\nDELE 1\r\nLIST\r\nRSET\r\nQUIT\r\n";
    const std::string expected =
        "+OK\r\n" + kLoggedIn + "+OK\r\n" + "+OK 3 124\r\n" + "+OK 1 44\r\n" +
        "+OK Unique-ID listing follows\r\n1 uid-1\r\n2 uid-2\r\n3 uid-3\r\n.\r\n" +
        "+OK 50 octets\r\n" + std::string(kMessage2OnTheWire) +
        "+OK Top of message follows\r\nSubject: three\r\n\r\nl1\r\n.\r\n" +
        "+OK Message 1 deleted\r\n" + "+OK Scan listing follows\r\n2 50\r\n3 30\r\n.\r\n" +
        "+OK Maildrop has 3 messages (124 octets)\r\n" + "+OK Bye\r\n";
    start();
    EXPECT_EQ(send(script), expected);
    EXPECT_EQ(mailbox.updates.size(), 1u);
}

TEST_F(ServerSessionTest, C05ChunkBoundariesDoNotChangeTheConversation) {
    const std::string script = "USER alice\r\nPASS secret\r\nSTAT\nRETR 2\r\nDELE 1\r\nQUIT\r\n";
    start();
    const std::string expected = send(script);
    for (const auto& chunks : chunkings(script, 0)) {
        start();
        std::string out;
        for (auto chunk : chunks)
            out += send(chunk);
        ASSERT_EQ(out, expected) << describe(chunks);
    }
}

// --- limits and robustness ---

TEST_F(ServerSessionTest, G07Rfc2449Section4CommandOf255OctetsIsAccepted) {
    mailbox.user = std::string(248, 'u');
    start();
    const std::string line = "USER " + mailbox.user + "\r\n";
    ASSERT_EQ(line.size(), 255u);
    EXPECT_EQ(send(line), "+OK\r\n");
    EXPECT_EQ(send("PASS secret\r\n"), kLoggedIn);
}

TEST_F(ServerSessionTest, G08Rfc2449Section4CommandOf256OctetsIsRefused) {
    start();
    const std::string line = "USER " + std::string(249, 'u') + "\r\n";
    ASSERT_EQ(line.size(), 256u);
    EXPECT_EQ(send(line), "-ERR line too long\r\n");
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, G07CommandLimitIsConfigurable) {
    config.maxCommandLine = 512;
    mailbox.user = std::string(400, 'u');
    start();
    EXPECT_EQ(send("USER " + mailbox.user + "\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
    config.maxCommandLine = 64;
    start();
    EXPECT_EQ(send("USER " + std::string(60, 'u') + "\r\n"), "-ERR line too long\r\n");
}

TEST_F(ServerSessionTest, G08OverLongLinesWithoutLineEndGiveOneErrAndRecover) {
    for (const std::size_t size :
         {std::size_t{1} << 10, std::size_t{64} << 10, std::size_t{1} << 20}) {
        logIn();
        std::string out;
        const std::string chunk(4096, 'A');
        for (std::size_t sent = 0; sent < size; sent += chunk.size())
            out += send(std::string_view(chunk).substr(0, std::min(chunk.size(), size - sent)));
        EXPECT_EQ(out, "-ERR line too long\r\n") << size;
        EXPECT_EQ(send("AAAA\r\nNOOP\r\n"), "+OK\r\n") << size;
        EXPECT_FALSE(session->closeRequested());
    }
}

TEST_F(ServerSessionTest, G08MegabyteInOneReadGivesOneErr) {
    logIn();
    EXPECT_EQ(send(std::string(1 << 20, 'A')), "-ERR line too long\r\n");
    EXPECT_EQ(send("\r\nNOOP\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, G08NulAndControlBytesGiveErr) {
    logIn();
    EXPECT_EQ(send(std::string("NOOP\0\r\n", 7)), "-ERR control characters are not allowed\r\n");
    EXPECT_EQ(send("LIST\t1\r\n"), "-ERR control characters are not allowed\r\n");
    EXPECT_EQ(send("STAT\rNOOP\r\n"), "-ERR control characters are not allowed\r\n");
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, G08BareLfEndsACommand) {
    logIn();
    EXPECT_EQ(send("NOOP\nSTAT\n"), "+OK\r\n+OK 3 124\r\n");
}

TEST_F(ServerSessionTest, G08EightBitKeywordGivesErr) {
    logIn();
    EXPECT_EQ(send("ST\xc3\x84T\r\n"), "-ERR malformed command keyword\r\n");
}

TEST_F(ServerSessionTest, G08EverySingleByteCommandGetsExactlyOneErr) {
    config.maxBadCommands = 1000;
    logIn();
    for (int b = 0; b < 256; ++b) {
        if (b == '\n')
            continue;
        const std::string reply = send(std::string(1, static_cast<char>(b)) + "\r\n");
        EXPECT_TRUE(isErrLine(reply)) << "byte " << b << ": " << reply;
    }
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, G08RandomBytesOnlyEverGetErr) {
    config.maxBadCommands = 1u << 30;
    std::mt19937 random(1939);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(1, 600);
    for (bool authenticated : {false, true}) {
        if (authenticated)
            logIn();
        else
            start();
        std::string out;
        for (int i = 0; i < 300; ++i) {
            std::string chunk;
            const int n = length(random);
            for (int j = 0; j < n; ++j) {
                // Plenty of line ends, so most garbage reaches the parser.
                chunk.push_back(j % 37 == 36 ? '\n' : static_cast<char>(byte(random)));
            }
            out += send(chunk);
        }
        EXPECT_FALSE(session->closeRequested());
        EXPECT_FALSE(session->tlsRequested());
        const auto replies = lines(out);
        EXPECT_GT(replies.size(), 1000u);
        for (const std::string& reply : replies)
            ASSERT_TRUE(startsWith(reply, "-ERR")) << reply;
        const auto last = lines(send("\r\nQUIT\r\n"));
        ASSERT_EQ(last.size(), 2u);
        EXPECT_TRUE(startsWith(last[0], "-ERR")) << last[0];
        EXPECT_EQ(last[1], "+OK Bye");
        EXPECT_TRUE(mailbox.deleteMarks.empty());
    }
}

TEST_F(ServerSessionTest, TooManyBadCommandsCloseTheSession) {
    config.maxBadCommands = 3;
    start();
    EXPECT_EQ(send("BOGUS\r\n"), "-ERR unknown command\r\n");
    EXPECT_EQ(send("STAT\r\n"), "-ERR STAT is not valid in this state\r\n");
    EXPECT_FALSE(session->closeRequested());
    EXPECT_EQ(send("PASS x\r\nCAPA\r\n"), "-ERR Too many bad commands, closing the connection\r\n");
    EXPECT_TRUE(session->closeRequested());
    EXPECT_EQ(send("CAPA\r\n"), "");
}

TEST_F(ServerSessionTest, DefaultBadCommandLimitIsTheNamedConstant) {
    start();
    for (unsigned i = 1; i < pop3::limits::kMaxBadCommands; ++i)
        ASSERT_EQ(send("BOGUS\r\n"), "-ERR unknown command\r\n") << i;
    EXPECT_FALSE(session->closeRequested());
    EXPECT_EQ(send(std::string(300, 'x') + "\r\n"),
              "-ERR Too many bad commands, closing the connection\r\n");
    EXPECT_TRUE(session->closeRequested());
}

// --- handler failures ---

TEST_F(ServerSessionTest, ThrowingLoginGivesSysTempAndTheSessionGoesOn) {
    mailbox.throwIn["login"] = true;
    start();
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"),
              "+OK\r\n-ERR [SYS/TEMP] Internal server error\r\n");
    const std::string digest = pop3::apopDigest(session->apopTimestamp(), "secret");
    EXPECT_EQ(send("APOP alice " + digest + "\r\n"), "-ERR [SYS/TEMP] Internal server error\r\n");
    EXPECT_EQ(send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"),
              "-ERR [SYS/TEMP] Internal server error\r\n");
    EXPECT_EQ(mailbox.failures,
              (std::vector<std::pair<std::string, std::string>>{{"PASS", "login exploded"},
                                                                {"APOP", "login exploded"},
                                                                {"AUTH", "login exploded"}}));
    EXPECT_EQ(session->state(), SessionState::Authorization);
    mailbox.throwIn["login"] = false;
    EXPECT_EQ(send("USER alice\r\nPASS secret\r\n"), "+OK\r\n" + kLoggedIn);
}

TEST_F(ServerSessionTest, ThrowingMessageHandlersGiveSysTempAndTheSessionGoesOn) {
    logIn();
    mailbox.throwIn["retrieve"] = true;
    mailbox.throwIn["top"] = true;
    mailbox.throwIn["markDeleted"] = true;
    EXPECT_EQ(send("RETR 1\r\nTOP 1 0\r\nDELE 1\r\nSTAT\r\n"),
              "-ERR [SYS/TEMP] Internal server error\r\n"
              "-ERR [SYS/TEMP] Internal server error\r\n"
              "-ERR [SYS/TEMP] Internal server error\r\n"
              "+OK 3 124\r\n");
    EXPECT_EQ(mailbox.failures,
              (std::vector<std::pair<std::string, std::string>>{{"RETR", "retrieve exploded"},
                                                                {"TOP", "top exploded"},
                                                                {"DELE", "markDeleted exploded"}}));
    EXPECT_FALSE(session->messages().at(0).deleted);
}

TEST_F(ServerSessionTest, NonStandardExceptionIsReportedAsUnknown) {
    mailbox.throwNonStandard = true;
    mailbox.throwIn["retrieve"] = true;
    logIn();
    EXPECT_EQ(send("RETR 1\r\n"), "-ERR [SYS/TEMP] Internal server error\r\n");
    EXPECT_EQ(mailbox.failures.at(0),
              std::make_pair(std::string("RETR"), std::string("unknown exception")));
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, U06ThrowingUpdateGivesSysTempAndCloses) {
    mailbox.throwIn["update"] = true;
    logIn();
    send("DELE 1\r\n");
    EXPECT_EQ(send("QUIT\r\n"), "-ERR [SYS/TEMP] Some deleted messages were not removed\r\n");
    EXPECT_TRUE(session->closeRequested());
    EXPECT_EQ(mailbox.failures.at(0),
              std::make_pair(std::string("QUIT"), std::string("update exploded")));
}

TEST_F(ServerSessionTest, ThrowingEndedIsReportedNotPropagated) {
    mailbox.throwIn["ended"] = true;
    logIn();
    EXPECT_NO_THROW(session->end());
    EXPECT_EQ(mailbox.failures.at(0),
              std::make_pair(std::string("disconnect"), std::string("ended exploded")));
    EXPECT_EQ(send("NOOP\r\n"), "");
}

// Intercepts: the deviations a mock server scripts, and the trace it records.

using pop3::CommandContext;
using pop3::encodeBase64;
using pop3::Intercept;

Intercept replaceWith(std::string bytes) {
    Intercept intercept;
    intercept.replaceReply = std::move(bytes);
    return intercept;
}

TEST_F(ServerSessionTest, InterceptSeesGreetingAndEachCommandWithItsState) {
    logIn();
    send("STAT\r\n");
    ASSERT_EQ(mailbox.contexts.size(), 4u);
    EXPECT_TRUE(mailbox.contexts[0].greeting);
    EXPECT_EQ(mailbox.contexts[1].line, "USER alice");
    EXPECT_EQ(mailbox.contexts[1].state, SessionState::Authorization);
    EXPECT_EQ(mailbox.contexts[3].line, "STAT");
    EXPECT_EQ(mailbox.contexts[3].state, SessionState::Transaction);
    EXPECT_EQ(mailbox.contexts[3].username, "alice");
}

TEST_F(ServerSessionTest, InterceptReplacesTheGreetingByteForByte) {
    mailbox.interceptor = [](const CommandContext& context) {
        return context.greeting ? replaceWith("+OK no timestamp\n") : Intercept{};
    };
    start();
    EXPECT_EQ(greeting, "+OK no timestamp\n");
}

TEST_F(ServerSessionTest, InterceptReplaceSkipsTheCommandItself) {
    mailbox.interceptor = [](const CommandContext& context) {
        return context.line == "PASS secret" ? replaceWith("+OK fake login\r\n") : Intercept{};
    };
    start();
    send("USER alice\r\n");
    EXPECT_EQ(send("PASS secret\r\n"), "+OK fake login\r\n");
    EXPECT_EQ(session->state(), SessionState::Authorization) << "the login did not happen";
    EXPECT_TRUE(mailbox.logins.empty());
}

TEST_F(ServerSessionTest, InterceptAppendsInjectedLinesAfterStlsAndTlsStillStarts) {
    config.tlsAvailable = true;
    mailbox.interceptor = [](const CommandContext& context) {
        Intercept intercept;
        if (context.line == "STLS")
            intercept.appendAfterReply = "+OK injected\r\n";
        return intercept;
    };
    start();
    EXPECT_EQ(send("STLS\r\n"), "+OK Begin TLS negotiation\r\n+OK injected\r\n");
    EXPECT_TRUE(session->tlsRequested());
}

TEST_F(ServerSessionTest, InterceptDropBeforeReplyClosesWithoutUpdate) {
    mailbox.interceptor = [](const CommandContext& context) {
        Intercept intercept;
        intercept.dropBeforeReply = context.line == "QUIT";
        return intercept;
    };
    logIn();
    send("DELE 1\r\n");
    EXPECT_EQ(send("QUIT\r\n"), "");
    EXPECT_TRUE(session->closeRequested());
    session->end();
    EXPECT_TRUE(mailbox.updates.empty()) << "no UPDATE without a handled QUIT";
    EXPECT_EQ(mailbox.endedUpdated, std::vector<bool>{false});
}

TEST_F(ServerSessionTest, InterceptDropAfterBytesCutsAStreamedBodyAndCloses) {
    mailbox.interceptor = [](const CommandContext& context) {
        Intercept intercept;
        if (context.line == "RETR 1")
            intercept.dropAfterBytes = 20;
        return intercept;
    };
    logIn();
    const std::string reply = send("RETR 1\r\n");
    EXPECT_EQ(
        reply,
        ("+OK " + std::to_string(kSize1) + " octets\r\n" + std::string(kMessage1)).substr(0, 20));
    EXPECT_TRUE(session->closeRequested());
    EXPECT_EQ(send("NOOP\r\n"), "") << "nothing after the cut";
}

TEST_F(ServerSessionTest, InterceptThatThrowsGivesSysTemp) {
    mailbox.interceptor = [](const CommandContext& context) -> Intercept {
        if (context.line == "NOOP")
            throw std::runtime_error("script error");
        return {};
    };
    logIn();
    EXPECT_EQ(send("NOOP\r\n"), "-ERR [SYS/TEMP] Internal server error\r\n");
    EXPECT_EQ(send("STAT\r\n").substr(0, 3), "+OK") << "the session goes on";
}

TEST_F(ServerSessionTest, TraceMasksPasswordsAndSummarisesBodies) {
    logIn();
    send("RETR 1\r\n");
    send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    EXPECT_THAT(mailbox.traced, ::testing::Contains("C: PASS ****"));
    EXPECT_THAT(mailbox.traced, ::testing::Contains("C: USER alice"));
    EXPECT_THAT(mailbox.traced,
                ::testing::Contains("S: +OK " + std::to_string(kSize1) + " octets"));
    EXPECT_THAT(mailbox.traced, ::testing::Contains("S: [message data: " +
                                                    std::to_string(kSize1 + 3) + " octets]"));
    EXPECT_THAT(mailbox.traced, ::testing::Contains("C: AUTH PLAIN ****"));
    for (const std::string& line : mailbox.traced)
        EXPECT_EQ(line.find("secret"), std::string::npos) << line;
}

TEST_F(ServerSessionTest, TraceMasksEverySaslLine) {
    start();
    send("AUTH LOGIN\r\n");
    send(encodeBase64("alice") + "\r\n");
    send(encodeBase64("secret") + "\r\n");
    EXPECT_EQ(session->state(), SessionState::Transaction);
    EXPECT_THAT(mailbox.traced, ::testing::Contains("C: AUTH LOGIN"));
    for (const std::string& line : mailbox.traced)
        EXPECT_EQ(line.find(encodeBase64("secret")), std::string::npos) << line;
}

TEST_F(ServerSessionTest, InterceptRewritesTheWholeReplyBodyIncluded) {
    mailbox.streamed = true;
    mailbox.interceptor = [](const CommandContext& context) {
        Intercept intercept;
        if (context.line == "RETR 2")
            intercept.rewriteReply = [](std::string reply) {
                std::string lf;
                for (char c : reply) {
                    if (c != '\r')
                        lf += c;
                }
                return lf;
            };
        return intercept;
    };
    logIn();
    std::string expected =
        "+OK " + std::to_string(kSize2) + " octets\r\n" + std::string(kMessage2OnTheWire);
    expected.erase(std::remove(expected.begin(), expected.end(), '\r'), expected.end());
    EXPECT_EQ(send("RETR 2\r\n"), expected);
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n") << "the session goes on normally";
}

TEST_F(ServerSessionTest, InterceptCloseAfterReplySendsTheReplyThenCloses) {
    mailbox.interceptor = [](const CommandContext& context) {
        Intercept intercept;
        intercept.closeAfterReply = context.line == "NOOP";
        return intercept;
    };
    logIn();
    EXPECT_EQ(send("NOOP\r\n"), "+OK\r\n");
    EXPECT_TRUE(session->closeRequested());
}

TEST_F(ServerSessionTest, ExtraCapabilitiesAreListedLastInEveryState) {
    config.extraCapabilities = {"LOGIN-DELAY 900", "EXPIRE NEVER"};
    start();
    const std::vector<std::string> before = bodyLines(send("CAPA\r\n"));
    ASSERT_GE(before.size(), 2u);
    EXPECT_EQ(before[before.size() - 2], "LOGIN-DELAY 900");
    EXPECT_EQ(before.back(), "EXPIRE NEVER");
    send("USER alice\r\n");
    send("PASS secret\r\n");
    EXPECT_EQ(bodyLines(send("CAPA\r\n")).back(), "EXPIRE NEVER");
}

TEST_F(ServerSessionTest, InterceptCanIgnorePipelinedCommands) {
    mailbox.interceptor = [](const CommandContext&) {
        Intercept intercept;
        intercept.discardRestOfInput = true;
        return intercept;
    };
    logIn();
    EXPECT_EQ(send("NOOP\r\nNOOP\r\nNOOP\r\n"), "+OK\r\n");
}

TEST_F(ServerSessionTest, InterceptCanAnswerCommandsInjectedAfterStlsInsideTls) {
    config.tlsAvailable = true;
    mailbox.interceptor = [](const CommandContext& context) {
        Intercept intercept;
        intercept.keepInputAfterStls = context.line == "STLS";
        return intercept;
    };
    start();
    EXPECT_EQ(send("STLS\r\nNOOP\r\n"), "+OK Begin TLS negotiation\r\n");
    session->tlsStarted();
    EXPECT_EQ(pull(), "-ERR NOOP is not valid in this state\r\n") << "answered inside TLS";
}

TEST_F(ServerSessionTest, TraceMasksTheApopDigest) {
    start();
    send("APOP alice " + pop3::apopDigest(session->apopTimestamp(), "secret") + "\r\n");
    EXPECT_EQ(session->state(), SessionState::Transaction);
    EXPECT_THAT(mailbox.traced, ::testing::Contains("C: APOP alice ****"));
}

} // namespace
