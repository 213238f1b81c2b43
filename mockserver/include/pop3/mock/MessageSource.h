#pragma once

#include "pop3/mock/Diagnostic.h"

#include <cstdint>
#include <optional>
#include <string>

namespace pop3::mock {

/// The `generate:` parameters: `count` messages of exactly `size` octets from `seed`.
struct GenerateSpec {
    std::uint64_t count = 1;
    std::uint64_t size = 1024;
    std::uint64_t seed = 1;
};

/// One entry of a mailbox's `messages:` list: a small descriptor, not the message. An Inline
/// entry holds its text; a File entry its path; a Generated entry stands for `generate.count`
/// messages produced on demand (MessageGenerator). Messages of one entry are addressed by a
/// 0-based `ordinal`; Inline and File entries have the single ordinal 0.
struct MessageSource {
    enum class Kind { Inline, File, Generated };

    Kind kind = Kind::Inline;
    /// Inline: the message (from `headers:`/`body:` with CRLF line ends, or `raw:` as written).
    std::string text;
    /// File: the resolved path (relative paths resolve against the scenario file's directory).
    std::string path;
    /// Generated: the parameters.
    GenerateSpec generate;
    /// Inline and File: the canonical size in octets (pop3::measureMessage), taken at load time.
    std::uint64_t size = 0;
    /// A fixed unique-id (`uid:`); never set for Generated entries.
    std::optional<std::string> uid;
    /// Where the entry is in the scenario file.
    SourceLocation location;

    /// How many messages the entry stands for.
    std::uint64_t count() const { return kind == Kind::Generated ? generate.count : 1; }
    /// Canonical size of message `ordinal`, without producing it.
    std::uint64_t sizeOf(std::uint64_t ordinal) const;
    /// The text of message `ordinal`: the inline text, the file's bytes as they are now, or the
    /// generated text. Line ends may be LF or CRLF; its canonical size is sizeOf(ordinal) (for a
    /// file, as long as it has not changed since loading). Throws std::runtime_error naming the
    /// file when it can no longer be read.
    std::string textOf(std::uint64_t ordinal) const;
};

} // namespace pop3::mock
