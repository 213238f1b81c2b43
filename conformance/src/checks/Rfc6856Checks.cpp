// RFC 6856: the UTF8 capability and command (§2) and the LANG capability and command (§3).
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "CheckSupport.h"

namespace pop3::conformance {

namespace {

/// A language tag as RFC 5646 shapes it: subtags of 1 to 8 letters or digits joined by "-", the
/// first one letters only ("en", "en-boont", "i-default", "zh-Hant-TW").
bool isLanguageTag(std::string_view tag) {
    std::size_t start = 0;
    bool first = true;
    while (true) {
        const std::size_t dash = tag.find('-', start);
        const std::string_view subtag = tag.substr(start, dash - start);
        if (subtag.empty() || subtag.size() > 8)
            return false;
        for (char c : subtag) {
            const auto u = static_cast<unsigned char>(c);
            if (!(first ? std::isalpha(u) : std::isalnum(u)))
                return false;
        }
        if (dash == std::string_view::npos)
            return true;
        first = false;
        start = dash + 1;
    }
}

/// The language tags LANG lists, after checking the listing's shape.
std::vector<std::string> listedLanguages(CheckContext& c, Probe& probe) {
    const Reply reply = probe.command("LANG");
    c.expectOk(reply, "LANG without an argument");
    c.expect(!reply.body.empty(), "LANG lists no language", "one line per language",
             reply.describe());
    std::vector<std::string> tags;
    for (const std::string& line : reply.body) {
        const std::string tag = line.substr(0, line.find(' '));
        c.expect(isLanguageTag(tag), "a LANG listing line does not start with a language tag",
                 "<language tag> [SP description]", line);
        tags.push_back(tag);
    }
    return tags;
}

// --- the checks ---

void utf8CapabilityIsWellFormed(CheckContext& c) {
    c.requireCapability("UTF8");
    Probe probe = c.connect();
    const Reply before = probe.command("CAPA");
    c.expectOk(before, "CAPA");
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()), "the login");
    const Reply after = probe.command("CAPA");
    c.expectOk(after, "CAPA after login");
    probe.quit();
    for (const auto* reply : {&before, &after}) {
        const std::string* line = lineWithTag(reply->body, "UTF8");
        c.expect(line != nullptr, "UTF8 is not announced in both states", "UTF8 [USER]",
                 "no UTF8 line in " + reply->describe());
        c.expect(upper(*line) == "UTF8" || upper(*line) == "UTF8 USER",
                 "the UTF8 capability is malformed", "UTF8 or UTF8 USER", *line);
    }
}

void utf8CommandAccepted(CheckContext& c) {
    c.requireCapability("UTF8");
    Probe probe = c.connect();
    c.expectOk(probe.command("UTF8"), "UTF8 in the AUTHORIZATION state");
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()), "a login in UTF-8 mode");
    probe.quit();
}

void utf8RefusedAfterLogin(CheckContext& c) {
    c.requireCapability("UTF8");
    Probe probe = c.login();
    c.expectErr(probe.command("UTF8"), "UTF8 in the TRANSACTION state");
    c.expectOk(probe.command("NOOP"), "NOOP after the refused UTF8");
    probe.quit();
}

void langListsLanguages(CheckContext& c) {
    c.requireCapability("LANG");
    Probe probe = c.connect();
    c.note("languages: " + joined(listedLanguages(c, probe), " "));
    probe.quit();
}

void langRefusesAnUnsupportedLanguage(CheckContext& c) {
    c.requireCapability("LANG");
    Probe probe = c.connect();
    const std::vector<std::string> tags = listedLanguages(c, probe);
    // A private-use tag (RFC 5646 §2.2.7) that no server lists.
    const std::string unknown = "x-pop3conf";
    if (std::find(tags.begin(), tags.end(), unknown) != tags.end())
        c.skip("the server lists " + unknown);
    c.expectErr(probe.command("LANG " + unknown), "LANG with a language the server lacks");
    probe.quit();
}

void langListsIDefault(CheckContext& c) {
    c.requireCapability("LANG");
    Probe probe = c.connect();
    const std::vector<std::string> tags = listedLanguages(c, probe);
    const bool listed = std::any_of(
        tags.begin(), tags.end(), [](const std::string& tag) { return upper(tag) == "I-DEFAULT"; });
    c.expect(listed, "LANG does not list i-default", "a line \"i-default ...\"",
             "languages: " + joined(tags, " "));
    probe.quit();
}

void langSelectsAListedLanguage(CheckContext& c) {
    c.requireCapability("LANG");
    Probe probe = c.connect();
    const std::vector<std::string> tags = listedLanguages(c, probe);
    const Reply reply = probe.command("LANG " + tags.front());
    c.expectOk(reply, "LANG " + tags.front());
    const std::string selected = reply.status.text.substr(0, reply.status.text.find(' '));
    c.expect(std::find_if(tags.begin(), tags.end(),
                          [&](const std::string& tag) { return upper(tag) == upper(selected); }) !=
                 tags.end(),
             "the LANG reply does not start with the selected language tag",
             "+OK " + tags.front() + " ...", reply.describe());
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()), "a login after LANG");
    probe.quit();
}

} // namespace

std::vector<Check> rfc6856Checks() {
    return {
        {{"rfc6856-2-utf8-capability", "6856", "2", Level::must,
          "UTF8 is announced as \"UTF8\" or \"UTF8 USER\", before and after login",
          "Announced states / possible differences: both / no", 0,
          "rules:\n"
          "  - {command: CAPA, reply: \"+OK\\nTOP\\nUTF8 ALWAYS\\n.\\n\"}\n"},
         utf8CapabilityIsWellFormed},
        {{"rfc6856-2-utf8-command", "6856", "2", Level::must,
          "UTF8 before login gets +OK, and the login that follows works",
          "The UTF8 command switches the session from the ASCII-only mode of [RFC1939] to UTF-8 "
          "mode.",
          0,
          "rules:\n"
          "  - {command: UTF8, reply: \"-ERR not today\"}\n"},
         utf8CommandAccepted},
        {{"rfc6856-2-utf8-only-before-login", "6856", "2", Level::must,
          "UTF8 after login gets -ERR", "Commands valid in states: AUTHORIZATION", 0,
          "rules:\n"
          "  - {command: UTF8, reply: \"+OK\"}\n"},
         utf8RefusedAfterLogin},
        {{"rfc6856-3-lang-list", "6856", "3", Level::must,
          "LANG without an argument lists the languages, one \"tag description\" line each",
          "If no argument is given and the POP3 server issues a positive response, then the "
          "response given is multi-line. ... A language listing consists of the language tag "
          "[RFC5646] of the message, optionally followed by a single space and a human-readable "
          "description of the language in the language itself, using the UTF-8 charset.",
          0,
          "rules:\n"
          "  - {command: LANG, arguments: '^$', reply: \"-ERR no list\"}\n"},
         langListsLanguages},
        {{"rfc6856-3-lang-unsupported", "6856", "3", Level::must,
          "LANG with a language the server does not list gets -ERR",
          "If the command fails, the server returns an -ERR response and subsequent "
          "human-readable response text continues to use the language that was previously used.",
          0,
          "rules:\n"
          "  - {command: LANG, arguments: '^x-', reply: \"+OK x-pop3conf selected\"}\n"},
         langRefusesAnUnsupportedLanguage},
        {{"rfc6856-3-lang-i-default", "6856", "3", Level::must, "LANG lists i-default",
          "A server MUST include \"i-default\" as one of its supported languages.", 0,
          "rules:\n"
          "  - {command: LANG, arguments: '^$', reply: \"+OK\\nen English\\n.\\n\"}\n"},
         langListsIDefault},
        {{"rfc6856-3-lang-select", "6856", "3", Level::must,
          "LANG with a listed language gets +OK, the tag selected and the text, and the session "
          "goes on",
          "If the command succeeds, the server returns a +OK response followed by a single "
          "space, the exact language tag selected, and another space.",
          0,
          "rules:\n"
          "  - {command: LANG, arguments: '^[a-z]', reply: \"-ERR invalid language\"}\n"},
         langSelectsAListedLanguage},
    };
}

} // namespace pop3::conformance
