#pragma once

#include <cstdint>
#include <string>

namespace pop3::mock {

/// Deterministic synthetic messages for `generate:` entries. The text is a function of
/// (seed, ordinal, size) only, and its canonical size (CRLF line ends, pop3::measureMessage)
/// is exactly `size`, so a mailbox can list thousands of them without producing any.
///
/// Shape: a fixed-width header block (Message-ID, From, To, Subject, Date; 223 octets), a blank
/// line, then body lines of pseudo-random words of at most 78 octets. Every 16th body line
/// starts with "." so that byte-stuffing is exercised.
class MessageGenerator {
public:
    /// The smallest size a generated message can have: its headers and the blank line.
    static constexpr std::uint64_t kMinSize = 225;

    /// The text of message `ordinal` (0-based within its `generate:` entry). `size` must be at
    /// least kMinSize (the loader checks it); smaller values are raised to it.
    static std::string generate(std::uint64_t seed, std::uint64_t ordinal, std::uint64_t size);
};

} // namespace pop3::mock
