// RFC 5034 §4: the AUTH command and its SASL exchange, for each mechanism CAPA lists (PLAIN,
// RFC 4616; LOGIN; CRAM-MD5, RFC 2195).
#include "pop3/Auth.h"
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "CheckSupport.h"

namespace pop3::conformance {

namespace {

/// RFC 4648 §4 base64: the alphabet, whole quanta, "=" padding only at the end. Unlike
/// decodeBase64(), it takes a last symbol whose unused bits are not zero: the encoding is
/// still base64, only not the canonical one (RFC 4648 §3.5).
bool isBase64(std::string_view text) {
    if (text.size() % 4 != 0)
        return false;
    const std::size_t last = text.find_last_not_of('=');
    if (last == std::string_view::npos)
        return text.empty();
    const std::size_t padding = text.size() - last - 1;
    if (padding > 2)
        return false;
    return std::all_of(text.begin(), text.end() - static_cast<std::ptrdiff_t>(padding), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    });
}

/// The challenge of a continuation ("+ abc=" gives "abc=").
std::string challengeOf(const Reply& reply) {
    return reply.statusLine.size() > 2 ? reply.statusLine.substr(2) : std::string();
}

/// The SASL mechanisms CAPA lists, upper case.
std::vector<std::string> mechanisms(CheckContext& c) {
    const std::optional<std::string> line = c.capability("SASL");
    return line ? saslMechanisms(*line) : std::vector<std::string>();
}

void requireMechanism(CheckContext& c, const std::string& mechanism) {
    c.requireCapability("SASL");
    const std::vector<std::string> offered = mechanisms(c);
    if (std::find(offered.begin(), offered.end(), mechanism) == offered.end())
        c.skip("CAPA does not list SASL " + mechanism);
}

/// A mechanism CAPA lists that begins with a server challenge, for the exchange-level checks.
std::string challengeMechanism(CheckContext& c) {
    c.requireCapability("SASL");
    const std::vector<std::string> offered = mechanisms(c);
    for (const char* mechanism : {"PLAIN", "LOGIN", "CRAM-MD5"}) {
        if (std::find(offered.begin(), offered.end(), mechanism) != offered.end())
            return mechanism;
    }
    c.skip("CAPA lists none of PLAIN, LOGIN and CRAM-MD5");
}

/// Sends `line` inside an exchange and reads the next step.
Reply step(Probe& probe, const std::string& line) {
    return probe.command(line, ResponseKind::SaslStep);
}

/// Expects a continuation (a server challenge) in reply to `what`.
void expectChallenge(CheckContext& c, const Reply& reply, std::string_view what) {
    c.expect(reply.complete() && reply.continuation,
             std::string(what) + " did not get a server challenge", "+ <base64>", reply.describe());
}

/// Expects the login to be accepted, then checks the session is in TRANSACTION.
void expectLoggedIn(CheckContext& c, Probe& probe, const Reply& reply, std::string_view what) {
    c.expectOk(reply, what);
    c.expectOk(probe.command("STAT"), std::string("STAT after ") + std::string(what));
}

std::string plainMessage(const Account& who) {
    return std::string(1, '\0') + who.user + std::string(1, '\0') + who.password;
}

// --- the checks ---

void authRefusedAfterLogin(CheckContext& c) {
    const std::string mechanism = challengeMechanism(c);
    const std::vector<std::string> offered = mechanisms(c);
    const bool plain = std::find(offered.begin(), offered.end(), "PLAIN") != offered.end();
    Probe probe = c.connect();
    const LoginMethod method = plain ? LoginMethod::saslPlain : c.server().loginMethod;
    c.expectOk(c.authenticate(probe, method, c.account()), "the login");
    const Reply again =
        probe.command(mechanism == "PLAIN" ? "AUTH PLAIN " + encodeBase64(plainMessage(c.account()))
                                           : "AUTH " + mechanism);
    c.expectErr(again, "AUTH after a successful login");
    probe.quit();
}

void unsupportedMechanismRefused(CheckContext& c) {
    Probe probe = c.connect();
    const Reply reply = probe.command("AUTH X-POP3-CONFORM-UNKNOWN");
    c.expectErr(reply, "AUTH with an unsupported mechanism");
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()),
               "a login after the refused AUTH");
    probe.quit();
}

void plainWithInitialResponse(CheckContext& c) {
    requireMechanism(c, "PLAIN");
    Probe probe = c.connect();
    const Reply reply = probe.command("AUTH PLAIN " + encodeBase64(plainMessage(c.account())));
    expectLoggedIn(c, probe, reply, "AUTH PLAIN with an initial response");
    probe.quit();
}

void plainWithEmptyChallenge(CheckContext& c) {
    requireMechanism(c, "PLAIN");
    Probe probe = c.connect();
    const Reply challenge = probe.command("AUTH PLAIN");
    expectChallenge(c, challenge, "AUTH PLAIN without an initial response");
    c.expect(challenge.statusLine == "+ ", "the empty challenge is not \"+\" and a space",
             "+ (and a space)", challenge.describe());
    const Reply reply = step(probe, encodeBase64(plainMessage(c.account())));
    expectLoggedIn(c, probe, reply, "the PLAIN response");
    probe.quit();
}

void loginMechanismWorks(CheckContext& c) {
    requireMechanism(c, "LOGIN");
    Probe probe = c.connect();
    const Reply user = probe.command("AUTH LOGIN");
    expectChallenge(c, user, "AUTH LOGIN");
    const Reply password = step(probe, encodeBase64(c.account().user));
    expectChallenge(c, password, "the LOGIN user name");
    const Reply reply = step(probe, encodeBase64(c.account().password));
    expectLoggedIn(c, probe, reply, "AUTH LOGIN");
    probe.quit();
}

void cramMd5Works(CheckContext& c) {
    requireMechanism(c, "CRAM-MD5");
    Probe probe = c.connect();
    const Reply challenge = probe.command("AUTH CRAM-MD5");
    expectChallenge(c, challenge, "AUTH CRAM-MD5");
    const std::optional<std::string> decoded = decodeBase64(challengeOf(challenge));
    c.expect(decoded.has_value(), "the CRAM-MD5 challenge is not canonical base64", "+ <base64>",
             challenge.describe());
    const std::string digest = cramMd5Digest(*decoded, c.account().password);
    const Reply reply = step(probe, encodeBase64(c.account().user + " " + digest));
    expectLoggedIn(c, probe, reply, "AUTH CRAM-MD5");
    probe.quit();
}

void starCancelsTheExchange(CheckContext& c) {
    const std::string mechanism = challengeMechanism(c);
    Probe probe = c.connect();
    expectChallenge(c, probe.command("AUTH " + mechanism), "AUTH " + mechanism);
    c.expectErr(step(probe, "*"), "the cancelling \"*\"");
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()),
               "a login after the cancelled AUTH");
    probe.quit();
}

void invalidBase64Refused(CheckContext& c) {
    const std::string mechanism = challengeMechanism(c);
    Probe probe = c.connect();
    expectChallenge(c, probe.command("AUTH " + mechanism), "AUTH " + mechanism);
    c.expectErr(step(probe, "!not*base64!"), "a response that is not base64");
    probe.close();
}

void challengesAreBase64(CheckContext& c) {
    c.requireCapability("SASL");
    const std::vector<std::string> offered = mechanisms(c);
    bool tried = false;
    for (const char* mechanism : {"PLAIN", "LOGIN", "CRAM-MD5"}) {
        if (std::find(offered.begin(), offered.end(), mechanism) == offered.end())
            continue;
        tried = true;
        Probe probe = c.connect();
        const Reply challenge = probe.command(std::string("AUTH ") + mechanism);
        expectChallenge(c, challenge, std::string("AUTH ") + mechanism);
        c.expect(isBase64(challengeOf(challenge)),
                 std::string("the ") + mechanism + " challenge is not base64", "+ <base64 only>",
                 challenge.describe());
        step(probe, "*");
        probe.close();
    }
    if (!tried)
        c.skip("CAPA lists none of PLAIN, LOGIN and CRAM-MD5");
}

} // namespace

std::vector<Check> rfc5034Checks() {
    return {
        {{"rfc5034-4-auth-once", "5034", "4", Level::must,
          "AUTH after a successful login (by AUTH) gets -ERR",
          "After a successful AUTH command completes, a server MUST reject any further AUTH "
          "commands with an -ERR reply.",
          0,
          "rules:\n"
          "  - {command: AUTH, occurrence: 2, reply: \"+OK already\"}\n"},
         authRefusedAfterLogin},
        {{"rfc5034-4-unsupported-mechanism", "5034", "4", Level::must,
          "AUTH with a mechanism the server lacks gets -ERR, and a login still works",
          "If the requested authentication mechanism is not supported, the server rejects the "
          "AUTH command with an -ERR reply.",
          0,
          "rules:\n"
          "  - {command: AUTH, arguments: '^X-', reply: \"+ \"}\n"},
         unsupportedMechanismRefused},
        {{"rfc5034-4-plain-initial-response", "5034", "4", Level::must,
          "AUTH PLAIN with an initial response logs in",
          "The optional initial-response argument to the AUTH command is used to save a round "
          "trip when using authentication mechanisms that support an initial client response.",
          0,
          "rules:\n"
          "  - {command: AUTH, arguments: '^PLAIN .', reply: \"-ERR [AUTH] no initial "
          "responses\"}\n"},
         plainWithInitialResponse},
        {{"rfc5034-4-plain-empty-challenge", "5034", "4", Level::must,
          "AUTH PLAIN without an initial response gets the empty challenge \"+ \", then the "
          "response logs in",
          "If the initial response argument is omitted and the chosen mechanism requires an "
          "initial client response, the server MUST proceed by issuing an empty challenge, as "
          "defined in Section 3 of [RFC4422]. In POP3, an empty server challenge is defined as a "
          "line with only a \"+\", followed by a single space. It MUST NOT contain any other "
          "data.",
          0,
          "rules:\n"
          "  - {command: AUTH, arguments: '^PLAIN$', reply: {bytes: \"+\\r\\n\"}}\n"},
         plainWithEmptyChallenge},
        {{"rfc5034-4-login-mechanism", "5034", "4", Level::must,
          "AUTH LOGIN (when CAPA lists it) logs in",
          "If the server supports the requested authentication mechanism, it performs the SASL "
          "exchange to authenticate the user.",
          0,
          "rules:\n"
          "  - {command: AUTH, arguments: '^LOGIN', reply: \"-ERR [AUTH] LOGIN is off\"}\n"},
         loginMechanismWorks},
        {{"rfc5034-4-cram-md5-mechanism", "5034", "4", Level::must,
          "AUTH CRAM-MD5 (when CAPA lists it) logs in with the HMAC-MD5 of the challenge",
          "If the server supports the requested authentication mechanism, it performs the SASL "
          "exchange to authenticate the user.",
          0,
          "rules:\n"
          "  - {command: AUTH, arguments: '^CRAM-MD5', reply: \"-ERR [AUTH] CRAM-MD5 is off\"}\n"},
         cramMd5Works},
        {{"rfc5034-4-cancel", "5034", "4", Level::must,
          "A \"*\" line cancels the exchange with -ERR, and a login still works",
          "If the client wishes to cancel the authentication exchange, it issues a line with a "
          "single \"*\". If the server receives such a response, it MUST reject the AUTH "
          "command by sending an -ERR reply.",
          0,
          "rules:\n"
          "  - {command: AUTH, arguments: '^PLAIN$', append: \"+ \"}\n"},
         starCancelsTheExchange},
        {{"rfc5034-4-invalid-base64", "5034", "4", Level::must,
          "A response that is not base64 ends the exchange with -ERR",
          "If the server cannot Base64 decode a client response, it MUST reject the AUTH "
          "command with an -ERR reply.",
          0,
          "rules:\n"
          "  - {command: AUTH, arguments: '^PLAIN$', append: \"+ \"}\n"},
         invalidBase64Refused},
        {{"rfc5034-4-challenge-base64", "5034", "4", Level::must,
          "Server challenges (PLAIN, LOGIN, CRAM-MD5) are base64 and nothing else",
          "This line MUST NOT contain any text other than the BASE64-encoded challenge.", 0,
          "rules:\n"
          "  - {command: AUTH, arguments: '^LOGIN$', reply: \"+ Username:\"}\n"},
         challengesAreBase64},
    };
}

} // namespace pop3::conformance
