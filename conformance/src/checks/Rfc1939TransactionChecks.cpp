// RFC 1939 §5 (the TRANSACTION state) and §6 (UPDATE): listings, retrieval, deletion marks,
// message numbers, what QUIT commits, and the maildrop as a session opened it (§4).
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "CheckSupport.h"

namespace pop3::conformance {

namespace {

std::string describeDrop(const std::pair<std::uint64_t, std::uint64_t>& drop) {
    return "+OK " + std::to_string(drop.first) + " " + std::to_string(drop.second);
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

/// How the session that marked a message deleted ends.
enum class SessionEnd { quit, close };

/// The maildrop as a session that marks message `number` deleted sees it at login, and as the
/// next session sees it once that one ended.
std::pair<Snapshot, Snapshot> acrossDele(CheckContext& c, std::uint64_t number, SessionEnd end) {
    Probe first = c.login();
    Snapshot before = snapshot(c, first);
    markDeleted(c, first, number);
    if (end == SessionEnd::quit)
        c.expectOk(first.quit(), "QUIT after DELE " + std::to_string(number));
    else
        first.close();
    Probe second = loginAgain(c);
    Snapshot after = snapshot(c, second);
    second.quit();
    return {std::move(before), std::move(after)};
}

/// The values of a listing in order, numbered from 1 again: what the next session lists.
template <typename Entries> Entries renumbered(const Entries& entries) {
    Entries next;
    std::uint64_t number = 0;
    for (const auto& entry : entries)
        next.emplace_back(++number, entry.second);
    return next;
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
    expectNoSuchMessageRefused(c, "LIST");
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
    expectNoSuchMessageRefused(c, "RETR");
}

// §5 NOOP, DELE, RSET

void noopIsOk(CheckContext& c) {
    Probe probe = c.login();
    c.expectOk(probe.command("NOOP"), "NOOP");
    probe.quit();
}

void deleHidesFromList(CheckContext& c) {
    expectListingLeavesOutDeleted(c, "LIST", scanListings);
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
    expectRefusedWhenDeleted(c, "RETR 1", "RETR of the message marked deleted");
}

void deleOfDeletedRefused(CheckContext& c) {
    expectRefusedWhenDeleted(c, "DELE 1", "DELE of the message already marked deleted");
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
    const auto [before, after] = acrossDele(c, 1, SessionEnd::quit);
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
    const auto [before, after] = acrossDele(c, 2, SessionEnd::quit);
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
    const auto [before, after] = acrossDele(c, 1, SessionEnd::close);
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
