#pragma once

// What the check families share: the exact wire formats RFC 1939 fixes, capability lines, and
// the listing, retrieval and deletion steps the RFC 1939 TRANSACTION checks build on.
#include "pop3/conformance/CheckContext.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pop3::conformance {

// ---- text ----

/// How long a check waits to see that nothing arrives.
constexpr std::chrono::milliseconds kQuietWait{500};

/// `text` in upper case.
std::string upper(std::string_view text);

/// Server text as a message quotes it: cut after 200 characters.
std::string quoted(std::string text);

/// `items` joined with `separator`; `none` when there are no items.
std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ",
                   std::string_view none = "(nothing)");

/// A message body as RETR/TOP deliver it: the lines joined with CRLF, each line ended.
std::string joinLines(const std::vector<std::string>& lines);

/// `who` with a password that is not theirs.
Account withWrongPassword(const Account& who);

// ---- capabilities ----

/// A capability line's tag, upper case ("SASL" for "SASL PLAIN LOGIN").
std::string tagOf(std::string_view line);

/// The line of a CAPA body whose tag is `tag` (upper case), or nullptr.
const std::string* lineWithTag(const std::vector<std::string>& lines, std::string_view tag);

/// The mechanisms a SASL capability line names, upper case ("SASL plain LOGIN" gives PLAIN,
/// LOGIN).
std::vector<std::string> saslMechanisms(std::string_view line);

// ---- RFC 1939 formats ----

/// Message number and size, as LIST lists them.
using Sizes = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
/// Message number and unique-id, as UIDL lists them.
using UniqueIds = std::vector<std::pair<std::uint64_t, std::string>>;

/// "NUMBER SP VALUE" exactly (one space, decimal number), as scan listings (RFC 1939 §5
/// LIST) and unique-id listings (§7 UIDL) are; nullopt otherwise.
std::optional<std::pair<std::uint64_t, std::string>> parseListingLine(std::string_view line);

/// A scan listing, "n size": RFC 1939 §5 allows more after the size.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parseScanListing(std::string_view line);

/// "+OK count octets" exactly (RFC 1939 §5 STAT's drop listing); nullopt otherwise.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parseStat(const Reply& reply);

/// The listing lines of a multi-line LIST or UIDL body; nullopt when one line is malformed.
std::optional<std::vector<std::pair<std::uint64_t, std::string>>>
parseListing(const std::vector<std::string>& body);

/// The status line after "+OK ".
std::string_view afterStatus(const Reply& reply);

/// A listing as a message shows it: "1 120, 2 98", or "(none)".
template <typename Entries> std::string describe(const Entries& entries) {
    std::ostringstream out;
    for (const auto& [number, value] : entries)
        out << (out.tellp() > 0 ? ", " : "") << number << ' ' << value;
    return entries.empty() ? "(none)" : quoted(out.str());
}

/// `entries` without the message numbered `number`, the others keeping their numbers.
template <typename Entries> Entries without(const Entries& entries, std::uint64_t number) {
    Entries kept;
    for (const auto& entry : entries) {
        if (entry.first != number)
            kept.push_back(entry);
    }
    return kept;
}

// ---- TRANSACTION steps: each fails the check unless the server answers as RFC 1939 says ----

/// Checks that read whole messages read at most this many (see fetchable()).
constexpr std::size_t kMaxFetched = 20;

/// STAT: the message count and the maildrop size.
std::pair<std::uint64_t, std::uint64_t> readStat(CheckContext& c, Probe& probe);

/// LIST without argument.
Sizes scanListings(CheckContext& c, Probe& probe);

/// UIDL without argument.
UniqueIds uniqueIdListings(CheckContext& c, Probe& probe);

/// UIDL n: the unique-id, failing unless the reply is "+OK n unique-id".
std::string uidlOne(CheckContext& c, Probe& probe, std::uint64_t number);

/// RETR n: the message's lines.
std::vector<std::string> retrieve(CheckContext& c, Probe& probe, std::uint64_t number);

/// DELE n.
void markDeleted(CheckContext& c, Probe& probe, std::uint64_t number);

/// Sends each command line and fails unless every one gets -ERR.
void expectRefused(CheckContext& c, Probe& probe, const std::vector<std::string>& lines);

/// `keyword` 0 and `keyword` of the number past the last message get -ERR.
void expectNoSuchMessageRefused(CheckContext& c, const std::string& keyword);

/// `line` about message 1, once it is marked deleted, gets -ERR; the session then ends
/// unchanged. `what` names the command in the message.
void expectRefusedWhenDeleted(CheckContext& c, const std::string& line, const std::string& what);

/// The messages of a listing that a check reads whole: the first kMaxFetched that fit in 4 MiB.
/// Skips when not even the first fits.
Sizes fetchable(CheckContext& c, const Sizes& sizes);

/// A new session of the primary account. A server may need a moment to notice that the
/// previous connection went away and free the maildrop, so a refusal is retried briefly.
Probe loginAgain(CheckContext& c);

/// Ends a session that marked messages without committing anything: RSET, then QUIT.
void endUnchanged(CheckContext& c, Probe& probe);

/// After DELE 1, the listing `keyword` (LIST or UIDL) sends, read by `listing`, leaves message 1
/// out and the others as they were, and `keyword` 1 gets -ERR; the session then ends unchanged.
template <typename Entries>
void expectListingLeavesOutDeleted(CheckContext& c, const std::string& keyword,
                                   Entries (*listing)(CheckContext&, Probe&)) {
    c.requireMessages(2);
    Probe probe = c.login();
    const Entries before = listing(c, probe);
    markDeleted(c, probe, 1);
    const Entries expected = without(before, 1);
    const Entries after = listing(c, probe);
    c.expect(after == expected, keyword + " still lists the message marked deleted",
             describe(expected), describe(after));
    c.expectErr(probe.command(keyword + " 1"), keyword + " of the message marked deleted");
    endUnchanged(c, probe);
}

} // namespace pop3::conformance
