// RFC 2449 (the command length, CAPA, the initial capabilities, extended response codes) and
// RFC 3206 (the SYS and AUTH response codes).
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "CheckSupport.h"

namespace pop3::conformance {

namespace {

/// The words of a capability line split at single spaces (empty words where spaces double).
std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t space = line.find(' ', start);
        out.emplace_back(line.substr(start, space - start));
        if (space == std::string_view::npos)
            return out;
        start = space + 1;
    }
}

bool isDigits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

void requireCapa(CheckContext& c) {
    if (!c.server().capabilities)
        c.skip("the server has no CAPA (RFC 2449 is optional)");
}

/// CAPA before and after logging in, on one connection.
struct CapaInBothStates {
    std::vector<std::string> before;
    std::vector<std::string> after;
};

CapaInBothStates capaInBothStates(CheckContext& c) {
    requireCapa(c);
    Probe probe = c.connect();
    const Reply before = probe.command("CAPA");
    c.expectOk(before, "CAPA in the AUTHORIZATION state");
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()), "the login");
    const Reply after = probe.command("CAPA");
    c.expectOk(after, "CAPA in the TRANSACTION state");
    probe.quit();
    return {before.body, after.body};
}

/// Checks the "VALUE [USER]" form LOGIN-DELAY and EXPIRE share: USER only before login.
void checkPerUserValue(CheckContext& c, std::string_view tag, bool (*valid)(std::string_view)) {
    const CapaInBothStates capa = capaInBothStates(c);
    const std::string* before = lineWithTag(capa.before, tag);
    if (before == nullptr)
        c.skip("CAPA does not list " + std::string(tag));
    const std::string form = std::string(tag) + " <value> [USER]";
    const std::vector<std::string> b = words(*before);
    c.expect(b.size() >= 2 && b.size() <= 3 && valid(b[1]) && (b.size() == 2 || b[2] == "USER"),
             std::string(tag) + " before login is malformed", form, *before);
    const std::string* after = lineWithTag(capa.after, tag);
    if (after == nullptr) {
        c.warn(std::string(tag) + " is announced before login but not after it");
        return;
    }
    const std::vector<std::string> a = words(*after);
    c.expect(a.size() == 2 && valid(a[1]),
             std::string(tag) + " after login must carry the value alone (USER only in the "
                                "AUTHORIZATION state)",
             std::string(tag) + " <value>", *after);
}

bool isLoginDelayValue(std::string_view value) {
    return isDigits(value);
}

bool isExpireValue(std::string_view value) {
    return value == "NEVER" || isDigits(value);
}

// --- the checks ---

void commandLineOf255Octets(CheckContext& c) {
    if (!c.server().capabilities)
        c.skip("the server has no CAPA; the 255-octet rule binds servers with CAPA");
    // "LIST 000...01": 255 octets with CRLF. A server that takes the short form with a leading
    // zero must take the long one.
    const std::string longLine = "LIST " + std::string(247, '0') + "1";
    if (!c.messages().empty()) {
        Probe probe = c.login();
        if (probe.command("LIST 01").ok()) {
            const Reply reply = probe.command(longLine);
            c.expect(reply.ok(), "a 255-octet command line was refused; its short form was not",
                     "+OK 1 <size>", reply.describe());
            probe.quit();
            return;
        }
        probe.quit();
    }
    // No determinate reply to compare with: the line must get one reply and leave the session
    // usable.
    Probe probe = c.connect();
    const Reply user = probe.command("USER " + std::string(248, 'x'));
    c.expect(user.complete(), "no single reply to a 255-octet USER line", "+OK or -ERR",
             user.describe());
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()),
               "the login after a 255-octet USER line");
    probe.quit();
}

void capaWorksInBothStates(CheckContext& c) {
    capaInBothStates(c);
}

void authorizationCapabilitiesStayAfterLogin(CheckContext& c) {
    const CapaInBothStates capa = capaInBothStates(c);
    // Capabilities whose commands only exist before login (USER, SASL, STLS, UTF8) or that only
    // concern the login (AUTH-RESP-CODE) may leave the list.
    static const std::set<std::string> kLoginOnly{"USER", "SASL", "STLS", "UTF8", "AUTH-RESP-CODE"};
    std::vector<std::string> missing;
    for (const std::string& line : capa.before) {
        const std::string tag = tagOf(line);
        if (kLoginOnly.count(tag) == 0 && lineWithTag(capa.after, tag) == nullptr)
            missing.push_back(tag);
    }
    c.expect(missing.empty(), "capabilities announced before login are missing after it",
             "every AUTHORIZATION capability listed again", "missing: " + joined(missing));
}

void capabilityLinesAreWellFormed(CheckContext& c) {
    const CapaInBothStates capa = capaInBothStates(c);
    auto check = [&](const std::vector<std::string>& lines, std::string_view state) {
        for (const std::string& line : lines) {
            const std::vector<std::string> w = words(line);
            const bool tagOk = std::all_of(w[0].begin(), w[0].end(), [](char ch) {
                const auto u = static_cast<unsigned char>(ch);
                return u >= 0x21 && u <= 0x7F && ch != '.';
            });
            const bool paramsOk = std::all_of(w.begin(), w.end(), [](const std::string& word) {
                return !word.empty() && std::all_of(word.begin(), word.end(), [](char ch) {
                    const auto u = static_cast<unsigned char>(ch);
                    return u >= 0x21 && u <= 0x7F;
                });
            });
            c.expect(tagOk && paramsOk && line.size() + 2 <= 512,
                     "a capability line " + std::string(state) + " is malformed",
                     "capa-tag *(SP param), printable ASCII, at most 512 octets with CRLF", line);
        }
    };
    check(capa.before, "before login");
    check(capa.after, "after login");
}

void advertisedCommandsWork(CheckContext& c) {
    requireCapa(c);
    Probe probe = c.login();
    if (c.hasCapability("UIDL")) {
        const Reply uidl = probe.command("UIDL");
        c.expectOk(uidl, "UIDL (CAPA lists UIDL)");
    }
    if (c.hasCapability("TOP") && !c.messages().empty()) {
        const Reply top = probe.command("TOP 1 0");
        c.expectOk(top, "TOP 1 0 (CAPA lists TOP)");
    }
    probe.quit();
    if (c.hasCapability("USER") && c.server().loginMethod != LoginMethod::userPass) {
        Probe second = c.connect();
        const Reply login = c.authenticate(second, LoginMethod::userPass, c.account());
        if (!login.ok())
            c.warn("CAPA lists USER but USER/PASS is refused for " + c.account().user + ": " +
                   login.describe());
        second.quit();
    }
}

void responseCodesAreWellFormed(CheckContext& c) {
    c.requireCapability("RESP-CODES");
    std::vector<std::pair<std::string, Reply>> seen;
    {
        Probe probe = c.connect();
        seen.emplace_back("the greeting", probe.greeting());
        for (const char* line : {"STAT", "XYZZ", "AUTH X-POP3-CONFORM-NONE"})
            seen.emplace_back(line, probe.command(line));
        seen.emplace_back(
            "a login with a wrong password",
            c.authenticate(probe, c.server().loginMethod, withWrongPassword(c.account())));
        probe.close();
    }
    Probe probe = c.login();
    const std::string beyond = std::to_string(c.messages().size() + 1);
    for (const std::string& line :
         {"RETR " + beyond, "LIST " + beyond, std::string("LIST 0"), std::string("TOP x 0"),
          "USER " + c.account().user, std::string("NOOP"), std::string("STAT")})
        seen.emplace_back(line, probe.command(line));
    probe.quit();
    for (const auto& [what, reply] : seen) {
        if (!reply.complete() || reply.continuation)
            continue;
        const bool bracket = !reply.status.text.empty() && reply.status.text.front() == '[';
        c.expect(!(reply.status.code.empty() && bracket),
                 "the reply to " + what + " starts with '[' but is no well-formed response code",
                 "[resp-level *(\"/\" resp-level)] text", reply.describe());
    }
}

void pipelinedCommandsAreAnsweredInOrder(CheckContext& c) {
    c.requireCapability("PIPELINING");
    Probe probe = c.login();
    const bool uidl = c.hasCapability("UIDL");
    const bool one = !c.messages().empty();
    std::string batch = "NOOP\r\nSTAT\r\nLIST\r\n";
    if (uidl)
        batch += "UIDL\r\n";
    if (one)
        batch += "LIST 1\r\n";
    batch += "QUIT\r\n";
    probe.send(batch);
    c.expectOk(probe.read(ResponseKind::SingleLine), "the pipelined NOOP");
    const Reply stat = probe.read(ResponseKind::SingleLine);
    c.expect(parseStat(stat).has_value(), "the second pipelined reply is not STAT's",
             "+OK count octets", stat.describe());
    const Reply list = probe.read(ResponseKind::MultiLine);
    c.expect(list.ok() && parseListing(list.body).has_value(),
             "the third pipelined reply is not LIST's listing", "+OK and a scan listing",
             list.describe());
    if (uidl) {
        const Reply listing = probe.read(ResponseKind::MultiLine);
        c.expect(listing.ok() && parseListing(listing.body).has_value(),
                 "the pipelined UIDL was not answered in turn", "+OK and a unique-id listing",
                 listing.describe());
    }
    if (one) {
        const Reply first = probe.read(ResponseKind::SingleLine);
        c.expect(first.ok() && first.status.text.rfind("1 ", 0) == 0,
                 "the pipelined LIST 1 was not answered in turn", "+OK 1 size", first.describe());
    }
    c.expectOk(probe.read(ResponseKind::SingleLine), "the pipelined QUIT");
}

void loginDelaySyntax(CheckContext& c) {
    checkPerUserValue(c, "LOGIN-DELAY", isLoginDelayValue);
}

void expireSyntax(CheckContext& c) {
    checkPerUserValue(c, "EXPIRE", isExpireValue);
    const std::string* line = lineWithTag(*c.server().capabilities, "EXPIRE");
    if (line != nullptr && words(*line).size() >= 2 && words(*line)[1] == "0")
        c.note("EXPIRE 0: clients must not leave mail on the server");
}

void implementationHasAnArgument(CheckContext& c) {
    const CapaInBothStates capa = capaInBothStates(c);
    const std::string* before = lineWithTag(capa.before, "IMPLEMENTATION");
    const std::string* after = lineWithTag(capa.after, "IMPLEMENTATION");
    if (before == nullptr && after == nullptr)
        c.skip("CAPA does not list IMPLEMENTATION");
    for (const std::string* line : {before, after}) {
        if (line != nullptr)
            c.expect(words(*line).size() >= 2 && !words(*line)[1].empty(),
                     "IMPLEMENTATION has no argument", "IMPLEMENTATION <server information>",
                     *line);
    }
    c.note(before != nullptr ? *before : *after);
}

void loginDelayRefusalCarriesItsCode(CheckContext& c) {
    requireCapa(c);
    Probe first = c.connect();
    const Reply capa = first.command("CAPA");
    c.expectOk(capa, "CAPA");
    if (lineWithTag(capa.body, "LOGIN-DELAY") == nullptr)
        c.skip("CAPA does not list LOGIN-DELAY");
    const bool respCodes = lineWithTag(capa.body, "RESP-CODES") != nullptr;
    Reply login = c.authenticate(first, c.server().loginMethod, c.account());
    first.quit();
    if (login.ok()) {
        Probe second = c.connect();
        login = c.authenticate(second, c.server().loginMethod, c.account());
        second.quit();
    }
    if (login.ok()) {
        c.note("two logins in a row were accepted: LOGIN-DELAY is announced, not enforced");
        return;
    }
    if (!respCodes)
        c.skip("a login was refused, but CAPA does not list RESP-CODES");
    if (!login.code().empty() && login.code() != "LOGIN-DELAY")
        c.skip("the login was refused for another reason: " + login.describe());
    c.expect(login.code() == "LOGIN-DELAY", "a login refused soon after another has no code",
             "-ERR [LOGIN-DELAY] ...", login.describe());
}

void authCodeOnBadCredentials(CheckContext& c) {
    c.requireCapability("AUTH-RESP-CODE");
    const Account wrong = withWrongPassword(c.account());
    std::vector<LoginMethod> methods{c.server().loginMethod};
    const std::optional<std::string> sasl = c.capability("SASL");
    if (c.server().loginMethod != LoginMethod::saslPlain && sasl) {
        const std::vector<std::string> mechanisms = saslMechanisms(*sasl);
        if (std::find(mechanisms.begin(), mechanisms.end(), "PLAIN") != mechanisms.end())
            methods.push_back(LoginMethod::saslPlain);
    }
    for (const LoginMethod method : methods) {
        Probe probe = c.connect();
        const Reply reply = c.authenticate(probe, method, wrong);
        c.expect(reply.err() && reply.code() == "AUTH",
                 "a login with a wrong password is refused without the AUTH code",
                 "-ERR [AUTH] ...", reply.describe());
        probe.close();
    }
}

} // namespace

std::vector<Check> rfc2449Checks() {
    return {
        {{"rfc2449-4-command-line-255-octets", "2449", "4", Level::must,
          "A command line of 255 octets, CRLF included, is accepted",
          "Servers which support the CAPA command MUST support commands up to 255 octets.", 0,
          "server:\n"
          "  limits: {maxCommandLine: 128}\n"},
         commandLineOf255Octets},
        {{"rfc2449-5-capa-both-states", "2449", "5", Level::must,
          "CAPA answers +OK and a capability list ended by \".\", before and after login",
          "An +OK response is followed by a list of capabilities, one per line. ... The "
          "capability list is terminated by a line containing a termination octet (\".\") and a "
          "CRLF pair.",
          0,
          "rules:\n"
          "  - {command: CAPA, occurrence: 2, reply: \"-ERR not after login\"}\n"},
         capaWorksInBothStates},
        {{"rfc2449-5-capa-kept-after-login", "2449", "5", Level::must,
          "Capabilities listed before login are listed after it too (USER, SASL, STLS, UTF8 and "
          "AUTH-RESP-CODE excepted: they concern the login)",
          "Capabilities available in the AUTHORIZATION state MUST be announced in both states.", 0,
          "rules:\n"
          "  - {command: CAPA, occurrence: 2, reply: \"+OK\\nUSER\\n.\\n\"}\n"},
         authorizationCapabilitiesStayAfterLogin},
        {{"rfc2449-5-capa-line-syntax", "2449", "5", Level::must,
          "Each CAPA line is a tag and single-space-separated parameters of printable ASCII, at "
          "most 512 octets",
          "Each capability name MAY be followed by a single space and a space-separated list of "
          "parameters. Each capability line is limited to 512 octets (including the CRLF).",
          0,
          "rules:\n"
          "  - {command: CAPA, reply: \"+OK\\nTOP\\nUIDL  two-spaces\\n.\\n\"}\n"},
         capabilityLinesAreWellFormed},
        {{"rfc2449-6-advertised-commands-work", "2449", "6", Level::must,
          "UIDL and TOP work when CAPA lists them; USER/PASS is tried when USER is listed",
          "The TOP capability indicates the optional TOP command is available. ... The USER "
          "capability indicates that the USER and PASS commands ... are supported, although they "
          "may not be available to all users. ... The UIDL capability indicates that the "
          "optional UIDL command is supported.",
          0,
          "rules:\n"
          "  - {command: UIDL, reply: \"-ERR not implemented\"}\n"},
         advertisedCommandsWork},
        {{"rfc2449-6.4-resp-codes-well-formed", "2449", "6.4", Level::must,
          "With RESP-CODES, every reply text that starts with \"[\" is a well-formed response "
          "code",
          "The RESP-CODES capability indicates that any response text issued by this server "
          "which begins with an open square bracket (\"[\") is an extended response code (see "
          "section 8).",
          0,
          "rules:\n"
          "  - {command: RETR, reply: \"-ERR [NO SUCH MESSAGE] try a smaller number\"}\n"},
         responseCodesAreWellFormed},
        {{"rfc2449-6.5-login-delay-syntax", "2449", "6.5", Level::must,
          "LOGIN-DELAY carries a decimal number of seconds; USER follows it only before login",
          "Arguments: minimum seconds between logins; optionally followed by USER in "
          "AUTHORIZATION state",
          0,
          "rules:\n"
          "  - {command: CAPA, occurrence: 2, reply: \"+OK\\nTOP\\nLOGIN-DELAY 0 USER\\n.\\n\"}\n"},
         loginDelaySyntax},
        {{"rfc2449-6.6-pipelining", "2449", "6.6", Level::must,
          "With PIPELINING, commands sent in one write (NOOP, STAT, LIST, UIDL, LIST 1, QUIT) "
          "are all answered, in order",
          "If a server supports PIPELINING, it MUST process each command in turn.", 0,
          "rules:\n"
          "  - {command: \"*\", fault: ignorePipelining}\n"},
         pipelinedCommandsAreAnsweredInOrder},
        {{"rfc2449-6.7-expire-syntax", "2449", "6.7", Level::must,
          "EXPIRE carries a decimal number of days or NEVER; USER follows it only before login",
          "Arguments: server-guaranteed minimum retention days, or NEVER; optionally followed "
          "by USER in AUTHORIZATION state",
          0,
          "rules:\n"
          "  - {command: CAPA, reply: \"+OK\\nTOP\\nEXPIRE sometimes\\n.\\n\"}\n"},
         expireSyntax},
        {{"rfc2449-6.9-implementation-syntax", "2449", "6.9", Level::should,
          "IMPLEMENTATION carries a string that identifies the server",
          "Arguments: string giving server implementation information", 0,
          "rules:\n"
          "  - {command: CAPA, reply: \"+OK\\nTOP\\nIMPLEMENTATION\\n.\\n\"}\n"},
         implementationHasAnArgument},
        {{"rfc2449-8.1.1-login-delay-code", "2449", "8.1.1", Level::should,
          "A login refused because of LOGIN-DELAY carries [LOGIN-DELAY] (when RESP-CODES is "
          "listed); an unenforced delay is noted",
          "This occurs on an -ERR response to an AUTH, USER (see note), PASS or APOP command and "
          "indicates that the user has logged in recently and will not be allowed to login "
          "again until the login delay period has expired.",
          0,
          "server:\n"
          "  limits: {loginDelaySeconds: 600}\n"
          "rules:\n"
          "  - {command: \"*\", fault: noResponseCodes}\n"},
         loginDelayRefusalCarriesItsCode},
        {{"rfc3206-6-auth-resp-code", "3206", "6", Level::should,
          "With AUTH-RESP-CODE, a login with a wrong password gets -ERR [AUTH]",
          "The AUTH-RESP-CODE capability indicates that the server includes the AUTH response "
          "code with any authentication error caused by a problem with the user's credentials.",
          0,
          "rules:\n"
          "  - {command: \"*\", fault: noResponseCodes}\n"},
         authCodeOnBadCredentials},
    };
}

} // namespace pop3::conformance
