// RFC 1939 §7's optional commands: TOP (the header and the first body lines) and UIDL (the
// unique-id listing), and what unique-ids promise across sessions.
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "CheckSupport.h"

namespace pop3::conformance {

namespace {

/// TOP checks look at this many messages.
constexpr std::size_t kTopMessages = 5;
/// RFC 1939 §7: a unique-id is 1 to 70 characters in 0x21..0x7E.
constexpr std::size_t kMaxUniqueId = 70;

std::string lineCount(std::size_t lines) {
    return std::to_string(lines) + (lines == 1 ? " line" : " lines");
}

std::vector<std::string> top(CheckContext& c, Probe& probe, std::uint64_t number,
                             std::uint64_t lines) {
    const std::string line = "TOP " + std::to_string(number) + " " + std::to_string(lines);
    const Reply reply = probe.command(line);
    c.expectOk(reply, line);
    return reply.body;
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
    expectRefusedWhenDeleted(c, "TOP 1 0", "TOP of the message marked deleted");
}

// §7 UIDL

/// The message numbers of a listing, in its order.
template <typename Entries> std::vector<std::uint64_t> numbersOf(const Entries& entries) {
    std::vector<std::uint64_t> numbers;
    for (const auto& entry : entries)
        numbers.push_back(entry.first);
    return numbers;
}

std::string describeNumbers(const std::vector<std::uint64_t>& numbers) {
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
             "messages " + describeNumbers(listed), "messages " + describeNumbers(withIds));
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
    expectNoSuchMessageRefused(c, "UIDL");
}

void uidlLeavesOutDeleted(CheckContext& c) {
    c.requireCapability("UIDL");
    expectListingLeavesOutDeleted(c, "UIDL", uniqueIdListings);
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

} // namespace

std::vector<Check> rfc1939OptionalCommandChecks() {
    const std::string notListed = "Note that messages marked as deleted are not listed.";
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

    return {
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
    };
}

} // namespace pop3::conformance
