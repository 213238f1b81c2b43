#pragma once

#include "pop3/CommandTable.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pop3 {

/// A wire message number: 1-based, as clients send and servers list them (RFC 1939 §4).
/// Storage is 0-based (MessageIndex); toIndex()/fromIndex() are the one mapping between them.
struct MessageNumber {
    std::uint64_t value = 0;

    std::size_t toIndex() const { return static_cast<std::size_t>(value - 1); }
    static MessageNumber fromIndex(std::size_t index) {
        return {static_cast<std::uint64_t>(index) + 1};
    }
};

/// A position in a session's message list, 0-based.
using MessageIndex = std::size_t;

/// A command line that passed the table's argument rule.
struct Command {
    const CommandSpec* spec = nullptr;
    /// The arguments as split by the rule (RestOfLine keeps spaces; Mechanism gives one or two).
    std::vector<std::string> arguments;
    /// The parsed message number, for rules that take one (absent for LIST/UIDL without it).
    std::optional<MessageNumber> message;
    /// The parsed line count, for TOP.
    std::uint64_t lines = 0;

    CommandId id() const { return spec->id; }
};

/// Why a command line was refused.
struct CommandError {
    enum class Kind {
        /// Empty line, or a keyword not in the table with anything but ASCII letters in it.
        Malformed,
        /// A well-formed keyword that is not in the table.
        UnknownCommand,
        /// The arguments do not fit the command's rule (missing, extra, not a number, ...).
        BadArguments,
    };
    Kind kind = Kind::Malformed;
    std::string message;
};

/// A decimal number of ASCII digits that fills `text` entirely (no sign, no spaces) and fits
/// 64 bits; nullopt otherwise.
std::optional<std::uint64_t> parseDecimal(std::string_view text);

/// Parses one command line (without its line end) against the command table. Never throws:
/// any input gives a Command or a CommandError.
///
/// Policy: keywords are ASCII letters (or a table row such as UTF8), matched case-insensitively;
/// arguments are separated by one or more spaces; message numbers and line counts are decimal
/// digits only (no sign), a message number is at least 1, and values that overflow 64 bits are
/// refused. Control bytes never reach this function (LineFramer refuses them); 8-bit bytes are
/// allowed in arguments.
std::variant<Command, CommandError> parseCommand(std::string_view line);

/// A command line as traces, logs and transcripts may show it: the argument of PASS, the digest
/// of APOP and the initial response of AUTH replaced by "****". SASL response lines are not
/// commands: show them as "****" whole.
std::string maskSecrets(std::string_view line);

/// Splits a byte stream into lines, enforcing the line policy before any parsing:
/// - a line ends at CRLF; a bare LF is accepted as a line end as well (some clients and
///   `telnet`-style tools send it; being lenient here harms no one);
/// - a line longer than the limit (line end included) is refused once and its bytes are
///   discarded up to the next line end, so memory stays bounded however long it gets;
/// - NUL and other control bytes (0x00-0x1F except the line end, and 0x7F) are refused;
/// - 8-bit bytes are passed through (RFC 6856 user names).
class LineFramer {
public:
    struct Line {
        std::string text;
        /// Set when the line was refused; text then holds nothing useful.
        std::optional<std::string> error;
    };

    explicit LineFramer(std::size_t maxLine) : _maxLine(maxLine) {}

    void setMaxLine(std::size_t maxLine) { _maxLine = maxLine; }
    std::size_t maxLine() const { return _maxLine; }

    /// Appends received bytes. Never buffers more than the limit plus one read.
    void feed(std::string_view bytes);
    /// The next complete line, or nullopt until more bytes arrive.
    std::optional<Line> next();
    /// Drops everything buffered (after STLS: RFC 2595 §4 / CVE-2011-0411).
    void discardBuffered();
    std::size_t buffered() const { return _buffer.size() - _start; }

private:
    std::string _buffer;
    std::size_t _start = 0;
    std::size_t _maxLine;
    bool _discarding = false;
};

} // namespace pop3
