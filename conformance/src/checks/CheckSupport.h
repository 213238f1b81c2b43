#pragma once

// Parsing shared by the check families: the exact wire formats RFC 1939 fixes.
#include "pop3/conformance/CheckContext.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pop3::conformance {

/// "NUMBER SP VALUE" exactly (one space, decimal number), as scan listings (RFC 1939 §5
/// LIST) and unique-id listings (§7 UIDL) are; nullopt otherwise.
std::optional<std::pair<std::uint64_t, std::string>> parseListingLine(std::string_view line);

/// "+OK count octets" exactly (RFC 1939 §5 STAT's drop listing); nullopt otherwise.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parseStat(const Reply& reply);

/// The listing lines of a multi-line LIST or UIDL body; nullopt when one line is malformed.
std::optional<std::vector<std::pair<std::uint64_t, std::string>>>
parseListing(const std::vector<std::string>& body);

/// A message body as RETR/TOP deliver it: the lines joined with CRLF, each line ended.
std::string joinLines(const std::vector<std::string>& lines);

} // namespace pop3::conformance
