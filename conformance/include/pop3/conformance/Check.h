#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pop3::conformance {

class CheckContext;

/// How binding the requirement a check tests is. SEC marks robustness and security practice
/// that no RFC words as MUST but that the checker treats as one.
enum class Level { must, should, may, sec };

/// "MUST", "SHOULD", "MAY", "SEC".
std::string_view toString(Level level);

/// What a check needs beyond a reachable server and one account; a check whose needs the
/// target cannot meet is skipped with the reason.
enum Need : unsigned {
    /// Sends DELE and QUIT, or could lose mail on a faulty server: runs only with
    /// --allow-destructive, after the seed command.
    needsDestructive = 1U << 0,
    /// Logs in with a second account.
    needsSecondAccount = 1U << 1,
    /// Needs the plaintext port (STLS, plaintext policy).
    needsPlaintextPort = 1U << 2,
    /// Needs an implicit-TLS port.
    needsImplicitTls = 1U << 3,
    /// Takes minutes (the autologout timer): runs only with --slow.
    needsSlow = 1U << 4,
};

/// One requirement of an RFC, declared once: what `list-checks` prints and docs/checks.md
/// shows.
struct CheckInfo {
    /// Stable id: rfc<number>-<section>-<slug>, e.g. "rfc1939-5-retr-deleted".
    std::string id;
    /// "1939", "2449", ...
    std::string rfc;
    /// Section number as the RFC prints it, e.g. "5" or "6.6".
    std::string section;
    Level level = Level::must;
    /// One line: what the server must do.
    std::string summary;
    /// The RFC's own sentence (or the rule it implies, for SEC).
    std::string requirement;
    /// Need bits.
    unsigned needs = 0;
    /// A scenario fragment (YAML with `rules:` and/or `server:`) that makes the embedded mock
    /// break this requirement: the check must fail against it. Empty when none exists.
    std::string fault;
};

/// A check: its declaration and the code that tests it against a server.
struct Check {
    CheckInfo info;
    void (*run)(CheckContext&) = nullptr;
};

/// The catalogue, in report order: RFC by RFC, section by section.
const std::vector<Check>& catalogue();

/// The check with this id, or nullptr.
const Check* findCheck(std::string_view id);

/// The checks whose id matches one of `patterns` (shell globs: `*`, `?`, `[...]`); every
/// check when `patterns` is empty. Throws UsageError for a pattern that matches nothing.
std::vector<const Check*> selectChecks(const std::vector<std::string>& patterns);

/// The checks of one RFC family, concatenated by catalogue().
/// RFC 1939 §3, §4 and §7's AUTHORIZATION commands: greeting, framing, login.
std::vector<Check> rfc1939AuthorizationChecks();
/// RFC 1939 §5 and §6: the TRANSACTION commands, message numbers, deletion, UPDATE.
std::vector<Check> rfc1939TransactionChecks();
/// RFC 1939 §7's optional TOP and UIDL commands, and unique-ids across sessions.
std::vector<Check> rfc1939OptionalCommandChecks();
/// RFC 2449 (command length, CAPA, extensions, response codes) and RFC 3206.
std::vector<Check> rfc2449Checks();
/// RFC 5034 SASL.
std::vector<Check> rfc5034Checks();
/// RFC 2595 (STLS) and RFC 8314 (implicit TLS, versions, certificates).
std::vector<Check> tlsChecks();
/// RFC 6856 UTF8 and LANG.
std::vector<Check> rfc6856Checks();

} // namespace pop3::conformance
