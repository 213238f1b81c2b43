#include "CheckSupport.h"

#include "pop3/Command.h"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <thread>

namespace pop3::conformance {

namespace {

/// Longest piece of server text quoted in a message.
constexpr std::size_t kQuoted = 200;
/// No more octets than this are read by checks that read whole messages.
constexpr std::uint64_t kMaxFetchedOctets = 4 * 1024 * 1024;
/// A server may take a moment to notice that a connection went away and free the maildrop.
constexpr int kLoginAttempts = 15;
constexpr std::chrono::milliseconds kLoginPause{200};

} // namespace

std::string upper(std::string_view text) {
    return Poco::toUpper(std::string(text));
}

std::string quoted(std::string text) {
    if (text.size() > kQuoted) {
        text.resize(kQuoted);
        text += "...";
    }
    return text;
}

std::string joined(const std::vector<std::string>& items, std::string_view separator,
                   std::string_view none) {
    std::string out;
    for (const std::string& item : items)
        out += (out.empty() ? "" : std::string(separator)) + item;
    return out.empty() ? std::string(none) : out;
}

std::string joinLines(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines)
        text += line + "\r\n";
    return text;
}

Account withWrongPassword(const Account& who) {
    return {who.user, who.password + "-wrong"};
}

std::string tagOf(std::string_view line) {
    return upper(line.substr(0, line.find(' ')));
}

const std::string* lineWithTag(const std::vector<std::string>& lines, std::string_view tag) {
    for (const std::string& line : lines) {
        if (tagOf(line) == tag)
            return &line;
    }
    return nullptr;
}

std::vector<std::string> saslMechanisms(std::string_view line) {
    std::istringstream in{std::string(line)};
    std::vector<std::string> out;
    std::string word;
    in >> word;
    while (in >> word)
        out.push_back(upper(word));
    return out;
}

std::optional<std::pair<std::uint64_t, std::string>> parseListingLine(std::string_view line) {
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || space + 1 >= line.size() ||
        line.find(' ', space + 1) != std::string_view::npos)
        return std::nullopt;
    const std::optional<std::uint64_t> number = parseDecimal(line.substr(0, space));
    if (!number)
        return std::nullopt;
    return std::make_pair(*number, std::string(line.substr(space + 1)));
}

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

std::optional<std::pair<std::uint64_t, std::uint64_t>> parseStat(const Reply& reply) {
    if (!reply.ok())
        return std::nullopt;
    std::string_view rest = reply.statusLine;
    if (rest.substr(0, 4) != "+OK ")
        return std::nullopt;
    rest.remove_prefix(4);
    // "This memo makes no requirement on what follows the maildrop size" (RFC 1939 §5).
    const std::size_t first = rest.find(' ');
    if (first == std::string_view::npos)
        return std::nullopt;
    const std::size_t second = rest.find(' ', first + 1);
    const std::optional<std::uint64_t> count = parseDecimal(rest.substr(0, first));
    const std::optional<std::uint64_t> octets = parseDecimal(rest.substr(
        first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1));
    if (!count || !octets)
        return std::nullopt;
    return std::make_pair(*count, *octets);
}

std::optional<std::vector<std::pair<std::uint64_t, std::string>>>
parseListing(const std::vector<std::string>& body) {
    std::vector<std::pair<std::uint64_t, std::string>> entries;
    for (const std::string& line : body) {
        auto entry = parseListingLine(line);
        if (!entry)
            return std::nullopt;
        entries.push_back(std::move(*entry));
    }
    return entries;
}

std::string_view afterStatus(const Reply& reply) {
    const std::string_view line = reply.statusLine;
    return line.size() > 4 ? line.substr(4) : std::string_view{};
}

std::pair<std::uint64_t, std::uint64_t> readStat(CheckContext& c, Probe& probe) {
    const Reply reply = probe.command("STAT");
    c.expectOk(reply, "STAT");
    const auto drop = parseStat(reply);
    c.expect(drop.has_value(), "STAT's reply is not a drop listing", "+OK <count> <octets>",
             reply.describe());
    return *drop;
}

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

void markDeleted(CheckContext& c, Probe& probe, std::uint64_t number) {
    const std::string line = "DELE " + std::to_string(number);
    c.expectOk(probe.command(line), line);
}

void expectRefused(CheckContext& c, Probe& probe, const std::vector<std::string>& lines) {
    for (const std::string& line : lines)
        c.expectErr(probe.command(line), line);
}

void expectNoSuchMessageRefused(CheckContext& c, const std::string& keyword) {
    Probe probe = c.login();
    const std::uint64_t count = readStat(c, probe).first;
    expectRefused(c, probe, {keyword + " 0", keyword + " " + std::to_string(count + 1)});
    probe.quit();
}

void expectRefusedWhenDeleted(CheckContext& c, const std::string& line, const std::string& what) {
    c.requireMessages(1);
    Probe probe = c.login();
    markDeleted(c, probe, 1);
    c.expectErr(probe.command(line), what);
    endUnchanged(c, probe);
}

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

void endUnchanged(CheckContext& c, Probe& probe) {
    c.expectOk(probe.command("RSET"), "RSET");
    probe.quit();
}

} // namespace pop3::conformance
