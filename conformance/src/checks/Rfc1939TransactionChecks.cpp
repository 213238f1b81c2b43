// RFC 1939 §5 (the TRANSACTION state), §6 (UPDATE) and §7's TOP and UIDL: listings,
// retrieval, deletion marks, what QUIT commits, and unique-ids across sessions.
#include "pop3/Command.h"
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "CheckSupport.h"

namespace pop3::conformance {

namespace {

/// Message number and size, as LIST lists them.
using Sizes = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
/// Message number and unique-id, as UIDL lists them.
using UniqueIds = std::vector<std::pair<std::uint64_t, std::string>>;

/// Checks that read whole messages read at most this many, and no more octets than this.
constexpr std::size_t kMaxFetched = 20;
constexpr std::uint64_t kMaxFetchedOctets = 4 * 1024 * 1024;
/// TOP checks look at this many messages.
constexpr std::size_t kTopMessages = 5;
/// A server may take a moment to notice that a connection went away and free the maildrop.
constexpr int kLoginAttempts = 15;
constexpr std::chrono::milliseconds kLoginPause{200};
/// Longest piece of server text quoted in a message.
constexpr std::size_t kQuoted = 200;
/// RFC 1939 §7: a unique-id is 1 to 70 characters in 0x21..0x7E.
constexpr std::size_t kMaxUniqueId = 70;

std::string quoted(std::string text) {
    if (text.size() > kQuoted) {
        text.resize(kQuoted);
        text += "...";
    }
    return text;
}

template <typename Entries> std::string describe(const Entries& entries) {
    std::ostringstream out;
    for (const auto& [number, value] : entries)
        out << (out.tellp() > 0 ? ", " : "") << number << ' ' << value;
    return entries.empty() ? "(none)" : quoted(out.str());
}

std::string lineCount(std::size_t lines) {
    return std::to_string(lines) + (lines == 1 ? " line" : " lines");
}

/// The status line after "+OK ".
std::string_view afterStatus(const Reply& reply) {
    const std::string_view line = reply.statusLine;
    return line.size() > 4 ? line.substr(4) : std::string_view{};
}

/// A scan listing, "n size": RFC 1939 §5 allows more after the size.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parseScanListing(std::string_view line) {
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos)
        return std::nullopt;
    const std::string_view rest = line.substr(space + 1);
    const std::optional<std::uint64_t> number = parseDecimal(line.substr(0, space));
    const std::optional<std::uint64_t> size = parseDecimal(rest.substr(0, rest.find(' ')));
    if (!number || !size)
        return std::nullopt;
    return std::make_pair(*number, *size);
}

std::pair<std::uint64_t, std::uint64_t> readStat(CheckContext& c, Probe& probe) {
    const Reply reply = probe.command("STAT");
    c.expectOk(reply, "STAT");
    const auto drop = parseStat(reply);
    c.expect(drop.has_value(), "STAT's reply is not a drop listing", "+OK <count> <octets>",
             reply.describe());
    return *drop;
}

std::string describeDrop(const std::pair<std::uint64_t, std::uint64_t>& drop) {
    return "+OK " + std::to_string(drop.first) + " " + std::to_string(drop.second);
}

/// LIST without argument.
Sizes scanListings(CheckContext& c, Probe& probe) {
    const Reply reply = probe.command("LIST");
    c.expectOk(reply, "LIST");
    Sizes sizes;
    for (const std::string& line : reply.body) {
        const auto entry = parseScanListing(line);
        c.expect(entry.has_value(), "a line of LIST is not a scan listing",
                 "<message-number> <size>", quoted(line));
        sizes.push_back(*entry);
    }
    return sizes;
}

/// UIDL without argument.
UniqueIds uniqueIdListings(CheckContext& c, Probe& probe) {
    const Reply reply = probe.command("UIDL");
    c.expectOk(reply, "UIDL");
    UniqueIds ids;
    for (const std::string& line : reply.body) {
        auto entry = parseListingLine(line);
        c.expect(entry.has_value(), "a line of UIDL is not a unique-id listing",
                 "<message-number> <unique-id>", quoted(line));
        ids.push_back(std::move(*entry));
    }
    return ids;
}

/// LIST n: the size, failing unless the reply is "+OK n size".
std::uint64_t listOne(CheckContext& c, Probe& probe, std::uint64_t number) {
    const std::string line = "LIST " + std::to_string(number);
    const Reply reply = probe.command(line);
    c.expectOk(reply, line);
    const auto entry = parseScanListing(afterStatus(reply));
    c.expect(entry && entry->first == number,
             line + " is not answered with the scan listing of message " + std::to_string(number),
             "+OK " + std::to_string(number) + " <size>", reply.describe());
    return entry->second;
}

/// UIDL n: the unique-id, failing unless the reply is "+OK n unique-id".
std::string uidlOne(CheckContext& c, Probe& probe, std::uint64_t number) {
    const std::string line = "UIDL " + std::to_string(number);
    const Reply reply = probe.command(line);
    c.expectOk(reply, line);
    auto entry = parseListingLine(afterStatus(reply));
    c.expect(entry && entry->first == number,
             line + " is not answered with the unique-id listing of message " +
                 std::to_string(number),
             "+OK " + std::to_string(number) + " <unique-id>", reply.describe());
    return std::move(entry->second);
}

std::vector<std::string> retrieve(CheckContext& c, Probe& probe, std::uint64_t number) {
    const std::string line = "RETR " + std::to_string(number);
    const Reply reply = probe.command(line);
    c.expectOk(reply, line);
    return reply.body;
}

std::vector<std::string> top(CheckContext& c, Probe& probe, std::uint64_t number,
                             std::uint64_t lines) {
    const std::string line = "TOP " + std::to_string(number) + " " + std::to_string(lines);
    const Reply reply = probe.command(line);
    c.expectOk(reply, line);
    return reply.body;
}

/// Sends each command line and fails unless every one gets -ERR.
void expectRefused(CheckContext& c, Probe& probe, const std::vector<std::string>& lines) {
    for (const std::string& line : lines)
        c.expectErr(probe.command(line), line);
}

/// The messages of a listing that a check reads whole: the first kMaxFetched that fit in
/// kMaxFetchedOctets. Skips when not even the first fits.
Sizes fetchable(CheckContext& c, const Sizes& sizes) {
    Sizes chosen;
    std::uint64_t octets = 0;
    for (const auto& entry : sizes) {
        if (chosen.size() == kMaxFetched || octets + entry.second > kMaxFetchedOctets) {
            c.note("read the first " + std::to_string(chosen.size()) + " of " +
                   std::to_string(sizes.size()) + " messages");
            break;
        }
        chosen.push_back(entry);
        octets += entry.second;
    }
    if (chosen.empty())
        c.skip(sizes.empty() ? "the maildrop is empty"
                             : "the first message is larger than " +
                                   std::to_string(kMaxFetchedOctets) + " octets");
    return chosen;
}

/// Where `actual` first differs from `expected`; empty when they are equal.
std::string difference(const std::vector<std::string>& expected,
                       const std::vector<std::string>& actual) {
    const std::size_t common = std::min(expected.size(), actual.size());
    for (std::size_t i = 0; i < common; ++i) {
        if (expected[i] != actual[i])
            return "line " + std::to_string(i + 1) + " is \"" + quoted(actual[i]) +
                   "\" instead of \"" + quoted(expected[i]) + "\"";
    }
    if (expected.size() != actual.size())
        return lineCount(actual.size()) + " instead of " + std::to_string(expected.size());
    return {};
}

/// A message as RETR delivers it, split at the blank line that ends the header.
struct MessageLines {
    std::vector<std::string> header;
    std::vector<std::string> body;
    /// Whether a blank line separates the header from a body.
    bool separated = false;

    explicit MessageLines(const std::vector<std::string>& lines) {
        const auto blank = std::find(lines.begin(), lines.end(), std::string());
        header.assign(lines.begin(), blank);
        separated = blank != lines.end();
        if (separated)
            body.assign(blank + 1, lines.end());
    }

    /// What TOP with this line count must send (RFC 1939 §7).
    std::vector<std::string> top(std::uint64_t count) const {
        std::vector<std::string> lines = header;
        if (separated) {
            lines.emplace_back();
            const std::size_t taken =
                static_cast<std::size_t>(std::min<std::uint64_t>(count, body.size()));
            lines.insert(lines.end(), body.begin(),
                         body.begin() + static_cast<std::ptrdiff_t>(taken));
        }
        return lines;
    }
};

/// The first messages of the maildrop, read with RETR, that `wanted` accepts; at most
/// kTopMessages. Skips with `none` when no message qualifies.
std::vector<std::pair<std::uint64_t, MessageLines>> messagesFor(CheckContext& c, Probe& probe,
                                                                bool (*wanted)(const MessageLines&),
                                                                const std::string& none) {
    std::vector<std::pair<std::uint64_t, MessageLines>> chosen;
    for (const auto& entry : fetchable(c, scanListings(c, probe))) {
        MessageLines message(retrieve(c, probe, entry.first));
        if (wanted(message))
            chosen.emplace_back(entry.first, std::move(message));
        if (chosen.size() == kTopMessages)
            break;
    }
    if (chosen.empty())
        c.skip(none);
    return chosen;
}

/// Compares TOP n `count` with what RETR n says it must be.
void expectTop(CheckContext& c, Probe& probe, std::uint64_t number, const MessageLines& message,
               std::uint64_t count, const std::string& what) {
    const std::vector<std::string> expected = message.top(count);
    const std::vector<std::string> actual = top(c, probe, number, count);
    const std::string diff = difference(expected, actual);
    c.expect(diff.empty(),
             "TOP " + std::to_string(number) + " " + std::to_string(count) + " is not " + what +
                 ": " + diff,
             lineCount(expected.size()) + " as RETR " + std::to_string(number) + " has them",
             lineCount(actual.size()));
}

/// What a session sees of the maildrop: LIST, and UIDL when the server has it.
struct Snapshot {
    Sizes sizes;
    UniqueIds ids;

    bool operator==(const Snapshot& other) const {
        return sizes == other.sizes && ids == other.ids;
    }
    std::string describe() const {
        return "LIST: " + conformance::describe(sizes) +
               (ids.empty() ? "" : "; UIDL: " + conformance::describe(ids));
    }
};

Snapshot snapshot(CheckContext& c, Probe& probe) {
    Snapshot seen;
    seen.sizes = scanListings(c, probe);
    if (c.hasCapability("UIDL"))
        seen.ids = uniqueIdListings(c, probe);
    return seen;
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

/// The values of a listing in order, numbered from 1 again: what the next session lists.
template <typename Entries> Entries renumbered(const Entries& entries) {
    Entries next;
    std::uint64_t number = 0;
    for (const auto& entry : entries)
        next.emplace_back(++number, entry.second);
    return next;
}

/// A new session of the primary account. A server may need a moment to notice that the
/// previous connection went away and free the maildrop, so a refusal is retried briefly.
Probe loginAgain(CheckContext& c) {
    Reply reply;
    for (int attempt = 0; attempt < kLoginAttempts; ++attempt) {
        if (attempt > 0)
            std::this_thread::sleep_for(kLoginPause);
        Probe probe = c.connect();
        reply = c.authenticate(probe, c.server().loginMethod, c.account());
        if (reply.ok())
            return probe;
        if (reply.code() == "LOGIN-DELAY")
            c.skip("the server enforces LOGIN-DELAY between sessions");
        probe.close();
    }
    c.fail("the maildrop was still locked " + std::to_string(kLoginAttempts * kLoginPause.count()) +
               " ms after the previous session ended",
           "+OK", reply.describe());
}

/// Ends a session that marked messages without committing anything: RSET, then QUIT.
void endUnchanged(CheckContext& c, Probe& probe) {
    c.expectOk(probe.command("RSET"), "RSET");
    probe.quit();
}

void markDeleted(CheckContext& c, Probe& probe, std::uint64_t number) {
    const std::string line = "DELE " + std::to_string(number);
    c.expectOk(probe.command(line), line);
}

// §5 STAT and LIST

void statIsADropListing(CheckContext& c) {
    Probe probe = c.login();
    const Reply reply = probe.command("STAT");
    c.expectOk(reply, "STAT");
    c.expect(parseStat(reply).has_value(), "STAT's reply is not a drop listing",
             "+OK <count> <octets>", reply.describe());
    probe.quit();
}

void statMatchesList(CheckContext& c) {
    Probe probe = c.login();
    const auto drop = readStat(c, probe);
    const Sizes sizes = scanListings(c, probe);
    std::uint64_t octets = 0;
    for (const auto& entry : sizes)
        octets += entry.second;
    probe.quit();
    const std::string listed = describeDrop({sizes.size(), octets});
    c.expect(drop.first == sizes.size(), "STAT's message count is not the number LIST lists",
             listed, describeDrop(drop));
    c.expect(drop.second == octets, "STAT's maildrop size is not the sum of LIST's sizes", listed,
             describeDrop(drop));
}

void listGivesScanListings(CheckContext& c) {
    Probe probe = c.login();
    const Reply reply = probe.command("LIST");
    c.expectOk(reply, "LIST");
    bool extra = false;
    for (const std::string& line : reply.body) {
        c.expect(parseScanListing(line).has_value(), "a line of LIST is not a scan listing",
                 "<message-number> <size>, in decimal with one space", quoted(line));
        extra = extra || line.find(' ') != line.rfind(' ');
    }
    probe.quit();
    if (extra)
        c.warn("LIST puts text after the sizes, which RFC 1939 §5 strongly discourages");
}

void listOneMessage(CheckContext& c) {
    c.requireMessages(1);
    Probe probe = c.login();
    const Sizes sizes = scanListings(c, probe);
    for (std::size_t i = 0; i < sizes.size() && i < kMaxFetched; ++i) {
        const auto [number, size] = sizes[i];
        const std::uint64_t single = listOne(c, probe, number);
        c.expect(single == size,
                 "LIST " + std::to_string(number) +
                     " gives another size than LIST without argument",
                 std::to_string(size) + " octets", std::to_string(single) + " octets");
    }
    probe.quit();
}

void listNoSuchMessage(CheckContext& c) {
    Probe probe = c.login();
    const std::uint64_t count = readStat(c, probe).first;
    expectRefused(c, probe, {"LIST 0", "LIST " + std::to_string(count + 1)});
    probe.quit();
}

// §3 applied to message numbers

void badMessageNumberRefused(CheckContext& c) {
    Probe probe = c.login();
    expectRefused(
        c, probe,
        {"RETR", "RETR abc", "RETR -1", "RETR +1", "RETR 1x", "LIST abc", "LIST -1", "LIST +1"});
    c.expectOk(probe.command("NOOP"), "NOOP after the refused commands");
    probe.quit();
}

void extraArgumentRefused(CheckContext& c) {
    c.requireMessages(2);
    Probe probe = c.login();
    std::vector<std::string> lines{"RETR 1 2", "LIST 1 2"};
    if (c.hasCapability("UIDL"))
        lines.emplace_back("UIDL 1 2");
    if (c.hasCapability("TOP"))
        lines.emplace_back("TOP 1 0 1");
    expectRefused(c, probe, lines);
    probe.quit();
}

void leadingZerosNameTheSameMessage(CheckContext& c) {
    c.requireMessages(1);
    Probe probe = c.login();
    const std::uint64_t size = listOne(c, probe, 1);
    for (const std::string line : {"LIST 01", "LIST 001"}) {
        const Reply reply = probe.command(line);
        if (reply.err()) {
            c.note(line + " is refused");
            continue;
        }
        const auto entry = reply.ok() ? parseScanListing(afterStatus(reply)) : std::nullopt;
        c.expect(entry && entry->first == 1 && entry->second == size,
                 line + " is not answered as LIST 1 is",
                 "+OK 1 " + std::to_string(size) + ", or -ERR", reply.describe());
    }
    probe.quit();
}

// §5 RETR

void retrSendsListSize(CheckContext& c) {
    c.requireMessages(1);
    Probe probe = c.login();
    for (const auto& [number, size] : fetchable(c, scanListings(c, probe))) {
        const std::size_t octets = joinLines(retrieve(c, probe, number)).size();
        c.expect(octets == size,
                 "RETR " + std::to_string(number) + " does not send as many octets as LIST " +
                     std::to_string(number) + " says",
                 std::to_string(size) + " octets", std::to_string(octets) + " octets");
    }
    probe.quit();
}

void retrByteStuffs(CheckContext& c) {
    c.requireMessages(1);
    Probe probe = c.login();
    bool dotLeading = false;
    bool dotOnly = false;
    for (const auto& [number, size] : fetchable(c, scanListings(c, probe))) {
        const std::vector<std::string> lines = retrieve(c, probe, number);
        const std::size_t octets = joinLines(lines).size();
        c.expect(octets == size,
                 "RETR " + std::to_string(number) +
                     " is not the whole message once un-stuffed: a line beginning with '.' sent "
                     "without an extra '.' loses its dot, and a lone '.' ends the message early",
                 std::to_string(size) + " octets (LIST)", std::to_string(octets) + " octets");
        for (const std::string& line : lines) {
            dotLeading = dotLeading || (!line.empty() && line.front() == '.');
            dotOnly = dotOnly || line == ".";
        }
    }
    // The rest of a message cut short by an unstuffed "." would be read as this reply.
    c.expectOk(probe.command("NOOP"), "NOOP after the messages");
    probe.quit();
    if (!dotLeading)
        c.skip("no message read has a line beginning with '.': byte-stuffing was not exercised");
    if (!dotOnly)
        c.note("no message read has a line of only '.'");
}

void retrNoSuchMessage(CheckContext& c) {
    Probe probe = c.login();
    const std::uint64_t count = readStat(c, probe).first;
    expectRefused(c, probe, {"RETR 0", "RETR " + std::to_string(count + 1)});
    probe.quit();
}

// §5 NOOP, DELE, RSET

void noopIsOk(CheckContext& c) {
    Probe probe = c.login();
    c.expectOk(probe.command("NOOP"), "NOOP");
    probe.quit();
}

void deleHidesFromList(CheckContext& c) {
    c.requireMessages(2);
    Probe probe = c.login();
    const Sizes before = scanListings(c, probe);
    markDeleted(c, probe, 1);
    const Sizes expected = without(before, 1);
    const Sizes after = scanListings(c, probe);
    c.expect(after == expected, "LIST still lists the message marked deleted", describe(expected),
             describe(after));
    c.expectErr(probe.command("LIST 1"), "LIST of the message marked deleted");
    endUnchanged(c, probe);
}

void statLeavesOutDeleted(CheckContext& c) {
    c.requireMessages(2);
    Probe probe = c.login();
    const auto before = readStat(c, probe);
    const std::uint64_t size = listOne(c, probe, 1);
    markDeleted(c, probe, 1);
    const auto after = readStat(c, probe);
    const std::pair<std::uint64_t, std::uint64_t> expected{before.first - 1, before.second - size};
    c.expect(after == expected, "STAT still counts the message marked deleted",
             describeDrop(expected), describeDrop(after));
    endUnchanged(c, probe);
}

void retrOfDeletedRefused(CheckContext& c) {
    c.requireMessages(1);
    Probe probe = c.login();
    markDeleted(c, probe, 1);
    c.expectErr(probe.command("RETR 1"), "RETR of the message marked deleted");
    endUnchanged(c, probe);
}

void deleOfDeletedRefused(CheckContext& c) {
    c.requireMessages(1);
    Probe probe = c.login();
    markDeleted(c, probe, 1);
    c.expectErr(probe.command("DELE 1"), "DELE of the message already marked deleted");
    endUnchanged(c, probe);
}

void numbersSurviveDele(CheckContext& c) {
    c.requireMessages(3);
    Probe probe = c.login();
    const Sizes sizes = scanListings(c, probe);
    std::map<std::uint64_t, std::string> uidOf;
    if (c.hasCapability("UIDL")) {
        for (auto& [number, uid] : uniqueIdListings(c, probe))
            uidOf[number] = uid;
    }
    markDeleted(c, probe, 1);
    for (std::size_t i = 1; i < sizes.size() && i < kMaxFetched; ++i) {
        const auto [number, size] = sizes[i];
        const std::string n = std::to_string(number);
        const std::uint64_t now = listOne(c, probe, number);
        c.expect(now == size, "after DELE 1, message " + n + " has another size",
                 "+OK " + n + " " + std::to_string(size), "+OK " + n + " " + std::to_string(now));
        const auto uid = uidOf.find(number);
        if (uid == uidOf.end())
            continue;
        const std::string nowUid = uidlOne(c, probe, number);
        c.expect(nowUid == uid->second, "after DELE 1, message " + n + " is another message",
                 "+OK " + n + " " + uid->second, "+OK " + n + " " + nowUid);
    }
    endUnchanged(c, probe);
}

void rsetUnmarks(CheckContext& c) {
    c.requireMessages(2);
    Probe probe = c.login();
    const auto drop = readStat(c, probe);
    const Sizes sizes = scanListings(c, probe);
    markDeleted(c, probe, 1);
    markDeleted(c, probe, 2);
    c.expectOk(probe.command("RSET"), "RSET");
    const auto dropAfter = readStat(c, probe);
    c.expect(dropAfter == drop, "after RSET, STAT still leaves out the messages marked deleted",
             describeDrop(drop), describeDrop(dropAfter));
    const Sizes sizesAfter = scanListings(c, probe);
    c.expect(sizesAfter == sizes, "after RSET, LIST still leaves out the messages marked deleted",
             describe(sizes), describe(sizesAfter));
    probe.quit();
}

// §6 UPDATE

void quitRemovesMarked(CheckContext& c) {
    c.requireMessages(2);
    Probe first = c.login();
    const Snapshot before = snapshot(c, first);
    markDeleted(c, first, 1);
    c.expectOk(first.quit(), "QUIT after DELE 1");
    Probe second = loginAgain(c);
    const Snapshot after = snapshot(c, second);
    second.quit();
    c.expect(after.sizes.size() + 1 == before.sizes.size(),
             "the message marked deleted is still in the maildrop after QUIT",
             std::to_string(before.sizes.size() - 1) + " messages",
             std::to_string(after.sizes.size()) + " messages (" + after.describe() + ")");
    if (!before.ids.empty()) {
        const std::string& removed = before.ids.front().second;
        for (const auto& entry : after.ids)
            c.expect(entry.second != removed,
                     "the message marked deleted is still in the maildrop after QUIT",
                     "no message with unique-id " + removed, after.describe());
    }
}

void quitRemovesOnlyMarked(CheckContext& c) {
    c.requireMessages(3);
    Probe first = c.login();
    const Snapshot before = snapshot(c, first);
    markDeleted(c, first, 2);
    c.expectOk(first.quit(), "QUIT after DELE 2");
    Probe second = loginAgain(c);
    const Snapshot after = snapshot(c, second);
    second.quit();
    Snapshot expected;
    expected.sizes = renumbered(without(before.sizes, 2));
    expected.ids = renumbered(without(before.ids, 2));
    c.expect(after == expected, "QUIT removed messages that were not marked deleted",
             expected.describe(), after.describe());
}

void quitClosesConnection(CheckContext& c) {
    Probe probe = c.login();
    c.expectOk(probe.quit(), "QUIT");
    c.expect(probe.closedByServer(), "the server did not close the connection after QUIT",
             "the connection closed", "it stayed open or sent more (see the transcript)");
}

void noUpdateWithoutQuit(CheckContext& c) {
    c.requireMessages(2);
    Probe first = c.login();
    const Snapshot before = snapshot(c, first);
    markDeleted(c, first, 1);
    first.close();
    Probe second = loginAgain(c);
    const Snapshot after = snapshot(c, second);
    second.quit();
    c.expect(after == before, "a session that ended without QUIT removed messages",
             before.describe(), after.describe());
}

void quitReleasesLock(CheckContext& c) {
    Probe first = c.login();
    c.expectOk(first.quit(), "QUIT");
    first.closedByServer();
    Probe second = c.connect();
    const Reply reply = c.authenticate(second, c.server().loginMethod, c.account());
    if (reply.code() == "LOGIN-DELAY")
        c.skip("the server enforces LOGIN-DELAY between sessions");
    c.expect(reply.ok(), "a login right after QUIT was refused: the maildrop lock was kept", "+OK",
             reply.describe());
    second.quit();
}

void failedUpdateReported(CheckContext& c) {
    c.requireMessages(1);
    if (!c.target().failNextUpdate)
        c.skip("needs a way to make the server fail to remove a message (the embedded mock has "
               "one); no command can make a real server's UPDATE fail");
    Probe first = c.login();
    markDeleted(c, first, 1);
    c.target().failNextUpdate();
    const Reply reply = first.quit();
    c.expect(reply.err(), "QUIT answered +OK although the marked message could not be removed",
             "-ERR", reply.describe());
    c.expect(first.closedByServer(),
             "the server did not close the connection after the failed "
             "UPDATE",
             "the connection closed", "it stayed open or sent more (see the transcript)");
    Probe second = c.connect();
    const Reply login = c.authenticate(second, c.server().loginMethod, c.account());
    c.expect(login.ok(), "the maildrop stayed locked after the failed UPDATE", "+OK",
             login.describe());
    second.quit();
}

// §7 TOP

bool hasBody(const MessageLines& message) {
    return message.separated && !message.body.empty();
}

bool hasTwoBodyLines(const MessageLines& message) {
    return message.body.size() >= 2;
}

bool hasHeader(const MessageLines& message) {
    return !message.header.empty();
}

bool hasDotLine(const MessageLines& message) {
    const auto dotted = [](const std::string& line) { return !line.empty() && line[0] == '.'; };
    return std::any_of(message.header.begin(), message.header.end(), dotted) ||
           std::any_of(message.body.begin(), message.body.end(), dotted);
}

void topZeroSendsHeader(CheckContext& c) {
    c.requireCapability("TOP");
    c.requireMessages(1);
    Probe probe = c.login();
    for (const auto& [number, message] : messagesFor(c, probe, hasBody, "no message has a body"))
        expectTop(c, probe, number, message, 0, "the header and the blank line");
    probe.quit();
}

void topSendsAskedLines(CheckContext& c) {
    c.requireCapability("TOP");
    c.requireMessages(1);
    Probe probe = c.login();
    for (const auto& [number, message] :
         messagesFor(c, probe, hasTwoBodyLines, "no message has two body lines"))
        expectTop(c, probe, number, message, message.body.size() / 2,
                  "the header, the blank line and that many body lines");
    probe.quit();
}

void topBeyondBodySendsAll(CheckContext& c) {
    c.requireCapability("TOP");
    c.requireMessages(1);
    Probe probe = c.login();
    for (const auto& [number, message] :
         messagesFor(c, probe, hasHeader, "no message has a header"))
        expectTop(c, probe, number, message, message.body.size() + 10, "the entire message");
    probe.quit();
}

void topByteStuffs(CheckContext& c) {
    c.requireCapability("TOP");
    c.requireMessages(1);
    Probe probe = c.login();
    for (const auto& [number, message] :
         messagesFor(c, probe, hasDotLine,
                     "no message read has a line beginning with '.': byte-stuffing was not "
                     "exercised"))
        expectTop(c, probe, number, message, message.body.size(),
                  "the message with its '.' lines intact");
    c.expectOk(probe.command("NOOP"), "NOOP after TOP");
    probe.quit();
}

void topBadArgumentsRefused(CheckContext& c) {
    c.requireCapability("TOP");
    c.requireMessages(1);
    Probe probe = c.login();
    const std::uint64_t count = readStat(c, probe).first;
    expectRefused(c, probe,
                  {"TOP", "TOP 1", "TOP 1 x", "TOP 1 -1", "TOP x 0", "TOP 0 0",
                   "TOP " + std::to_string(count + 1) + " 0"});
    c.expectOk(probe.command("NOOP"), "NOOP after the refused commands");
    probe.quit();
}

void topOfDeletedRefused(CheckContext& c) {
    c.requireCapability("TOP");
    c.requireMessages(1);
    Probe probe = c.login();
    markDeleted(c, probe, 1);
    c.expectErr(probe.command("TOP 1 0"), "TOP of the message marked deleted");
    endUnchanged(c, probe);
}

// §7 UIDL

std::vector<std::uint64_t> numbersOf(const Sizes& sizes) {
    std::vector<std::uint64_t> numbers;
    for (const auto& entry : sizes)
        numbers.push_back(entry.first);
    return numbers;
}

std::vector<std::uint64_t> numbersOf(const UniqueIds& ids) {
    std::vector<std::uint64_t> numbers;
    for (const auto& entry : ids)
        numbers.push_back(entry.first);
    return numbers;
}

std::string describe(const std::vector<std::uint64_t>& numbers) {
    std::string text;
    for (const std::uint64_t number : numbers)
        text += (text.empty() ? "" : " ") + std::to_string(number);
    return text.empty() ? "(none)" : quoted(text);
}

void uidlListsEveryMessage(CheckContext& c) {
    c.requireCapability("UIDL");
    Probe probe = c.login();
    const std::vector<std::uint64_t> listed = numbersOf(scanListings(c, probe));
    const std::vector<std::uint64_t> withIds = numbersOf(uniqueIdListings(c, probe));
    probe.quit();
    c.expect(withIds == listed, "UIDL does not list the messages LIST lists",
             "messages " + describe(listed), "messages " + describe(withIds));
}

void uidlOneMessage(CheckContext& c) {
    c.requireCapability("UIDL");
    c.requireMessages(1);
    Probe probe = c.login();
    const UniqueIds ids = uniqueIdListings(c, probe);
    for (std::size_t i = 0; i < ids.size() && i < kMaxFetched; ++i) {
        const auto& [number, uid] = ids[i];
        const std::string single = uidlOne(c, probe, number);
        c.expect(single == uid,
                 "UIDL " + std::to_string(number) + " gives another unique-id than UIDL", uid,
                 single);
    }
    probe.quit();
}

void uidlNoSuchMessage(CheckContext& c) {
    c.requireCapability("UIDL");
    Probe probe = c.login();
    const std::uint64_t count = readStat(c, probe).first;
    expectRefused(c, probe, {"UIDL 0", "UIDL " + std::to_string(count + 1)});
    probe.quit();
}

void uidlLeavesOutDeleted(CheckContext& c) {
    c.requireCapability("UIDL");
    c.requireMessages(2);
    Probe probe = c.login();
    const UniqueIds before = uniqueIdListings(c, probe);
    markDeleted(c, probe, 1);
    const UniqueIds expected = without(before, 1);
    const UniqueIds after = uniqueIdListings(c, probe);
    c.expect(after == expected, "UIDL still lists the message marked deleted", describe(expected),
             describe(after));
    c.expectErr(probe.command("UIDL 1"), "UIDL of the message marked deleted");
    endUnchanged(c, probe);
}

/// The unique-ids of UIDL's lines: everything after the message number's space, so that a
/// unique-id with a space in it is seen whole.
std::vector<std::string> rawUniqueIds(CheckContext& c, Probe& probe) {
    const Reply reply = probe.command("UIDL");
    c.expectOk(reply, "UIDL");
    std::vector<std::string> uids;
    for (const std::string& line : reply.body) {
        const std::size_t space = line.find(' ');
        c.expect(space != std::string::npos, "a line of UIDL has no unique-id",
                 "<message-number> <unique-id>", quoted(line));
        uids.push_back(line.substr(space + 1));
    }
    return uids;
}

void uidCharacters(CheckContext& c) {
    c.requireCapability("UIDL");
    c.requireMessages(1);
    Probe probe = c.login();
    const std::vector<std::string> uids = rawUniqueIds(c, probe);
    probe.quit();
    for (const std::string& uid : uids) {
        const auto bad = std::find_if(uid.begin(), uid.end(), [](char ch) {
            const auto octet = static_cast<unsigned char>(ch);
            return octet < 0x21 || octet > 0x7E;
        });
        if (bad == uid.end())
            continue;
        std::ostringstream octet;
        octet << "0x" << std::hex << static_cast<unsigned>(static_cast<unsigned char>(*bad));
        c.fail("a unique-id has a character outside 0x21..0x7E (" + octet.str() + ")",
               "characters 0x21..0x7E", quoted(uid));
    }
}

void uidLength(CheckContext& c) {
    c.requireCapability("UIDL");
    c.requireMessages(1);
    Probe probe = c.login();
    const std::vector<std::string> uids = rawUniqueIds(c, probe);
    probe.quit();
    for (const std::string& uid : uids)
        c.expect(!uid.empty() && uid.size() <= kMaxUniqueId,
                 "a unique-id is not 1 to 70 characters long",
                 "1 to " + std::to_string(kMaxUniqueId) + " characters",
                 std::to_string(uid.size()) + " characters: " + quoted(uid));
}

void uidsAreUnique(CheckContext& c) {
    c.requireCapability("UIDL");
    c.requireMessages(2);
    Probe probe = c.login();
    std::map<std::string, std::uint64_t> first;
    for (const auto& [number, uid] : uniqueIdListings(c, probe)) {
        const auto [seen, added] = first.emplace(uid, number);
        if (added)
            continue;
        // RFC 1939 §7 lets identical copies of a message share a unique-id.
        const std::string earlier = joinLines(retrieve(c, probe, seen->second));
        const std::string later = joinLines(retrieve(c, probe, number));
        c.expect(earlier == later,
                 "messages " + std::to_string(seen->second) + " and " + std::to_string(number) +
                     " differ but share the unique-id " + quoted(uid),
                 "a unique-id per message", quoted(uid) + " twice");
        c.note("messages " + std::to_string(seen->second) + " and " + std::to_string(number) +
               " are identical copies sharing a unique-id");
    }
    probe.quit();
}

void uidsPersist(CheckContext& c) {
    c.requireCapability("UIDL");
    c.requireMessages(1);
    Probe first = c.login();
    const UniqueIds initial = uniqueIdListings(c, first);
    first.close();
    Probe second = loginAgain(c);
    const UniqueIds afterDrop = uniqueIdListings(c, second);
    c.expect(afterDrop == initial, "the unique-ids changed after a session that ended without QUIT",
             describe(initial), describe(afterDrop));
    second.quit();
    Probe third = loginAgain(c);
    const UniqueIds afterQuit = uniqueIdListings(c, third);
    third.quit();
    c.expect(afterQuit == initial, "the unique-ids changed after a session that ended with QUIT",
             describe(initial), describe(afterQuit));
}

void uidsNotReused(CheckContext& c) {
    c.requireCapability("UIDL");
    c.requireMessages(1);
    if (!c.target().deliver)
        c.skip("needs a way to deliver mail (--deliver-command; the embedded mock has one)");
    Probe first = c.login();
    const UniqueIds before = uniqueIdListings(c, first);
    if (before.empty())
        c.skip("the maildrop is empty");
    const auto& [lastNumber, expunged] = before.back();
    markDeleted(c, first, lastNumber);
    c.expectOk(first.quit(), "QUIT");
    c.target().deliver(c.account());
    Probe second = loginAgain(c);
    const UniqueIds after = uniqueIdListings(c, second);
    std::set<std::string> kept;
    for (const auto& entry : before)
        kept.insert(entry.second);
    kept.erase(expunged);
    bool delivered = false;
    for (const auto& [number, uid] : after) {
        if (kept.count(uid) != 0)
            continue;
        delivered = true;
        const std::string single = uidlOne(c, second, number);
        c.expect(single != expunged && kept.count(single) == 0,
                 "the new message got a unique-id used before",
                 "a unique-id other than " + quoted(expunged), quoted(single));
    }
    second.quit();
    c.expect(delivered, "the delivered message is not in the maildrop",
             "a message with a new unique-id", describe(after));
}

void sameUidSameContent(CheckContext& c) {
    c.requireCapability("UIDL");
    c.requireMessages(1);
    Probe first = c.login();
    const Sizes sizes = fetchable(c, scanListings(c, first));
    std::map<std::uint64_t, std::string> uidOf;
    for (auto& [number, uid] : uniqueIdListings(c, first))
        uidOf[number] = uid;
    std::map<std::string, std::string> content;
    for (const auto& entry : sizes) {
        const auto uid = uidOf.find(entry.first);
        if (uid != uidOf.end())
            content[uid->second] = joinLines(retrieve(c, first, entry.first));
    }
    first.quit();
    Probe second = loginAgain(c);
    const UniqueIds ids = uniqueIdListings(c, second);
    // Read in the other order, so that the same position in the session is another message.
    for (auto entry = ids.rbegin(); entry != ids.rend(); ++entry) {
        const auto known = content.find(entry->second);
        if (known == content.end())
            continue;
        const std::string now = joinLines(retrieve(c, second, entry->first));
        c.expect(now == known->second,
                 "unique-id " + quoted(entry->second) +
                     " gives other content than in the previous session",
                 std::to_string(known->second.size()) + " octets as before",
                 std::to_string(now.size()) + " octets" +
                     (now.size() == known->second.size() ? ", different" : ""));
    }
    second.quit();
}

// §4: the maildrop as the session opened it

void deliveryWaitsForNextSession(CheckContext& c) {
    if (!c.target().deliver)
        c.skip("needs a way to deliver mail (--deliver-command; the embedded mock has one)");
    Probe probe = c.login();
    const auto drop = readStat(c, probe);
    const Snapshot before = snapshot(c, probe);
    c.target().deliver(c.account());
    const auto dropAfter = readStat(c, probe);
    c.expect(dropAfter == drop, "STAT changed when mail arrived during the session",
             describeDrop(drop), describeDrop(dropAfter));
    const Snapshot after = snapshot(c, probe);
    c.expect(after == before, "the listings changed when mail arrived during the session",
             before.describe(), after.describe());
    c.expectOk(probe.quit(), "QUIT");
    Probe next = loginAgain(c);
    const auto dropNext = readStat(c, next);
    next.quit();
    c.expect(dropNext.first == drop.first + 1,
             "the mail delivered during the last session is not there at the next login",
             std::to_string(drop.first + 1) + " messages",
             std::to_string(dropNext.first) + " messages");
}

} // namespace

std::vector<Check> rfc1939TransactionChecks() {
    const std::string stuffing =
        "After the initial +OK, the POP3 server sends the message corresponding to the given "
        "message-number, being careful to byte-stuff the termination character (as with all "
        "multi-line responses).";
    const std::string scanListing =
        "A scan listing consists of the message-number of the message, followed by a single "
        "space and the exact size of the message in octets.";
    const std::string dropListing =
        "The positive response consists of \"+OK\" followed by a single space, the number of "
        "messages in the maildrop, a single space, and the size of the maildrop in octets.";
    const std::string futureReference =
        "Any future reference to the message-number associated with the message in a POP3 "
        "command generates an error.";
    const std::string notListed = "Note that messages marked as deleted are not listed.";
    const std::string syntax = "A server MUST respond to an unrecognized, unimplemented, or "
                               "syntactically invalid command by responding with a negative "
                               "status indicator.";
    const std::string top =
        "After the initial +OK, the POP3 server sends the headers of the message, the blank "
        "line separating the headers from the body, and then the number of lines of the "
        "indicated message's body, being careful to byte-stuff the termination character (as "
        "with all multi-line responses).";
    const std::string topArguments =
        "Arguments: a message-number (required) which may NOT refer to to a message marked as "
        "deleted, and a non-negative number of lines (required)";
    const std::string uniqueId =
        "The unique-id of a message is an arbitrary server-determined string, consisting of one "
        "to 70 characters in the range 0x21 to 0x7E, which uniquely identifies a message within "
        "a maildrop and which persists across sessions.";
    const std::string lockAndClose =
        "Whether the removal was successful or not, the server then releases any "
        "exclusive-access lock on the maildrop and closes the TCP connection.";

    return {
        // §5 STAT and LIST
        {{"rfc1939-5-stat-drop-listing", "1939", "5", Level::must,
          "STAT answers \"+OK count octets\": single spaces, decimal numbers", dropListing, 0,
          "rules:\n"
          "  - {command: STAT, reply: \"+OK 5 messages\"}\n"},
         statIsADropListing},
        {{"rfc1939-5-stat-matches-list", "1939", "5", Level::must,
          "STAT counts the messages LIST lists, and its size is the sum of their sizes",
          dropListing, 0,
          "rules:\n"
          "  - {command: STAT, fault: wrongCount}\n"},
         statMatchesList},
        {{"rfc1939-5-list-scan-listings", "1939", "5", Level::must,
          "Each line of LIST is a scan listing: message number, one space, size in octets",
          scanListing, 0,
          R"(rules:
  - {command: LIST, arguments: '^$', reply: "+OK\n1 263\n2 ninety-eight\n.\n"}
)"},
         listGivesScanListings},
        {{"rfc1939-5-list-one-message", "1939", "5", Level::must,
          "LIST n answers \"+OK n size\" with the size LIST lists for message n",
          "If an argument was given and the POP3 server issues a positive response with a line "
          "containing information for that message. This line is called a \"scan listing\" "
          "for that message.",
          0,
          "rules:\n"
          "  - {command: LIST, arguments: '^2$', reply: \"+OK 3 120\"}\n"},
         listOneMessage},
        {{"rfc1939-5-list-no-such-message", "1939", "5", Level::must,
          "LIST 0 and LIST of a number past the last message get -ERR",
          "Possible Responses: +OK scan listing follows -ERR no such message", 0,
          "rules:\n"
          "  - {command: LIST, arguments: '^6$', reply: \"+OK 6 120\"}\n"},
         listNoSuchMessage},
        {{"rfc1939-3-bad-message-number", "1939", "3", Level::must,
          "A message number that is missing or not decimal digits (abc, -1, +1, 1x) gets -ERR",
          syntax, 0,
          R"(rules:
  - {command: RETR, arguments: '^\+1$', reply: "+OK\nSubject: read as 1\n\n.\n"}
)"},
         badMessageNumberRefused},
        {{"rfc1939-3-extra-argument", "1939", "3", Level::must,
          "RETR 1 2, LIST 1 2, UIDL 1 2 and TOP 1 0 1 (an argument too many) get -ERR", syntax, 0,
          R"(rules:
  - {command: RETR, arguments: '^1 2$', reply: "+OK\nSubject: read as 1\n\n.\n"}
)"},
         extraArgumentRefused},
        {{"rfc1939-4-leading-zeros", "1939", "4", Level::sec,
          "LIST 01 answers as LIST 1 does, or gets -ERR: never another message",
          "Message numbers are decimal: one written with leading zeros names the same message "
          "or is refused, never another one.",
          0,
          "rules:\n"
          "  - {command: LIST, arguments: '^0+1$', reply: \"+OK 1 1\"}\n"},
         leadingZerosNameTheSameMessage},
        // §5 RETR
        {{"rfc1939-5-retr-list-size", "1939", "5", Level::must,
          "RETR n sends the whole message: its octets, un-stuffed, are the size LIST gives",
          scanListing, 0,
          "rules:\n"
          "  - {command: LIST, fault: wrongSize}\n"},
         retrSendsListSize},
        {{"rfc1939-5-retr-byte-stuffing", "1939", "5", Level::must,
          "RETR byte-stuffs lines that begin with '.', a line of only '.' included", stuffing, 0,
          "rules:\n"
          "  - {command: RETR, fault: noByteStuffing}\n"},
         retrByteStuffs},
        {{"rfc1939-5-retr-no-such-message", "1939", "5", Level::must,
          "RETR 0 and RETR of a number past the last message get -ERR",
          "Possible Responses: +OK message follows -ERR no such message", 0,
          R"(rules:
  - {command: RETR, arguments: '^0$', reply: "+OK\nSubject: no such message\n\n.\n"}
)"},
         retrNoSuchMessage},
        // §5 NOOP, DELE, RSET
        {{"rfc1939-5-noop", "1939", "5", Level::must, "NOOP answers +OK",
          "The POP3 server does nothing, it merely replies with a positive response.", 0,
          "rules:\n"
          "  - {command: NOOP, reply: \"-ERR not now\"}\n"},
         noopIsOk},
        {{"rfc1939-5-dele-hides-message", "1939", "5", Level::must,
          "DELE n answers +OK; LIST then leaves message n out and LIST n gets -ERR", notListed,
          needsDestructive,
          "rules:\n"
          "  - {command: LIST, fault: deletedStillListed}\n"},
         deleHidesFromList},
        {{"rfc1939-5-stat-excludes-deleted", "1939", "5", Level::must,
          "STAT counts neither the messages nor the octets of messages marked deleted",
          "Note that messages marked as deleted are not counted in either total.", needsDestructive,
          "rules:\n"
          "  - {command: STAT, fault: deletedStillListed}\n"},
         statLeavesOutDeleted},
        {{"rfc1939-5-retr-deleted", "1939", "5", Level::must,
          "RETR of a message marked deleted gets -ERR", futureReference, needsDestructive,
          "rules:\n"
          "  - {command: RETR, fault: deletedStillAccessible}\n"},
         retrOfDeletedRefused},
        {{"rfc1939-5-dele-deleted", "1939", "5", Level::must,
          "DELE of a message already marked deleted gets -ERR", futureReference, needsDestructive,
          "rules:\n"
          "  - {command: DELE, fault: deletedStillAccessible}\n"},
         deleOfDeletedRefused},
        {{"rfc1939-5-numbers-survive-dele", "1939", "5", Level::must,
          "After DELE 1 the other messages keep their numbers: LIST n and UIDL n are unchanged",
          "The POP3 server does not actually delete the message until the POP3 session enters "
          "the UPDATE state.",
          needsDestructive,
          "rules:\n"
          "  - {command: UIDL, arguments: '^2$', reply: \"+OK 2 conform-uid-3\"}\n"},
         numbersSurviveDele},
        {{"rfc1939-5-rset-unmarks", "1939", "5", Level::must,
          "RSET answers +OK and unmarks every message: STAT and LIST are as at login",
          "If any messages have been marked as deleted by the POP3 server, they are unmarked.",
          needsDestructive,
          "rules:\n"
          "  - {command: RSET, fault: rsetKeepsMarks}\n"},
         rsetUnmarks},
        // §6 UPDATE
        {{"rfc1939-6-quit-removes-marked", "1939", "6", Level::must,
          "QUIT after DELE answers +OK, and the next session no longer has the message",
          "The POP3 server removes all messages marked as deleted from the maildrop and replies "
          "as to the status of this operation.",
          needsDestructive,
          "rules:\n"
          "  - {command: QUIT, fault: quitWithoutUpdate}\n"},
         quitRemovesMarked},
        {{"rfc1939-6-quit-removes-only-marked", "1939", "6", Level::must,
          "QUIT removes only the messages marked deleted: the others keep size and unique-id",
          "In no case may the server remove any messages not marked as deleted.", needsDestructive,
          "rules:\n"
          "  - {command: QUIT, fault: updateRemovesUnmarked}\n"},
         quitRemovesOnlyMarked},
        {{"rfc1939-6-quit-closes", "1939", "6", Level::must,
          "After its +OK to QUIT the server sends nothing more and closes the connection",
          lockAndClose, 0,
          "rules:\n"
          "  - {command: QUIT, reply: \"+OK see you\"}\n"},
         quitClosesConnection},
        {{"rfc1939-6-no-update-without-quit", "1939", "6", Level::must,
          "A session that ends without QUIT removes nothing, not even messages it marked",
          "If a session terminates for some reason other than a client-issued QUIT command, the "
          "POP3 session does NOT enter the UPDATE state and MUST not remove any messages from "
          "the maildrop.",
          needsDestructive,
          "rules:\n"
          "  - {command: DELE, fault: deleteWithoutQuit}\n"},
         noUpdateWithoutQuit},
        {{"rfc1939-6-quit-releases-lock", "1939", "6", Level::must,
          "Once the server has closed the connection after QUIT, a new login succeeds",
          lockAndClose, 0,
          "rules:\n"
          "  - {command: QUIT, fault: quitKeepsLock}\n"},
         quitReleasesLock},
        {{"rfc1939-6-failed-update-reported", "1939", "6", Level::must,
          "When removing marked messages fails, QUIT answers -ERR, closes and frees the maildrop",
          "The POP3 server removes all messages marked as deleted from the maildrop and replies "
          "as to the status of this operation. " +
              lockAndClose,
          needsDestructive,
          "rules:\n"
          "  - {command: QUIT, fault: quitWithoutUpdate}\n"},
         failedUpdateReported},
        // §7 TOP
        {{"rfc1939-7-top-header-only", "1939", "7", Level::must,
          "TOP n 0 sends the header and the blank line, and no body line", top, 0,
          R"(rules:
  - {command: TOP, arguments: ' 0$', reply: "+OK\nSubject: no blank line\n.\n"}
)"},
         topZeroSendsHeader},
        {{"rfc1939-7-top-lines", "1939", "7", Level::must,
          "TOP n k sends the header, the blank line and the first k body lines", top, 0,
          "rules:\n"
          "  - {command: TOP, fault: topIgnoresLines}\n"},
         topSendsAskedLines},
        {{"rfc1939-7-top-beyond-body", "1939", "7", Level::must,
          "TOP n k with k past the end of the body sends the entire message",
          "Note that if the number of lines requested by the POP3 client is greater than than "
          "the number of lines in the body, then the POP3 server sends the entire message.",
          0,
          R"(rules:
  - {command: TOP, reply: "+OK\nSubject: cut short\n\n.\n"}
)"},
         topBeyondBodySendsAll},
        {{"rfc1939-7-top-byte-stuffing", "1939", "7", Level::must,
          "TOP byte-stuffs lines that begin with '.', a line of only '.' included", top, 0,
          "rules:\n"
          "  - {command: TOP, fault: noByteStuffing}\n"},
         topByteStuffs},
        {{"rfc1939-7-top-bad-arguments", "1939", "7", Level::must,
          "TOP without a message number or line count, with a non-number or a negative count, "
          "or of no such message gets -ERR",
          topArguments, 0,
          R"(rules:
  - {command: TOP, arguments: '^1$', reply: "+OK\nSubject: whole header\n\n.\n"}
)"},
         topBadArgumentsRefused},
        {{"rfc1939-7-top-deleted", "1939", "7", Level::must,
          "TOP of a message marked deleted gets -ERR", topArguments, needsDestructive,
          "rules:\n"
          "  - {command: TOP, fault: deletedStillAccessible}\n"},
         topOfDeletedRefused},
        // §7 UIDL
        {{"rfc1939-7-uidl-listings", "1939", "7", Level::must,
          "UIDL sends one unique-id listing \"n uid\" for each message LIST lists",
          "A unique-id listing consists of the message-number of the message, followed by a "
          "single space and the unique-id of the message.",
          0,
          R"(rules:
  - {command: UIDL, arguments: '^$', reply: "+OK\n1 a\n2 b\n.\n"}
)"},
         uidlListsEveryMessage},
        {{"rfc1939-7-uidl-one-message", "1939", "7", Level::must,
          "UIDL n answers \"+OK n uid\" with the unique-id UIDL lists for message n",
          "If an argument was given and the POP3 server issues a positive response with a line "
          "containing information for that message. This line is called a \"unique-id "
          "listing\" for that message.",
          0,
          "rules:\n"
          "  - {command: UIDL, arguments: '^2$', reply: \"+OK 2 not-the-listed-uid\"}\n"},
         uidlOneMessage},
        {{"rfc1939-7-uidl-no-such-message", "1939", "7", Level::must,
          "UIDL 0 and UIDL of a number past the last message get -ERR",
          "Possible Responses: +OK unique-id listing follows -ERR no such message", 0,
          "rules:\n"
          "  - {command: UIDL, arguments: '^6$', reply: \"+OK 6 ghost\"}\n"},
         uidlNoSuchMessage},
        {{"rfc1939-7-uidl-excludes-deleted", "1939", "7", Level::must,
          "UIDL leaves out messages marked deleted, and UIDL n of one gets -ERR", notListed,
          needsDestructive,
          "rules:\n"
          "  - {command: UIDL, fault: deletedStillListed}\n"},
         uidlLeavesOutDeleted},
        {{"rfc1939-7-uid-characters", "1939", "7", Level::must,
          "Unique-ids consist of characters 0x21 to 0x7E only", uniqueId, 0,
          "rules:\n"
          "  - {command: UIDL, fault: uidlWithSpace}\n"},
         uidCharacters},
        {{"rfc1939-7-uid-length", "1939", "7", Level::must,
          "Unique-ids are 1 to 70 characters long", uniqueId, 0,
          "rules:\n"
          "  - {command: UIDL, fault: uidlTooLong}\n"},
         uidLength},
        {{"rfc1939-7-uid-unique", "1939", "7", Level::must,
          "No two different messages share a unique-id (identical copies may)", uniqueId, 0,
          "rules:\n"
          "  - {command: UIDL, fault: duplicateUidl}\n"},
         uidsAreUnique},
        {{"rfc1939-7-uid-persistent", "1939", "7", Level::must,
          "Unique-ids stay the same in the next sessions, after a dropped one and after QUIT",
          "This persistence is required even if a session ends without entering the UPDATE "
          "state.",
          0,
          "rules:\n"
          "  - {command: UIDL, fault: unstableUidl}\n"},
         uidsPersist},
        {{"rfc1939-7-uid-not-reused", "1939", "7", Level::should,
          "A message delivered after an expunge gets a unique-id never used before",
          "The server should never reuse an unique-id in a given maildrop, for as long as the "
          "entity using the unique-id exists.",
          needsDestructive,
          "rules:\n"
          "  - {command: UIDL, arguments: '^5$', reply: \"+OK 5 msg-5\"}\n"},
         uidsNotReused},
        {{"rfc1939-7-uid-same-content", "1939", "7", Level::sec,
          "A unique-id gives byte-identical content in every session",
          "A unique-id names one message: RETR of the message with that unique-id gives the "
          "same octets in every session.",
          0,
          R"(rules:
  - {command: RETR, occurrence: 1, reply: "+OK\nSubject: changed\n\nchanged\n.\n"}
)"},
         sameUidSameContent},
        // §4 numbering
        {{"rfc1939-4-new-mail-next-session", "1939", "4", Level::should,
          "Mail delivered during a session changes none of its listings; the next session has it",
          "After the POP3 server has opened the maildrop, it assigns a message-number to each "
          "message, and notes the size of each message in octets.",
          needsDestructive,
          "rules:\n"
          "  - {command: STAT, occurrence: 2, reply: \"+OK 6 99999\"}\n"},
         deliveryWaitsForNextSession},
    };
}

} // namespace pop3::conformance
