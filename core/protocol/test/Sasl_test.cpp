#include "pop3/Sasl.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_literals;
using pop3::AuthMethod;
using pop3::SaslClientExchange;
using pop3::SaslServerExchange;
using Outcome = pop3::SaslServerExchange::Outcome;
using Step = pop3::SaslServerExchange::Step;

namespace {

// RFC 2195 §2 example.
constexpr std::string_view kRfc2195Nonce = "1896.697170952";
constexpr std::string_view kRfc2195Host = "postoffice.reston.mci.net";
constexpr std::string_view kRfc2195Challenge = "<1896.697170952@postoffice.reston.mci.net>";
constexpr std::string_view kRfc2195ChallengeBase64 =
    "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
constexpr std::string_view kRfc2195ResponseBase64 =
    "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";
constexpr std::string_view kRfc2195Digest = "b913a602c7eda7a495b4e6e7334d3890";

// RFC 4616 §4 examples.
constexpr std::string_view kRfc4616TimBase64 = "AHRpbQB0YW5zdGFhZnRhbnN0YWFm";
constexpr std::string_view kRfc4616UrselBase64 = "VXJzZWwAS3VydAB4aXBqM3BsbXE=";

constexpr std::string_view kUsernamePrompt = "VXNlcm5hbWU6"; // "Username:"
constexpr std::string_view kPasswordPrompt = "UGFzc3dvcmQ6"; // "Password:"

std::unique_ptr<SaslServerExchange> makeServer(std::string_view mechanism) {
    return SaslServerExchange::create(mechanism, kRfc2195Nonce, kRfc2195Host);
}

std::string b64(std::string_view text) {
    return pop3::encodeBase64(text);
}

struct WiredRun {
    Step last;
    int steps = 0;
};

/// Feeds each client line to the server until it stops challenging; a client that has no
/// answer cancels with "*", as a real client would.
WiredRun runWired(SaslClientExchange& client, SaslServerExchange& server, bool sendInitial) {
    WiredRun run;
    const std::optional<std::string> initial =
        sendInitial ? client.initialResponse() : std::nullopt;
    run.last = initial ? server.start(std::string_view(*initial)) : server.start(std::nullopt);
    run.steps = 1;
    while (run.last.outcome == Outcome::Challenge && run.steps < 10) {
        const std::optional<std::string> line = client.respond(run.last.challenge);
        run.last = server.respond(line ? *line : "*");
        ++run.steps;
    }
    return run;
}

} // namespace

// --- Mechanism list and factories -----------------------------------------------------------

TEST(SaslMechanismsTest, StrongestFirst) {
    EXPECT_EQ(pop3::supportedSaslMechanisms(),
              (std::vector<std::string>{"CRAM-MD5", "PLAIN", "LOGIN"}));
}

TEST(SaslMechanismsTest, EverySupportedMechanismHasBothSides) {
    for (const std::string& mechanism : pop3::supportedSaslMechanisms()) {
        EXPECT_NE(makeServer(mechanism), nullptr) << mechanism;
        const auto client = SaslClientExchange::create(mechanism, "user", "pass");
        ASSERT_NE(client, nullptr) << mechanism;
        EXPECT_EQ(client->mechanism(), mechanism);
    }
}

TEST(SaslMechanismsTest, NamesAreCaseInsensitive) {
    EXPECT_NE(makeServer("plain"), nullptr);
    EXPECT_NE(makeServer("Login"), nullptr);
    EXPECT_NE(makeServer("cram-md5"), nullptr);
    const auto client = SaslClientExchange::create("cRaM-mD5", "user", "pass");
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(client->mechanism(), "CRAM-MD5");
}

TEST(SaslMechanismsTest, UnsupportedMechanismsGiveNull) {
    for (std::string_view name : {"", "GSSAPI", "SCRAM-SHA-256", "XOAUTH2", "PLAIN ", " LOGIN",
                                  "CRAM-MD", "CRAM-MD55", "DIGEST-MD5"}) {
        EXPECT_EQ(makeServer(name), nullptr) << name;
        EXPECT_EQ(SaslClientExchange::create(name, "user", "pass"), nullptr) << name;
    }
}

// --- PLAIN server ---------------------------------------------------------------------------

TEST(SaslPlainServerTest, Rfc4616ExampleAsInitialResponse) {
    auto server = makeServer("PLAIN");
    const Step step = server->start(kRfc4616TimBase64);
    ASSERT_EQ(step.outcome, Outcome::Done) << step.error;
    const pop3::Credentials& credentials = server->credentials();
    EXPECT_EQ(credentials.method, AuthMethod::SaslPlain);
    EXPECT_EQ(credentials.username, "tim");
    EXPECT_EQ(credentials.password, "tanstaaftanstaaf");
    EXPECT_EQ(credentials.authorizationId, "");
    EXPECT_TRUE(credentials.matches("tanstaaftanstaaf"));
    EXPECT_FALSE(credentials.matches("wrong"));
}

TEST(SaslPlainServerTest, Rfc4616ExampleWithAuthorizationId) {
    auto server = makeServer("PLAIN");
    const Step step = server->start(kRfc4616UrselBase64);
    ASSERT_EQ(step.outcome, Outcome::Done) << step.error;
    EXPECT_EQ(server->credentials().authorizationId, "Ursel");
    EXPECT_EQ(server->credentials().username, "Kurt");
    EXPECT_EQ(server->credentials().password, "xipj3plmq");
}

TEST(SaslPlainServerTest, WithoutInitialResponseSendsEmptyChallenge) {
    auto server = makeServer("PLAIN");
    const Step first = server->start(std::nullopt);
    ASSERT_EQ(first.outcome, Outcome::Challenge);
    EXPECT_EQ(first.challenge, "");
    const Step second = server->respond(kRfc4616TimBase64);
    ASSERT_EQ(second.outcome, Outcome::Done) << second.error;
    EXPECT_EQ(server->credentials().username, "tim");
}

TEST(SaslPlainServerTest, EmptyInitialResponseIsMalformed) {
    auto server = makeServer("PLAIN");
    const Step step = server->start("=");
    EXPECT_EQ(step.outcome, Outcome::Failed);
    EXPECT_FALSE(step.cancelled);
}

TEST(SaslPlainServerTest, BareEmptyInitialResponseIsRejected) {
    // RFC 5034 §4 spells an empty initial response "="; nothing at all is not base64.
    auto server = makeServer("PLAIN");
    EXPECT_EQ(server->start("").outcome, Outcome::Failed);
}

TEST(SaslPlainServerTest, StarAsInitialResponseIsInvalidNotCancel) {
    auto server = makeServer("PLAIN");
    const Step step = server->start("*");
    EXPECT_EQ(step.outcome, Outcome::Failed);
    EXPECT_FALSE(step.cancelled);
}

TEST(SaslPlainServerTest, InvalidBase64InitialResponseFails) {
    auto server = makeServer("PLAIN");
    const Step step = server->start("AHRpbQB0YW5zdGFhZnRhbnN0YWFm ");
    EXPECT_EQ(step.outcome, Outcome::Failed);
    EXPECT_FALSE(step.error.empty());
}

TEST(SaslPlainServerTest, MessageWithoutNulIsMalformed) {
    auto server = makeServer("PLAIN");
    EXPECT_EQ(server->start(b64("timtanstaaf")).outcome, Outcome::Failed);
}

TEST(SaslPlainServerTest, MessageWithOneNulIsMalformed) {
    auto server = makeServer("PLAIN");
    EXPECT_EQ(server->start(b64("tim\0tanstaaf"s)).outcome, Outcome::Failed);
}

TEST(SaslPlainServerTest, MessageWithThreeNulsIsMalformed) {
    auto server = makeServer("PLAIN");
    EXPECT_EQ(server->start(b64("a\0tim\0tan\0staaf"s)).outcome, Outcome::Failed);
}

TEST(SaslPlainServerTest, EmptyAuthenticationIdentityIsMalformed) {
    auto server = makeServer("PLAIN");
    EXPECT_EQ(server->start(b64("authz\0\0secret"s)).outcome, Outcome::Failed);
}

TEST(SaslPlainServerTest, EmptyPasswordIsMalformed) {
    // RFC 4616 §2: passwd = 1*SAFE.
    auto server = makeServer("PLAIN");
    EXPECT_EQ(server->start(b64("\0tim\0"s)).outcome, Outcome::Failed);
}

TEST(SaslPlainServerTest, MalformedResponseAfterChallengeFails) {
    auto server = makeServer("PLAIN");
    ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge);
    const Step step = server->respond(b64("just-a-name"));
    EXPECT_EQ(step.outcome, Outcome::Failed);
    EXPECT_FALSE(step.cancelled);
    EXPECT_EQ(server->credentials().username, "");
}

TEST(SaslPlainServerTest, EmptyResponseAfterChallengeFails) {
    auto server = makeServer("PLAIN");
    ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge);
    EXPECT_EQ(server->respond("").outcome, Outcome::Failed);
}

TEST(SaslPlainServerTest, StarCancels) {
    auto server = makeServer("PLAIN");
    ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge);
    const Step step = server->respond("*");
    EXPECT_EQ(step.outcome, Outcome::Failed);
    EXPECT_TRUE(step.cancelled);
    EXPECT_EQ(step.error, "cancelled");
}

TEST(SaslPlainServerTest, InvalidBase64ResponseFailsWithoutCancel) {
    auto server = makeServer("PLAIN");
    ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge);
    const Step step = server->respond("**");
    EXPECT_EQ(step.outcome, Outcome::Failed);
    EXPECT_FALSE(step.cancelled);
}

// --- Ordering and bounds (shared by every mechanism) ----------------------------------------

TEST(SaslServerExchangeTest, RespondAfterDoneFailsAndKeepsCredentials) {
    auto server = makeServer("PLAIN");
    ASSERT_EQ(server->start(kRfc4616TimBase64).outcome, Outcome::Done);
    EXPECT_EQ(server->respond(kRfc4616TimBase64).outcome, Outcome::Failed);
    EXPECT_EQ(server->respond("*").outcome, Outcome::Failed);
    EXPECT_EQ(server->credentials().username, "tim");
}

TEST(SaslServerExchangeTest, RespondAfterFailedStaysFailed) {
    for (const std::string& mechanism : pop3::supportedSaslMechanisms()) {
        auto server = makeServer(mechanism);
        ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge) << mechanism;
        ASSERT_EQ(server->respond("!!!!").outcome, Outcome::Failed) << mechanism;
        EXPECT_EQ(server->respond(b64("anything")).outcome, Outcome::Failed) << mechanism;
        EXPECT_EQ(server->respond(kRfc4616TimBase64).outcome, Outcome::Failed) << mechanism;
    }
}

TEST(SaslServerExchangeTest, RespondBeforeStartFails) {
    for (const std::string& mechanism : pop3::supportedSaslMechanisms()) {
        auto server = makeServer(mechanism);
        EXPECT_EQ(server->respond(kRfc4616TimBase64).outcome, Outcome::Failed) << mechanism;
    }
}

TEST(SaslServerExchangeTest, StartTwiceFails) {
    for (const std::string& mechanism : pop3::supportedSaslMechanisms()) {
        auto server = makeServer(mechanism);
        ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge) << mechanism;
        EXPECT_EQ(server->start(std::nullopt).outcome, Outcome::Failed) << mechanism;
    }
}

TEST(SaslServerExchangeTest, CancelWorksAtEveryChallenge) {
    for (const std::string& mechanism : pop3::supportedSaslMechanisms()) {
        auto server = makeServer(mechanism);
        Step step = server->start(std::nullopt);
        // Answer the first challenge properly where there is a second one (LOGIN).
        if (mechanism == "LOGIN") {
            step = server->respond(b64("user"));
            ASSERT_EQ(step.outcome, Outcome::Challenge);
        }
        ASSERT_EQ(step.outcome, Outcome::Challenge) << mechanism;
        step = server->respond("*");
        EXPECT_EQ(step.outcome, Outcome::Failed) << mechanism;
        EXPECT_TRUE(step.cancelled) << mechanism;
        EXPECT_EQ(server->credentials().username, "") << mechanism;
    }
}

TEST(SaslServerExchangeTest, NeverMoreThanThreeSteps) {
    for (const std::string& mechanism : pop3::supportedSaslMechanisms()) {
        auto server = makeServer(mechanism);
        Step step = server->start(std::nullopt);
        int steps = 1;
        while (step.outcome == Outcome::Challenge && steps < 100) {
            step = server->respond(b64("user"));
            ++steps;
        }
        EXPECT_LE(steps, 3) << mechanism;
        EXPECT_NE(step.outcome, Outcome::Challenge) << mechanism;
    }
}

// --- LOGIN server ---------------------------------------------------------------------------

TEST(SaslLoginServerTest, PromptsForUsernameThenPassword) {
    auto server = makeServer("LOGIN");
    const Step first = server->start(std::nullopt);
    ASSERT_EQ(first.outcome, Outcome::Challenge);
    EXPECT_EQ(first.challenge, kUsernamePrompt);
    const Step second = server->respond(b64("tim"));
    ASSERT_EQ(second.outcome, Outcome::Challenge);
    EXPECT_EQ(second.challenge, kPasswordPrompt);
    const Step third = server->respond(b64("tanstaaf"));
    ASSERT_EQ(third.outcome, Outcome::Done) << third.error;
    EXPECT_EQ(server->credentials().method, AuthMethod::SaslLogin);
    EXPECT_EQ(server->credentials().username, "tim");
    EXPECT_EQ(server->credentials().password, "tanstaaf");
    EXPECT_TRUE(server->credentials().matches("tanstaaf"));
    EXPECT_FALSE(server->credentials().matches("wrong"));
}

TEST(SaslLoginServerTest, InitialResponseIsTheUsername) {
    auto server = makeServer("login");
    const Step first = server->start(b64("tim"));
    ASSERT_EQ(first.outcome, Outcome::Challenge);
    EXPECT_EQ(first.challenge, kPasswordPrompt);
    ASSERT_EQ(server->respond(b64("tanstaaf")).outcome, Outcome::Done);
    EXPECT_EQ(server->credentials().username, "tim");
}

TEST(SaslLoginServerTest, EmptyUsernameFails) {
    auto server = makeServer("LOGIN");
    ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge);
    EXPECT_EQ(server->respond("").outcome, Outcome::Failed);
}

TEST(SaslLoginServerTest, EmptyInitialUsernameFails) {
    auto server = makeServer("LOGIN");
    EXPECT_EQ(server->start("=").outcome, Outcome::Failed);
}

TEST(SaslLoginServerTest, InvalidBase64PasswordFails) {
    auto server = makeServer("LOGIN");
    ASSERT_EQ(server->start(b64("tim")).outcome, Outcome::Challenge);
    const Step step = server->respond("dGFuc3RhYWY");
    EXPECT_EQ(step.outcome, Outcome::Failed);
    EXPECT_FALSE(step.cancelled);
    EXPECT_EQ(server->credentials().username, "");
}

// --- CRAM-MD5 server ------------------------------------------------------------------------

TEST(SaslCramMd5ServerTest, Rfc2195ExampleExchange) {
    auto server = makeServer("CRAM-MD5");
    const Step first = server->start(std::nullopt);
    ASSERT_EQ(first.outcome, Outcome::Challenge);
    EXPECT_EQ(first.challenge, kRfc2195ChallengeBase64);
    const Step second = server->respond(kRfc2195ResponseBase64);
    ASSERT_EQ(second.outcome, Outcome::Done) << second.error;
    const pop3::Credentials& credentials = server->credentials();
    EXPECT_EQ(credentials.method, AuthMethod::SaslCramMd5);
    EXPECT_EQ(credentials.username, "tim");
    EXPECT_EQ(credentials.password, "");
    EXPECT_EQ(credentials.challenge, kRfc2195Challenge);
    EXPECT_EQ(credentials.digest, kRfc2195Digest);
    EXPECT_TRUE(credentials.matches("tanstaaftanstaaf"));
    EXPECT_FALSE(credentials.matches("wrong"));
}

TEST(SaslCramMd5ServerTest, RefusesInitialResponse) {
    auto server = makeServer("CRAM-MD5");
    const Step step = server->start(kRfc2195ResponseBase64);
    EXPECT_EQ(step.outcome, Outcome::Failed);
    EXPECT_FALSE(step.cancelled);
    EXPECT_FALSE(step.error.empty());
}

TEST(SaslCramMd5ServerTest, RefusesEmptyInitialResponse) {
    auto server = makeServer("CRAM-MD5");
    EXPECT_EQ(server->start("=").outcome, Outcome::Failed);
}

TEST(SaslCramMd5ServerTest, NormalisesUpperCaseDigest) {
    auto server = makeServer("CRAM-MD5");
    ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge);
    ASSERT_EQ(server->respond(b64("tim B913A602C7EDA7A495B4E6E7334D3890")).outcome, Outcome::Done);
    EXPECT_EQ(server->credentials().digest, kRfc2195Digest);
    EXPECT_TRUE(server->credentials().matches("tanstaaftanstaaf"));
}

TEST(SaslCramMd5ServerTest, UsernameMayContainSpaces) {
    auto server = makeServer("CRAM-MD5");
    ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge);
    ASSERT_EQ(server->respond(b64("tim smith " + std::string(kRfc2195Digest))).outcome,
              Outcome::Done);
    EXPECT_EQ(server->credentials().username, "tim smith");
}

TEST(SaslCramMd5ServerTest, RejectsMalformedResponses) {
    const std::string digest(kRfc2195Digest);
    for (const std::string& response : {
             "tim"s,                          // no digest
             "tim" + digest,                  // no space
             " " + digest,                    // empty username
             "tim " + digest.substr(1),       // 31 digits
             "tim " + digest + "0",           // 33 digits
             "tim " + digest.substr(1) + "g", // not hex
             "tim " + digest + " ",           // trailing space
             "tim "s,                         // empty digest
             ""s,                             // nothing at all
         }) {
        auto server = makeServer("CRAM-MD5");
        ASSERT_EQ(server->start(std::nullopt).outcome, Outcome::Challenge);
        const Step step = server->respond(b64(response));
        EXPECT_EQ(step.outcome, Outcome::Failed) << '"' << response << '"';
        EXPECT_FALSE(step.cancelled);
        EXPECT_EQ(server->credentials().digest, "");
    }
}

TEST(SaslCramMd5ServerTest, ChallengeCarriesNonceAndHostname) {
    auto server = SaslServerExchange::create("CRAM-MD5", "42.17", "pop.example.org");
    const Step step = server->start(std::nullopt);
    ASSERT_EQ(step.outcome, Outcome::Challenge);
    EXPECT_EQ(pop3::decodeBase64(step.challenge), "<42.17@pop.example.org>");
}

// --- Clients --------------------------------------------------------------------------------

TEST(SaslPlainClientTest, InitialResponseMatchesRfc4616Examples) {
    EXPECT_EQ(SaslClientExchange::create("PLAIN", "tim", "tanstaaftanstaaf")->initialResponse(),
              std::string(kRfc4616TimBase64));
    EXPECT_EQ(SaslClientExchange::create("PLAIN", "Kurt", "xipj3plmq", "Ursel")->initialResponse(),
              std::string(kRfc4616UrselBase64));
}

TEST(SaslPlainClientTest, AnswersEmptyChallengeWithTheMessage) {
    auto client = SaslClientExchange::create("PLAIN", "tim", "tanstaaftanstaaf");
    EXPECT_EQ(client->respond(""), std::string(kRfc4616TimBase64));
}

TEST(SaslPlainClientTest, RefusesNonEmptyChallenge) {
    auto client = SaslClientExchange::create("PLAIN", "tim", "tanstaaftanstaaf");
    EXPECT_EQ(client->respond(b64("surprise")), std::nullopt);
    EXPECT_EQ(client->respond("not base64!"), std::nullopt);
}

TEST(SaslPlainClientTest, AnswersOnlyOnce) {
    auto client = SaslClientExchange::create("PLAIN", "tim", "tanstaaftanstaaf");
    ASSERT_TRUE(client->respond(""));
    EXPECT_EQ(client->respond(""), std::nullopt);
}

TEST(SaslLoginClientTest, SendsUsernameThenPassword) {
    auto client = SaslClientExchange::create("LOGIN", "tim", "tanstaaf");
    EXPECT_EQ(client->initialResponse(), std::nullopt);
    EXPECT_EQ(client->respond(kUsernamePrompt), b64("tim"));
    EXPECT_EQ(client->respond(kPasswordPrompt), b64("tanstaaf"));
    EXPECT_EQ(client->respond(kPasswordPrompt), std::nullopt);
}

TEST(SaslLoginClientTest, IgnoresPromptWording) {
    auto client = SaslClientExchange::create("LOGIN", "tim", "tanstaaf");
    EXPECT_EQ(client->respond(b64("User Name")), b64("tim"));
    EXPECT_EQ(client->respond(""), b64("tanstaaf"));
}

TEST(SaslLoginClientTest, RefusesInvalidBase64Challenge) {
    auto client = SaslClientExchange::create("LOGIN", "tim", "tanstaaf");
    EXPECT_EQ(client->respond("Username:"), std::nullopt);
}

TEST(SaslCramMd5ClientTest, Rfc2195ExampleResponse) {
    auto client = SaslClientExchange::create("CRAM-MD5", "tim", "tanstaaftanstaaf");
    EXPECT_EQ(client->initialResponse(), std::nullopt);
    EXPECT_EQ(client->respond(kRfc2195ChallengeBase64), std::string(kRfc2195ResponseBase64));
}

TEST(SaslCramMd5ClientTest, RefusesSecondChallenge) {
    auto client = SaslClientExchange::create("CRAM-MD5", "tim", "tanstaaftanstaaf");
    ASSERT_TRUE(client->respond(kRfc2195ChallengeBase64));
    EXPECT_EQ(client->respond(kRfc2195ChallengeBase64), std::nullopt);
}

TEST(SaslCramMd5ClientTest, RefusesMalformedChallenge) {
    auto client = SaslClientExchange::create("CRAM-MD5", "tim", "tanstaaftanstaaf");
    EXPECT_EQ(client->respond("<1896.697170952@postoffice.reston.mci.net>"), std::nullopt);
    EXPECT_EQ(client->respond(""), std::nullopt);
    // Still able to answer a proper challenge afterwards.
    EXPECT_EQ(client->respond(kRfc2195ChallengeBase64), std::string(kRfc2195ResponseBase64));
}

// --- Client and server wired together -------------------------------------------------------

struct WiredCase {
    std::string mechanism;
    bool sendInitial;
};

class SaslWiredTest : public testing::TestWithParam<WiredCase> {};

TEST_P(SaslWiredTest, ClientCredentialsMatchOnServer) {
    const WiredCase& param = GetParam();
    auto client = SaslClientExchange::create(param.mechanism, "mrose", "tanstaaf");
    auto server = makeServer(param.mechanism);
    ASSERT_NE(client, nullptr);
    ASSERT_NE(server, nullptr);

    const WiredRun run = runWired(*client, *server, param.sendInitial);
    ASSERT_EQ(run.last.outcome, Outcome::Done) << run.last.error;
    EXPECT_LE(run.steps, 3);
    EXPECT_EQ(server->credentials().username, "mrose");
    EXPECT_EQ(pop3::toString(server->credentials().method), param.mechanism);
    EXPECT_TRUE(server->credentials().matches("tanstaaf"));
    EXPECT_FALSE(server->credentials().matches("wrong"));
    EXPECT_FALSE(server->credentials().matches(""));
}

TEST_P(SaslWiredTest, WrongPasswordDoesNotMatch) {
    const WiredCase& param = GetParam();
    auto client = SaslClientExchange::create(param.mechanism, "mrose", "guess");
    auto server = makeServer(param.mechanism);
    const WiredRun run = runWired(*client, *server, param.sendInitial);
    ASSERT_EQ(run.last.outcome, Outcome::Done) << run.last.error;
    EXPECT_FALSE(server->credentials().matches("tanstaaf"));
    EXPECT_TRUE(server->credentials().matches("guess"));
}

TEST_P(SaslWiredTest, OddOctetsSurvive) {
    const WiredCase& param = GetParam();
    const std::string password = "p\xc3\xa4ss w:rd+/=";
    auto client = SaslClientExchange::create(param.mechanism, "user@example.org", password);
    auto server = makeServer(param.mechanism);
    const WiredRun run = runWired(*client, *server, param.sendInitial);
    ASSERT_EQ(run.last.outcome, Outcome::Done) << run.last.error;
    EXPECT_EQ(server->credentials().username, "user@example.org");
    EXPECT_TRUE(server->credentials().matches(password));
}

INSTANTIATE_TEST_SUITE_P(SaslMechanisms, SaslWiredTest,
                         testing::Values(WiredCase{"PLAIN", true}, WiredCase{"PLAIN", false},
                                         WiredCase{"LOGIN", true}, WiredCase{"LOGIN", false},
                                         WiredCase{"CRAM-MD5", true}, WiredCase{"CRAM-MD5", false}),
                         [](const testing::TestParamInfo<WiredCase>& info) {
                             std::string name;
                             for (char c : info.param.mechanism) {
                                 if (c != '-')
                                     name.push_back(c);
                             }
                             return name + (info.param.sendInitial ? "InitialResponseIfAny"
                                                                   : "ChallengeFirst");
                         });

TEST(SaslPairTest, PlainCarriesAuthorizationId) {
    auto client = SaslClientExchange::create("PLAIN", "Kurt", "xipj3plmq", "Ursel");
    auto server = makeServer("PLAIN");
    const WiredRun run = runWired(*client, *server, true);
    ASSERT_EQ(run.last.outcome, Outcome::Done) << run.last.error;
    EXPECT_EQ(server->credentials().authorizationId, "Ursel");
    EXPECT_EQ(server->credentials().username, "Kurt");
    EXPECT_TRUE(server->credentials().matches("xipj3plmq"));
}

TEST(SaslPairTest, ClientWithoutAnswerCancels) {
    auto client = SaslClientExchange::create("CRAM-MD5", "tim", "tanstaaftanstaaf");
    auto server = makeServer("LOGIN");
    const WiredRun run = runWired(*client, *server, false);
    // The CRAM-MD5 client answers "Username:" once (any challenge looks valid to it), then
    // has nothing for "Password:" and cancels.
    EXPECT_EQ(run.last.outcome, Outcome::Failed);
    EXPECT_TRUE(run.last.cancelled);
}
