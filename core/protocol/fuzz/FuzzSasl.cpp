// fuzz_sasl: the server-side SASL exchanges, the client side, base64 and the APOP timestamp.
//
// Input: [mode: mechanism (bits 0-1: PLAIN, LOGIN, CRAM-MD5, named by the first line), initial
// response (bit 2), client/server round trip (bit 3)] then lines separated by LF. Invariants:
// nothing crashes; challenges are canonical base64; a Failed or Done exchange stays finished and
// keeps its credentials; Done credentials are well-formed for their mechanism and re-encode to the
// line that produced them; a client and a server of the same mechanism agree on what was sent;
// decodeBase64 accepts only canonical text (encode(decode(x)) == x) and inverts encodeBase64;
// an APOP timestamp is a well-formed "<...@...>" taken from the greeting.

#include "pop3/Auth.h"
#include "pop3/Sasl.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "FuzzSupport.h"

namespace {

using pop3::AuthMethod;
using pop3::Credentials;
using pop3::SaslClientExchange;
using pop3::SaslServerExchange;
using pop3::fuzz::InputReader;
using Outcome = SaslServerExchange::Outcome;

constexpr std::string_view kNonce = "1896.697170952";
constexpr std::string_view kHost = "dbc.mtview.ca.us";
constexpr const char* kMechanisms[] = {"PLAIN", "LOGIN", "CRAM-MD5"};

std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const std::size_t lf = text.find('\n');
        lines.push_back(text.substr(0, lf));
        text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
    }
    return lines;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto upper = [](char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; };
        if (upper(a[i]) != upper(b[i]))
            return false;
    }
    return true;
}

bool isLowerHex(std::string_view text) {
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

bool sameCredentials(const Credentials& a, const Credentials& b) {
    return a.method == b.method && a.username == b.username && a.password == b.password &&
           a.authorizationId == b.authorizationId && a.challenge == b.challenge &&
           a.digest == b.digest;
}

/// Done credentials of `mechanism`, produced by the base64 line `line`.
void checkDone(std::string_view mechanism, const Credentials& credentials,
               std::optional<std::string_view> line) {
    POP3_FUZZ_CHECK(!credentials.username.empty());
    if (mechanism == "PLAIN") {
        POP3_FUZZ_CHECK(credentials.method == AuthMethod::SaslPlain);
        POP3_FUZZ_CHECK(!credentials.password.empty());
        std::string message = credentials.authorizationId;
        message.append(1, '\0').append(credentials.username).append(1, '\0');
        message.append(credentials.password);
        POP3_FUZZ_CHECK(line && pop3::encodeBase64(message) == *line);
    } else if (mechanism == "LOGIN") {
        POP3_FUZZ_CHECK(credentials.method == AuthMethod::SaslLogin);
        POP3_FUZZ_CHECK(line && pop3::decodeBase64(*line) == credentials.password);
    } else {
        POP3_FUZZ_CHECK(credentials.method == AuthMethod::SaslCramMd5);
        POP3_FUZZ_CHECK(credentials.challenge ==
                        "<" + std::string(kNonce) + "@" + std::string(kHost) + ">");
        POP3_FUZZ_CHECK(credentials.digest.size() == 32 && isLowerHex(credentials.digest));
        // The response was "username SP digest", the digest in either case.
        const std::optional<std::string> decoded = line ? pop3::decodeBase64(*line) : std::nullopt;
        POP3_FUZZ_CHECK(decoded && decoded->size() == credentials.username.size() + 33);
        POP3_FUZZ_CHECK(
            decoded->compare(0, credentials.username.size() + 1, credentials.username + " ") == 0);
        POP3_FUZZ_CHECK(
            equalsIgnoreCase(decoded->substr(decoded->size() - 32), credentials.digest));
        const std::string secret = "tanstaaftanstaaf";
        POP3_FUZZ_CHECK(credentials.matches(secret) ==
                        (credentials.digest == pop3::cramMd5Digest(credentials.challenge, secret)));
    }
}

/// Checks one step; returns true while the exchange goes on.
bool checkStep(SaslServerExchange& exchange, std::string_view mechanism,
               const SaslServerExchange::Step& step, std::optional<std::string_view> line) {
    switch (step.outcome) {
    case Outcome::Challenge: {
        const std::optional<std::string> decoded = pop3::decodeBase64(step.challenge);
        POP3_FUZZ_CHECK(decoded && pop3::encodeBase64(*decoded) == step.challenge);
        return true;
    }
    case Outcome::Failed:
        POP3_FUZZ_CHECK(!step.error.empty());
        POP3_FUZZ_CHECK(exchange.credentials().username.empty());
        break;
    case Outcome::Done:
        checkDone(mechanism, exchange.credentials(), line);
        break;
    }
    // Finished: further lines fail and change nothing.
    const Credentials kept = exchange.credentials();
    POP3_FUZZ_CHECK(exchange.respond("AGFsaWNlAHNlY3JldA==").outcome == Outcome::Failed);
    POP3_FUZZ_CHECK(exchange.start(std::nullopt).outcome == Outcome::Failed);
    POP3_FUZZ_CHECK(sameCredentials(kept, exchange.credentials()));
    return false;
}

void serverExchange(std::uint8_t mode, std::vector<std::string_view> lines) {
    std::string mechanism = kMechanisms[(mode & 3) % 3];
    if ((mode & 3) == 3) {
        mechanism = lines.empty() ? std::string() : std::string(lines.front());
        if (!lines.empty())
            lines.erase(lines.begin());
    }
    std::unique_ptr<SaslServerExchange> exchange =
        SaslServerExchange::create(mechanism, kNonce, kHost);
    bool known = false;
    for (const char* name : kMechanisms) {
        if (equalsIgnoreCase(mechanism, name)) {
            known = true;
            mechanism = name;
        }
    }
    POP3_FUZZ_CHECK(known == (exchange != nullptr));
    if (!exchange)
        return;
    POP3_FUZZ_CHECK(exchange->respond("=").outcome == Outcome::Failed);

    std::size_t next = 0;
    std::optional<std::string_view> initial;
    if ((mode & 4) && next < lines.size())
        initial = lines[next++];
    // LOGIN without an initial response is the longest exchange: two challenges.
    unsigned challenges = 0;
    bool running = checkStep(*exchange, mechanism, exchange->start(initial), initial);
    while (running && next < lines.size()) {
        POP3_FUZZ_CHECK(++challenges <= 2);
        const std::string_view line = lines[next++];
        running = checkStep(*exchange, mechanism, exchange->respond(line), line);
    }
}

/// A client and a server of one mechanism with credentials from the input.
void roundTrip(std::uint8_t mode, const std::vector<std::string_view>& lines) {
    const std::string_view mechanism = kMechanisms[(mode & 3) % 3];
    const std::string username(lines.size() > 0 ? lines[0] : std::string_view());
    const std::string password(lines.size() > 1 ? lines[1] : std::string_view());
    const std::string authorizationId(lines.size() > 2 ? lines[2] : std::string_view());
    auto client = SaslClientExchange::create(mechanism, username, password, authorizationId);
    auto server = SaslServerExchange::create(mechanism, kNonce, kHost);
    POP3_FUZZ_CHECK(client && server && client->mechanism() == mechanism);

    std::optional<std::string> initial = client->initialResponse();
    SaslServerExchange::Step step = server->start(initial);
    for (int round = 0; step.outcome == Outcome::Challenge && round < 4; ++round) {
        const std::optional<std::string> answer = client->respond(step.challenge);
        if (!answer)
            break;
        step = server->respond(*answer);
    }

    const bool noNul = username.find('\0') == std::string::npos &&
                       password.find('\0') == std::string::npos &&
                       authorizationId.find('\0') == std::string::npos;
    bool expectDone = !username.empty();
    if (mechanism == "PLAIN")
        expectDone = expectDone && !password.empty() && noNul;
    POP3_FUZZ_CHECK((step.outcome == Outcome::Done) == expectDone);
    if (!expectDone)
        return;
    const Credentials& credentials = server->credentials();
    POP3_FUZZ_CHECK(credentials.username == username);
    POP3_FUZZ_CHECK(credentials.matches(password));
    if (mechanism == "PLAIN")
        POP3_FUZZ_CHECK(credentials.authorizationId == authorizationId);
}

void checkBase64(std::string_view text) {
    if (const std::optional<std::string> decoded = pop3::decodeBase64(text))
        POP3_FUZZ_CHECK(pop3::encodeBase64(*decoded) == text);
    const std::string encoded = pop3::encodeBase64(text);
    POP3_FUZZ_CHECK(encoded.size() == (text.size() + 2) / 3 * 4);
    POP3_FUZZ_CHECK(pop3::decodeBase64(encoded) == std::string(text));
}

void checkApopTimestamp(std::string_view greeting) {
    const std::optional<std::string> timestamp = pop3::extractApopTimestamp(greeting);
    if (!timestamp)
        return;
    POP3_FUZZ_CHECK(greeting.find(*timestamp) != std::string_view::npos);
    POP3_FUZZ_CHECK(timestamp->size() >= 5 && timestamp->front() == '<' &&
                    timestamp->back() == '>');
    const std::string_view inner = std::string_view(*timestamp).substr(1, timestamp->size() - 2);
    const std::size_t at = inner.find('@');
    POP3_FUZZ_CHECK(at != std::string_view::npos && at > 0 && inner.rfind('@') + 1 < inner.size());
    for (char c : inner) {
        const auto u = static_cast<unsigned char>(c);
        POP3_FUZZ_CHECK(u > 0x20 && u != 0x7f && c != '<' && c != '>');
    }
    Credentials apop;
    apop.method = AuthMethod::Apop;
    apop.challenge = *timestamp;
    apop.digest = pop3::apopDigest(*timestamp, "tanstaaf");
    POP3_FUZZ_CHECK(apop.matches("tanstaaf") && !apop.matches("tanstaaf!"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    InputReader input(data, size);
    const std::uint8_t mode = input.byte();
    const std::string_view payload = input.rest();
    const std::vector<std::string_view> lines = splitLines(payload);
    if (mode & 8)
        roundTrip(mode, lines);
    else
        serverExchange(mode, lines);
    for (std::string_view line : lines)
        checkBase64(line);
    checkApopTimestamp(payload);
    return 0;
}
