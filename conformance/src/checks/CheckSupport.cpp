#include "CheckSupport.h"

#include "pop3/Command.h"

namespace pop3::conformance {

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

std::string joinLines(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines)
        text += line + "\r\n";
    return text;
}

} // namespace pop3::conformance
