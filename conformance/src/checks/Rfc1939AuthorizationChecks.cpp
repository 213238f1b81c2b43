// RFC 1939 §3 (framing, keywords, states, the autologout timer), §4 (the AUTHORIZATION state,
// the maildrop lock), QUIT before login (§6), USER, PASS and APOP (§7) and account enumeration
// (§13).
#include "pop3/Auth.h"
#include "pop3/Errors.h"
#include "pop3/Limits.h"
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "CheckSupport.h"

namespace pop3::conformance {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// A user name no test account has.
constexpr std::string_view kUnknownUser = "pop3-conform-no-such-user";

bool closedInstead(const Reply& reply) {
    return reply.outcome == Reply::Outcome::closed || reply.outcome == Reply::Outcome::failed;
}

Reply closedReply() {
    Reply reply;
    reply.outcome = Reply::Outcome::closed;
    return reply;
}

/// Sends bytes; false when the server has closed the connection already, which the checks
/// that provoke a server accept as an answer. (Probe::send fails the check instead.)
bool sendUnlessClosed(Probe& probe, std::string_view bytes) {
    try {
        probe.send(bytes);
        return true;
    } catch (const CheckFailed&) {
        return false;
    }
}

/// Sends `line` and CRLF and reads the reply; a connection the server closed reads as closed.
Reply commandUnlessClosed(Probe& probe, const std::string& line) {
    if (!sendUnlessClosed(probe, line + "\r\n"))
        return closedReply();
    return probe.read(responseKindOf(line));
}

/// Ends a session that the server may have closed already.
void leave(Probe& probe) {
    commandUnlessClosed(probe, "QUIT");
}

/// A command line as messages name it: its keyword, so that no secret is repeated.
std::string keywordOf(const std::string& line) {
    return line.substr(0, line.find(' '));
}

/// The APOP timestamp of a greeting, angle brackets included: the first "<...>", whatever its
/// shape, so that rfc1939-7-apop-timestamp can judge one that extractApopTimestamp() (which
/// wants msg-id syntax) would not find. Empty when the greeting has none.
std::string apopTimestamp(const Reply& greeting) {
    const std::string& line = greeting.statusLine;
    const std::size_t open = line.find('<');
    const std::size_t close = open == std::string::npos ? open : line.find('>', open);
    return close == std::string::npos ? std::string() : line.substr(open, close - open + 1);
}

/// "<local@domain>": RFC 822 msg-id's shape, without spaces or control characters.
bool looksLikeMsgId(const std::string& stamp) {
    if (stamp.size() < 5 || stamp.front() != '<' || stamp.back() != '>')
        return false;
    const std::string inner = stamp.substr(1, stamp.size() - 2);
    const std::size_t at = inner.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == inner.size())
        return false;
    return std::none_of(inner.begin(), inner.end(), [](unsigned char c) {
        return c <= ' ' || c == 0x7F || c == '<' || c == '>';
    });
}

std::string secondsText(Clock::duration elapsed) {
    const auto tenths = std::chrono::duration_cast<milliseconds>(elapsed).count() / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

/// Fails unless a new session lists every message discovery found, with its size.
void expectMailboxIntact(CheckContext& c, const std::string& after) {
    Probe probe = c.login();
    const Reply list = probe.command("LIST");
    c.expectOk(list, "LIST");
    const auto entries = parseListing(list.body);
    c.expect(entries.has_value(), "LIST is malformed", "\"n size\" lines", list.describe());
    for (const ListedMessage& message : c.messages()) {
        const std::string number = std::to_string(message.number);
        const bool kept = std::any_of(entries->begin(), entries->end(), [&](const auto& entry) {
            return entry.first == message.number && entry.second == std::to_string(message.size);
        });
        c.expect(kept, "message " + number + " is gone " + after,
                 "message " + number + " (" + std::to_string(message.size) + " octets) listed",
                 std::to_string(entries->size()) + " messages listed");
    }
    probe.quit();
}

/// A reply the server gave to provoking input is acceptable when it is -ERR or a closed
/// connection; anything else fails.
void expectRefusedOrClosed(CheckContext& c, const Reply& reply, const std::string& what) {
    if (reply.err() || closedInstead(reply))
        return;
    if (reply.ok())
        c.fail(what + " was accepted", "-ERR, or the connection closed", reply.describe());
    c.fail("no proper answer to " + what, "-ERR, or the connection closed", reply.describe());
}

/// Sends `bytes`, which do not end in CRLF. The server may answer (or close) before the line
/// ends; otherwise, after kQuietWait, CRLF ends the line and its reply is read. `lineOpen` tells
/// whether the server may still be skipping the rest of the line.
Reply answerToUnendedLine(Probe& probe, std::string_view bytes, bool& lineOpen) {
    lineOpen = false;
    if (!sendUnlessClosed(probe, bytes))
        return closedReply();
    const Reply early = probe.read(ResponseKind::SingleLine, kQuietWait);
    if (early.outcome != Reply::Outcome::timeout || !early.received.empty()) {
        lineOpen = !closedInstead(early) && bytes.back() != '\n';
        return early;
    }
    if (!sendUnlessClosed(probe, "\r\n"))
        return closedReply();
    return probe.read(ResponseKind::SingleLine);
}

/// After provoking input: QUIT must still be answered with +OK, unless the server closed. A
/// line left open is ended first; the server may refuse that empty line before the QUIT.
void expectCleanEnd(CheckContext& c, Probe& probe, bool lineOpen, const std::string& after) {
    if (!sendUnlessClosed(probe, lineOpen ? "\r\nQUIT\r\n" : "QUIT\r\n"))
        return;
    Reply reply = probe.read(ResponseKind::SingleLine);
    if (lineOpen && reply.err())
        reply = probe.read(ResponseKind::SingleLine);
    if (closedInstead(reply))
        return;
    c.expectOk(reply, "QUIT after " + after);
}

/// The server still greets new connections: it survived what the check sent.
void expectServerAlive(CheckContext& c, const std::string& after) {
    try {
        Probe probe = c.connect();
        probe.quit();
    } catch (const Error& e) {
        c.fail("the server no longer accepts connections after " + after, "a +OK greeting",
               e.what());
    }
}

// ---- §3: framing, keywords, states ----

struct Exchange {
    std::string what;
    Reply reply;
};

/// One session through both states with every reply kept: the greeting, refused commands
/// before login, CAPA, the login, STAT, LIST, UIDL, NOOP and QUIT. Stops after the first reply
/// that is not complete.
std::vector<Exchange> tour(CheckContext& c) {
    std::vector<Exchange> seen;
    Probe probe = c.connect();
    seen.push_back({"the greeting", probe.greeting()});
    auto step = [&](const std::string& line) {
        seen.push_back({keywordOf(line), probe.command(line)});
        return seen.back().reply.complete();
    };
    for (const char* line : {"XYZZY", "NOOP"}) {
        if (!step(line))
            return seen;
    }
    if (c.server().capabilities && !step("CAPA"))
        return seen;
    const Account& who = c.account();
    if (c.server().loginMethod == LoginMethod::userPass) {
        if (!step("USER " + who.user) || !step("PASS " + who.password))
            return seen;
    } else {
        seen.push_back({"the login", c.authenticate(probe, c.server().loginMethod, who)});
        if (!seen.back().reply.complete())
            return seen;
    }
    for (const char* line : {"STAT", "LIST", "UIDL", "NOOP", "QUIT"}) {
        if (!step(line))
            return seen;
    }
    return seen;
}

/// The tour stopped at a reply that is not complete: a reply broken in a way another check
/// reports is noted, no reply at all fails.
void stoppedAt(CheckContext& c, const Exchange& last) {
    c.expect(last.reply.outcome == Reply::Outcome::malformed, "no complete reply to " + last.what,
             "+OK or -ERR", last.reply.describe());
    c.note("the session stopped at the reply to " + last.what + ": " + last.reply.describe());
}

void statusIndicatorsUpperCase(CheckContext& c) {
    const std::vector<Exchange> seen = tour(c);
    const Exchange& last = seen.back();
    if (last.reply.complete())
        return;
    const std::string& got = last.reply.received;
    const bool exact = got.rfind("+OK", 0) == 0 || got.rfind("-ERR", 0) == 0;
    c.expect(exact || last.reply.outcome != Reply::Outcome::malformed,
             "the reply to " + last.what + " does not start with \"+OK\" or \"-ERR\"",
             "+OK or -ERR, in upper case", last.reply.describe());
    stoppedAt(c, last);
}

void responsesEndInCrlf(CheckContext& c) {
    for (const Exchange& exchange : tour(c)) {
        const Reply& reply = exchange.reply;
        if (!reply.complete()) {
            const std::size_t lf = reply.received.find('\n');
            const bool bareLf =
                lf != std::string::npos && (lf == 0 || reply.received[lf - 1] != '\r');
            c.expect(!bareLf, "the reply to " + exchange.what + " ends a line with a bare LF",
                     "lines ending in CRLF", reply.describe());
            stoppedAt(c, exchange);
            return;
        }
        c.expect(reply.statusLine.find('\r') == std::string::npos,
                 "the status line of the reply to " + exchange.what + " holds a bare CR",
                 "lines ending in CRLF", reply.describe());
        for (const std::string& line : reply.body) {
            c.expect(line.find_first_of("\r\n") == std::string::npos,
                     "a line of the reply to " + exchange.what + " holds a bare CR or LF",
                     "lines ending in CRLF", line);
        }
    }
}

void statusLinesFit512Octets(CheckContext& c) {
    for (const Exchange& exchange : tour(c)) {
        const Reply& reply = exchange.reply;
        std::string first = reply.complete() ? reply.statusLine
                                             : reply.received.substr(0, reply.received.find('\n'));
        if (!first.empty() && first.back() == '\r')
            first.pop_back();
        const std::size_t octets = first.size() + 2;
        c.expect(octets <= limits::kMaxResponseLine,
                 "the first line of the reply to " + exchange.what + " is " +
                     std::to_string(octets) + " octets long",
                 "at most 512 octets, CRLF included", reply.describe());
        if (!reply.complete()) {
            stoppedAt(c, exchange);
            return;
        }
    }
}

void keywordsCaseInsensitive(CheckContext& c) {
    Probe probe = c.connect();
    if (c.server().capabilities)
        c.expectOk(probe.command("capa"), "capa");
    const Account& who = c.account();
    if (c.server().loginMethod == LoginMethod::userPass) {
        c.expectOk(probe.command("user " + who.user), "user");
        c.expectOk(probe.command("pass " + who.password), "pass");
    } else {
        c.expectOk(c.authenticate(probe, c.server().loginMethod, who), "the login");
    }
    // STAT last: the reference the other spellings are compared with.
    std::vector<Reply> stats;
    for (const char* line : {"stat", "Stat", "sTaT", "STAT"}) {
        stats.push_back(probe.command(line));
        c.expectOk(stats.back(), line);
    }
    const auto reference = parseStat(stats.back());
    for (const Reply& reply : stats) {
        const auto stat = parseStat(reply);
        c.expect(!stat || !reference || *stat == *reference,
                 "STAT in another case lists the maildrop differently", stats.back().statusLine,
                 reply.describe());
    }
    for (const char* line : {"list", "Noop"}) {
        c.expectOk(probe.command(line), line);
    }
    c.expectOk(probe.command("quit"), "quit");
}

void transactionCommandsRefusedBeforeLogin(CheckContext& c) {
    Probe probe = c.connect();
    for (const char* line : {"STAT", "LIST", "RETR 1", "DELE 1", "NOOP", "RSET", "TOP 1 0", "UIDL",
                             "LIST 1", "UIDL 1"}) {
        Reply reply = commandUnlessClosed(probe, line);
        if (closedInstead(reply)) {
            // Servers may end a session after a run of refused commands (Dovecot: 10).
            probe = c.connect();
            reply = probe.command(line);
        }
        c.expectErr(reply, std::string(line) + " before login");
    }
    leave(probe);
}

void unknownCommandsRefused(CheckContext& c) {
    Probe probe = c.connect();
    for (const char* line : {"XYZZY", "FOO BAR BAZ"}) {
        c.expectErr(probe.command(line), std::string("\"") + line + "\" before login");
    }
    // USER's name is "(required)" (RFC 1939 §7): without it the command is invalid.
    c.expectErr(probe.command("USER"), "USER without its argument");
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()),
               "the login after refused commands");
    for (const char* line : {"XYZZY", "LIST abc", "RETR"}) {
        c.expectErr(probe.command(line), std::string("\"") + line + "\" after login");
    }
    c.expectOk(probe.command("NOOP"), "NOOP after refused commands");
    probe.quit();
}

void multiLineRepliesTerminated(CheckContext& c) {
    auto expectEnded = [&](const Reply& reply, const std::string& what) {
        c.expect(reply.complete(), "the reply to " + what + " did not end with a \".\" line",
                 "+OK, lines, then \".\" CRLF", reply.describe());
    };
    Probe probe = c.connect();
    if (c.server().capabilities) {
        const Reply capa = probe.command("CAPA");
        expectEnded(capa, "CAPA");
    }
    c.expectOk(c.authenticate(probe, c.server().loginMethod, c.account()), "the login");
    for (const char* line : {"LIST", "UIDL", "CAPA"}) {
        const Reply reply = probe.command(line);
        if (!reply.err())
            expectEnded(reply, line);
    }
    const Reply noop = probe.command("NOOP");
    c.expect(noop.ok(),
             "NOOP after the multi-line replies did not read +OK: a reply went on "
             "past its \".\" line",
             "+OK", noop.describe());
    probe.quit();
}

void longLineRefused(CheckContext& c) {
    Probe probe = c.connect();
    bool lineOpen = false;
    const Reply reply = answerToUnendedLine(probe, std::string(1024, 'X'), lineOpen);
    expectRefusedOrClosed(c, reply, "a 1 KiB command line");
    if (!closedInstead(reply))
        expectCleanEnd(c, probe, lineOpen, "a 1 KiB command line");
    expectServerAlive(c, "a 1 KiB command line");
}

void unendedLineBounded(CheckContext& c) {
    for (const std::size_t size : {std::size_t{64} * 1024, std::size_t{1024} * 1024}) {
        const std::string what = std::to_string(size / 1024) + " KiB without a line end";
        Probe probe = c.connect();
        bool lineOpen = false;
        const Reply reply = answerToUnendedLine(probe, std::string(size, 'A'), lineOpen);
        expectRefusedOrClosed(c, reply, what);
        if (!closedInstead(reply))
            expectCleanEnd(c, probe, lineOpen, what);
    }
    expectServerAlive(c, "1 MiB without a line end");
}

void controlAndEightBitBytesRefused(CheckContext& c) {
    struct Garbage {
        std::string what;
        std::string bytes;
    };
    const std::vector<Garbage> lines{
        {"a NUL inside the keyword", std::string("XY\0ZZY\r\n", 8)},
        {"an 8-bit keyword", "\xC3\x9C\xC3\x9C\xC3\x9C\r\n"},
        {"0xFF bytes", "\xFF\xFE\xFD\xFC\r\n"},
        {"a line ended by a bare LF", "XYZZY\n"},
    };
    Probe probe = c.connect();
    for (const Garbage& garbage : lines) {
        bool lineOpen = false;
        Reply reply;
        if (garbage.bytes.size() >= 2 &&
            garbage.bytes.compare(garbage.bytes.size() - 2, 2, "\r\n") == 0)
            reply = sendUnlessClosed(probe, garbage.bytes) ? probe.read(ResponseKind::SingleLine)
                                                           : closedReply();
        else
            reply = answerToUnendedLine(probe, garbage.bytes, lineOpen);
        expectRefusedOrClosed(c, reply, garbage.what);
        if (closedInstead(reply))
            probe = c.connect();
    }
    expectCleanEnd(c, probe, false, "control and 8-bit bytes");
    expectServerAlive(c, "control and 8-bit bytes");
}

void autologoutAtLeastTenMinutes(CheckContext& c) {
    // The server's timer starts when it reads the last command, a little before the check's
    // clock does.
    constexpr auto kSlack = std::chrono::seconds(5);
    constexpr auto kWait = limits::kMinAutologout + std::chrono::seconds(30);
    Probe probe = c.login();
    const bool marked = !c.messages().empty() && probe.command("DELE 1").ok();
    const Clock::time_point start = Clock::now();
    bool closed = false;
    while (!closed && Clock::now() - start < kWait) {
        const auto left = std::chrono::duration_cast<milliseconds>(kWait - (Clock::now() - start));
        const WireConnection::CloseWait wait = probe.wire().waitForClose(left);
        if (wait.outcome == WireConnection::CloseWait::Outcome::timeout)
            break;
        if (wait.outcome == WireConnection::CloseWait::Outcome::data) {
            probe.wire().discardBuffered();
            c.warn("the server sent \"" + wait.detail.substr(0, wait.detail.find('\r')) +
                   "\" to an idle session; at autologout it should close without a response");
            continue;
        }
        closed = true;
    }
    const Clock::duration idle = Clock::now() - start;
    if (!closed) {
        c.note("the session was still open after " + secondsText(idle) + " without a command");
        c.expectOk(probe.command("NOOP"), "NOOP after " + secondsText(idle) + " idle");
        c.expectOk(probe.command("RSET"), "RSET");
        probe.quit();
        return;
    }
    c.note("the server closed the idle session after " + secondsText(idle));
    if (marked)
        expectMailboxIntact(c, "after the autologout: the session entered the UPDATE state");
    c.expect(idle + kSlack >= limits::kMinAutologout,
             "the server logged out a session idle for " + secondsText(idle),
             "an autologout timer of at least 10 minutes", "closed after " + secondsText(idle));
}

// ---- §4, §6, §7: the AUTHORIZATION state ----

void greetingIsOk(CheckContext& c) {
    Probe probe = c.connect();
    const Reply& greeting = probe.greeting();
    c.expect(greeting.ok(), "the greeting is not +OK", "+OK ...", greeting.describe());
    probe.quit();
}

void wrongPasswordRefused(CheckContext& c) {
    const LoginMethod method = c.server().loginMethod;
    Probe probe = c.connect();
    c.expectErr(c.authenticate(probe, method, withWrongPassword(c.account())),
                "a login with a wrong password");
    const Reply stat = commandUnlessClosed(probe, "STAT");
    if (closedInstead(stat)) {
        c.note("the server closed the connection after the failed login");
        return;
    }
    c.expectErr(stat, "STAT after a failed login");
    c.expectOk(c.authenticate(probe, method, c.account()),
               "a new login on the connection after the failed one");
    probe.quit();
}

void closeAfterAuthFailureIsClean(CheckContext& c) {
    Probe probe = c.connect();
    c.expectErr(c.authenticate(probe, c.server().loginMethod, withWrongPassword(c.account())),
                "a login with a wrong password");
    const Reply quit = commandUnlessClosed(probe, "QUIT");
    if (closedInstead(quit)) {
        c.note("the server closes the connection after a failed login, after its -ERR");
        return;
    }
    c.expectOk(quit, "QUIT after a failed login");
    c.note("the server keeps the connection open after a failed login");
}

void maildropLocked(CheckContext& c) {
    const LoginMethod method = c.server().loginMethod;
    Probe first = c.login();
    Probe second = c.connect();
    const Reply again = c.authenticate(second, method, c.account());
    if (again.ok()) {
        second.quit();
        first.quit();
        c.fail("a second session logged in while the first held the maildrop",
               "-ERR (with [IN-USE] when RESP-CODES is announced)", again.describe());
    }
    if (again.outcome == Reply::Outcome::timeout && again.received.empty()) {
        // Some servers hold the second login until the lock is free (Dovecot's
        // pop3_lock_session): it must complete once the first session quits.
        c.note("the server holds a second login while the maildrop is locked");
        c.expectOk(first.quit(), "QUIT of the first session");
        const Reply held = second.read(ResponseKind::SingleLine);
        c.expect(held.ok(), "the held login did not complete after the first session quit", "+OK",
                 held.describe());
        second.quit();
        return;
    }
    c.expectErr(again, "the second login while the first session is open");
    // An enforced LOGIN-DELAY (RFC 2449 §8.1.1) refuses the login before any lock is tried.
    if (again.code() == "LOGIN-DELAY") {
        leave(second);
        first.quit();
        c.skip("the second login was refused for LOGIN-DELAY, so the lock cannot be seen");
    }
    if (c.hasCapability("RESP-CODES") && again.code() != "IN-USE")
        c.warn("the refusal lacks the [IN-USE] response code (RFC 2449 §8.1.2) although CAPA "
               "announces RESP-CODES: " +
               again.describe());
    leave(second);
    c.expectOk(first.quit(), "QUIT of the first session");
    first.closedByServer();
    Probe third = c.connect();
    const Reply after = c.authenticate(third, method, c.account());
    if (after.code() == "LOGIN-DELAY") {
        leave(third);
        c.skip("the login after QUIT was refused for LOGIN-DELAY, so the lock's release cannot "
               "be seen");
    }
    c.expect(after.ok(), "the maildrop stayed locked after the session holding it quit", "+OK",
             after.describe());
    third.quit();
}

void messagesNumberedFromOne(CheckContext& c) {
    Probe probe = c.login();
    const Reply list = probe.command("LIST");
    c.expectOk(list, "LIST");
    const auto entries = parseListing(list.body);
    c.expect(entries.has_value(), "LIST is malformed", "\"n size\" lines", list.describe());
    for (std::size_t i = 0; i < entries->size(); ++i) {
        c.expect((*entries)[i].first == i + 1,
                 "LIST line " + std::to_string(i + 1) + " has message-number " +
                     std::to_string((*entries)[i].first),
                 "messages numbered 1.." + std::to_string(entries->size()) + " in order",
                 list.body[i]);
    }
    const auto stat = parseStat(probe.command("STAT"));
    c.expect(!stat || stat->first == entries->size(),
             "STAT and LIST disagree right after login: a message is marked deleted",
             std::to_string(entries->size()) + " messages",
             stat ? std::to_string(stat->first) + " messages" : std::string());
    probe.quit();
}

void quitInAuthorization(CheckContext& c) {
    Probe probe = c.connect();
    probe.command("USER " + c.account().user);
    c.expectOk(probe.quit(), "QUIT in the AUTHORIZATION state");
    c.expect(probe.closedByServer(), "the connection stayed open after QUIT",
             "the server closes the connection", "still open");
    expectMailboxIntact(c, "after a QUIT before login");
}

void userPassLogin(CheckContext& c) {
    if (c.server().loginMethod != LoginMethod::userPass)
        c.skip("USER/PASS did not log in during discovery; the checks log in another way");
    const Account& who = c.account();
    Probe probe = c.connect();
    c.expectOk(probe.command("USER " + who.user), "USER " + who.user);
    c.expectOk(probe.command("PASS " + who.password), "PASS after a successful USER");
    c.expectOk(probe.command("STAT"), "STAT after the login (the TRANSACTION state)");
    probe.quit();
}

void passNeedsUser(CheckContext& c) {
    const Account& who = c.account();
    Probe probe = c.connect();
    c.expectErr(probe.command("PASS " + who.password), "PASS without USER");
    if (c.server().loginMethod == LoginMethod::userPass) {
        c.expectOk(probe.command("USER " + who.user), "USER " + who.user);
        probe.command("NOOP");
        if (probe.command("PASS " + who.password).ok())
            c.warn("PASS was accepted after a command between it and USER; RFC 1939 §7 allows "
                   "PASS only immediately after a successful USER");
    }
    leave(probe);
}

void authCommandsRefusedInTransaction(CheckContext& c) {
    const Account& who = c.account();
    Probe probe = c.login();
    c.expectErr(probe.command("USER " + who.user), "USER after login");
    c.expectErr(probe.command("PASS " + who.password), "PASS after login");
    const std::string stamp = apopTimestamp(probe.greeting());
    if (!stamp.empty()) {
        c.expectErr(probe.command("APOP " + who.user + " " + apopDigest(stamp, who.password)),
                    "APOP after login");
    }
    if (const auto sasl = c.capability("SASL")) {
        const std::vector<std::string> offered = saslMechanisms(*sasl);
        if (!offered.empty()) {
            const std::string mechanism =
                std::find(offered.begin(), offered.end(), "PLAIN") != offered.end()
                    ? "PLAIN"
                    : offered.front();
            const Reply auth = probe.command("AUTH " + mechanism);
            if (auth.complete() && auth.continuation)
                commandUnlessClosed(probe, "*");
            c.expectErr(auth, "AUTH " + mechanism + " after login");
        }
    }
    c.expectOk(probe.command("STAT"), "STAT after the refused commands (still logged in)");
    probe.quit();
}

void apopTimestampUnique(CheckContext& c) {
    Probe first = c.connect();
    const std::string stamp = apopTimestamp(first.greeting());
    if (stamp.empty())
        c.skip("the greeting has no APOP timestamp");
    c.expect(looksLikeMsgId(stamp), "the APOP timestamp is not shaped like an RFC 822 msg-id",
             "<local-part@domain>", stamp);
    first.quit();
    Probe second = c.connect();
    const std::string next = apopTimestamp(second.greeting());
    c.expect(next != stamp, "two greetings carry the same APOP timestamp",
             "a timestamp different from " + stamp, next.empty() ? "none" : next);
    second.quit();
}

void apopLogin(CheckContext& c) {
    const Account& who = c.account();
    Probe wrong = c.connect();
    const std::string stamp = apopTimestamp(wrong.greeting());
    if (stamp.empty())
        c.skip("the greeting has no APOP timestamp");
    c.expectErr(wrong.command("APOP " + who.user + " " +
                              apopDigest(stamp, withWrongPassword(who).password)),
                "APOP with a wrong digest");
    const Reply stat = commandUnlessClosed(wrong, "STAT");
    if (!closedInstead(stat))
        c.expectErr(stat, "STAT after a refused APOP (still the AUTHORIZATION state)");
    leave(wrong);
    Probe right = c.connect();
    const Reply login = c.authenticate(right, LoginMethod::apop, who);
    c.expect(login.ok(), "APOP with the digest of the timestamp and the password was refused",
             "+OK", login.describe());
    c.expectOk(right.command("STAT"), "STAT after APOP (the TRANSACTION state)");
    right.quit();
}

void noUserEnumeration(CheckContext& c) {
    const LoginMethod method = c.server().loginMethod;
    // The replies of one login attempt, step by step, and how long they took.
    auto attempt = [&](const Account& who, std::vector<Reply>& steps) {
        Probe probe = c.connect();
        const Clock::time_point start = Clock::now();
        if (method == LoginMethod::userPass) {
            steps.push_back(probe.command("USER " + who.user));
            if (steps.back().ok())
                steps.push_back(probe.command("PASS " + who.password));
        } else {
            steps.push_back(c.authenticate(probe, method, who));
        }
        const Clock::duration took = Clock::now() - start;
        leave(probe);
        return took;
    };
    const Account mistyped = withWrongPassword(c.account());
    const Account unknown{std::string(kUnknownUser), mistyped.password};
    std::vector<Reply> known;
    std::vector<Reply> stranger;
    const Clock::duration knownTime = attempt(mistyped, known);
    const Clock::duration strangerTime = attempt(unknown, stranger);
    auto msText = [](Clock::duration d) {
        return std::to_string(std::chrono::duration_cast<milliseconds>(d).count()) + " ms";
    };
    c.note("a wrong password was refused after " + msText(knownTime) + ", an unknown user after " +
           msText(strangerTime));
    for (std::size_t i = 0; i < std::max(known.size(), stranger.size()); ++i) {
        const std::string expected = i < known.size() ? known[i].describe() : "no such step";
        const std::string actual = i < stranger.size() ? stranger[i].describe() : "no such step";
        const bool same = i < known.size() && i < stranger.size() &&
                          known[i].ok() == stranger[i].ok() &&
                          known[i].code() == stranger[i].code();
        c.expect(same,
                 "an unknown user is answered differently from a wrong password, which tells "
                 "which accounts exist",
                 "as for " + c.account().user + ": " + expected, actual);
    }
}

} // namespace

std::vector<Check> rfc1939AuthorizationChecks() {
    return {
        {{"rfc1939-3-status-indicators-upper-case", "1939", "3", Level::must,
          "Every reply starts with +OK or -ERR, in upper case",
          "Servers MUST send the \"+OK\" and \"-ERR\" in upper case.", 0,
          "rules:\n"
          "  - {command: NOOP, reply: \"-err not in this state\"}\n"},
         statusIndicatorsUpperCase},
        {{"rfc1939-3-responses-end-in-crlf", "1939", "3", Level::must,
          "Every line of every reply ends in CRLF", "All responses are terminated by a CRLF pair.",
          0,
          "rules:\n"
          "  - {command: \"*\", fault: lfLineEnds}\n"},
         responsesEndInCrlf},
        {{"rfc1939-3-status-line-512-octets", "1939", "3", Level::must,
          "The greeting and the first line of every reply are at most 512 octets with CRLF",
          "Responses may be up to 512 characters long, including the terminating CRLF.", 0,
          "rules:\n"
          "  - {command: \"*\", fault: longResponseLine}\n"},
         statusLinesFit512Octets},
        {{"rfc1939-3-keywords-case-insensitive", "1939", "3", Level::must,
          "Keywords are accepted in any case: stat, Stat and STAT do the same",
          "Commands in the POP3 consist of a case-insensitive keyword, possibly followed by one "
          "or more arguments.",
          0,
          "rules:\n"
          "  - {command: STAT, occurrence: 1, reply: \"-ERR unknown command\"}\n"},
         keywordsCaseInsensitive},
        {{"rfc1939-3-unknown-command-refused", "1939", "3", Level::must,
          "Unknown and malformed commands get -ERR, before and after login, and the session "
          "goes on",
          "A server MUST respond to an unrecognized, unimplemented, or syntactically invalid "
          "command by responding with a negative status indicator.",
          0,
          "rules:\n"
          "  - {command: \"*\", occurrence: 1, reply: \"+OK\"}\n"},
         unknownCommandsRefused},
        {{"rfc1939-3-transaction-commands-need-login", "1939", "3", Level::must,
          "STAT, LIST, RETR, DELE, NOOP, RSET, TOP and UIDL before login get -ERR",
          "A server MUST respond to a command issued when the session is in an incorrect state "
          "by responding with a negative status indicator.",
          0,
          "rules:\n"
          "  - {command: NOOP, reply: \"+OK\"}\n"},
         transactionCommandsRefusedBeforeLogin},
        {{"rfc1939-3-multiline-terminated", "1939", "3", Level::must,
          "Multi-line replies (CAPA, LIST, UIDL) end with a \".\" line and nothing follows it",
          "When all lines of the response have been sent, a final line is sent, consisting of a "
          "termination octet (decimal code 046, \".\") and a CRLF pair.",
          0,
          "rules:\n"
          "  - {command: LIST, fault: noTerminator}\n"},
         multiLineRepliesTerminated},
        {{"rfc1939-3-long-line-refused", "1939", "3", Level::sec,
          "A 1 KiB command line gets -ERR or a closed connection, never an acceptance or a hang",
          "A command line longer than the server accepts is answered with -ERR or by closing "
          "the connection; the server neither accepts it, nor stops answering, nor fails.",
          0,
          "server:\n"
          "  limits: {maxCommandLine: 1048576}\n"
          "rules:\n"
          "  - {command: \"*\", reply: \"+OK\"}\n"},
         longLineRefused},
        {{"rfc1939-3-unended-line-bounded", "1939", "3", Level::sec,
          "64 KiB and 1 MiB without a line end get -ERR or a closed connection, never a hang",
          "Input without a line end is not buffered without bound: the server answers -ERR or "
          "closes the connection, at the latest when the line ends, and keeps serving.",
          0,
          "server:\n"
          "  limits: {maxCommandLine: 1048576}\n"
          "rules:\n"
          "  - {command: \"*\", stall: true}\n"},
         unendedLineBounded},
        {{"rfc1939-3-control-and-8bit-bytes", "1939", "3", Level::sec,
          "NUL, 8-bit and 0xFF bytes and a bare LF in a command get -ERR or a closed connection",
          "Keywords and arguments consist of printable ASCII characters; a line with NUL, "
          "8-bit bytes or a bare LF is refused with -ERR or by closing the connection, and the "
          "server keeps serving.",
          0,
          "rules:\n"
          "  - {command: \"*\", reply: \"+OK\"}\n"},
         controlAndEightBitBytesRefused},
        {{"rfc1939-3-autologout-10-minutes", "1939", "3", Level::must,
          "An idle session is not logged out before 10 minutes, and the logout removes nothing",
          "A POP3 server MAY have an inactivity autologout timer. Such a timer MUST be of at "
          "least 10 minutes' duration. ... When the timer expires, the session does NOT enter "
          "the UPDATE state--the server should close the TCP connection without removing any "
          "messages or sending any response to the client.",
          needsSlow | needsDestructive,
          "server:\n"
          "  limits: {idleTimeoutMs: 1000}\n"},
         autologoutAtLeastTenMinutes},
        {{"rfc1939-4-greeting-ok", "1939", "4", Level::must,
          "The greeting is one +OK line sent as soon as the connection opens",
          "Once the TCP connection has been opened by a POP3 client, the POP3 server issues a "
          "one line greeting. This can be any positive response.",
          0,
          "rules:\n"
          "  - {command: greeting, reply: \"-ERR not now\"}\n"},
         greetingIsOk},
        {{"rfc1939-4-wrong-password-refused", "1939", "4", Level::must,
          "A wrong password gets -ERR, the session stays in AUTHORIZATION, and a new login on "
          "it works",
          "If the maildrop cannot be opened for some reason (for example, a lock can not be "
          "acquired, the client is denied access to the appropriate maildrop, or the maildrop "
          "cannot be parsed), the POP3 server responds with a negative status indicator.",
          0,
          "rules:\n"
          "  - {command: PASS, reply: \"+OK\"}\n"},
         wrongPasswordRefused},
        {{"rfc1939-4-close-after-auth-failure", "1939", "4", Level::may,
          "After a failed login the server closes cleanly or keeps serving (recorded)",
          "After returning a negative status indicator, the server may close the connection. "
          "If the server does not close the connection, the client may either issue a new "
          "authentication command and start again, or the client may issue the QUIT command.",
          0, ""},
         closeAfterAuthFailureIsClean},
        {{"rfc1939-4-maildrop-lock", "1939", "4", Level::should,
          "A second session of the same account is refused while the first holds the maildrop, "
          "and admitted once it quits",
          "Once the POP3 server has determined through the use of any authentication command "
          "that the client should be given access to the appropriate maildrop, the POP3 server "
          "then acquires an exclusive-access lock on the maildrop, as necessary to prevent "
          "messages from being modified or removed before the session enters the UPDATE state.",
          0,
          "server:\n"
          "  mailboxLock: false\n"},
         maildropLocked},
        {{"rfc1939-4-messages-numbered-from-1", "1939", "4", Level::must,
          "After login the messages are numbered 1..n in order, none marked deleted",
          "The first message in the maildrop is assigned a message-number of \"1\", the second "
          "is assigned \"2\", and so on, so that the nth message in a maildrop is assigned a "
          "message-number of \"n\".",
          0,
          "rules:\n"
          "  - {command: LIST, reply: \"+OK\\n2 120\\n3 140\\n.\\n\"}\n"},
         messagesNumberedFromOne},
        {{"rfc1939-6-quit-in-authorization", "1939", "6", Level::must,
          "QUIT before login gets +OK, closes the connection and changes nothing",
          "(Note that if the client issues the QUIT command from the AUTHORIZATION state, the "
          "POP3 session terminates but does NOT enter the UPDATE state.)",
          0,
          "rules:\n"
          "  - {command: QUIT, occurrence: 1, reply: \"-ERR not now\"}\n"},
         quitInAuthorization},
        {{"rfc1939-7-user-pass-login", "1939", "7", Level::must,
          "USER with the account, then PASS with its password, logs in",
          "When the client issues the PASS command, the POP3 server uses the argument pair from "
          "the USER and PASS commands to determine if the client should be given access to the "
          "appropriate maildrop.",
          0,
          "rules:\n"
          "  - {command: PASS, reply: \"-ERR invalid password\"}\n"},
         userPassLogin},
        {{"rfc1939-7-pass-needs-user", "1939", "7", Level::must,
          "PASS without a successful USER right before it gets -ERR",
          "Restrictions: may only be given in the AUTHORIZATION state immediately after a "
          "successful USER command",
          0,
          "rules:\n"
          "  - {command: PASS, occurrence: 1, reply: \"+OK\"}\n"},
         passNeedsUser},
        {{"rfc1939-7-auth-commands-refused-in-transaction", "1939", "7", Level::must,
          "USER, PASS, APOP and AUTH after login get -ERR and the session stays logged in",
          "A server MUST respond to a command issued when the session is in an incorrect state "
          "by responding with a negative status indicator.",
          0,
          "rules:\n"
          "  - {command: USER, occurrence: 2, reply: \"+OK\"}\n"},
         authCommandsRefusedInTransaction},
        {{"rfc1939-7-apop-timestamp", "1939", "7", Level::must,
          "The APOP timestamp is shaped <local@domain> and differs on every connection",
          "A POP3 server which implements the APOP command will include a timestamp in its "
          "banner greeting. The syntax of the timestamp corresponds to the `msg-id' in "
          "[RFC822], and MUST be different each time the POP3 server issues a banner greeting.",
          0,
          "rules:\n"
          "  - {command: greeting, reply: \"+OK ready <1896.697170952@localhost>\"}\n"},
         apopTimestampUnique},
        {{"rfc1939-7-apop-login", "1939", "7", Level::must,
          "APOP with MD5(timestamp + password) logs in; a wrong digest gets -ERR",
          "If the digest is correct, the POP3 server issues a positive response, and the POP3 "
          "session enters the TRANSACTION state. Otherwise, a negative response is issued and "
          "the POP3 session remains in the AUTHORIZATION state.",
          0,
          "rules:\n"
          "  - {command: APOP, reply: \"+OK maildrop locked and ready\"}\n"},
         apopLogin},
        {{"rfc1939-13-no-user-enumeration", "1939", "13", Level::sec,
          "An unknown user and a wrong password get the same replies (status and response "
          "code); timings are noted",
          "A login attempt for an account that does not exist is answered exactly as one with "
          "a wrong password, step by step, so that replies do not tell which accounts exist.",
          0,
          "rules:\n"
          "  - {command: USER, arguments: '^pop3-conform-no-such-user$', reply: \"-ERR no "
          "such mailbox\"}\n"},
         noUserEnumeration},
    };
}

} // namespace pop3::conformance
