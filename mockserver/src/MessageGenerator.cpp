#include "pop3/mock/MessageGenerator.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace pop3::mock {

namespace {

constexpr std::string_view kFrom = "From: Generator <generator@example.invalid>\r\n";
constexpr std::string_view kTo = "To: Mailbox <mailbox@example.invalid>\r\n";
constexpr std::string_view kDate = "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n";
// "Message-ID: <" 16 hex digits "." 10 digits "@generated.invalid>" CRLF.
constexpr std::uint64_t kMessageIdSize = 13 + 16 + 1 + 10 + 19 + 2;
// "Subject: Generated message " 10 digits CRLF.
constexpr std::uint64_t kSubjectSize = 27 + 10 + 2;
constexpr std::uint64_t kHeaderSize =
    kMessageIdSize + kFrom.size() + kTo.size() + kSubjectSize + kDate.size();
static_assert(MessageGenerator::kMinSize == kHeaderSize + 2, "kMinSize is headers + blank line");

// Longest body line, CRLF excluded (RFC 5322 §2.1.1 recommends 78 with CRLF).
constexpr std::uint64_t kMaxLine = 76;
constexpr std::uint64_t kMinLine = 20;

constexpr std::array<std::string_view, 32> kWords{
    "mail",  "server", "client",  "message", "octet",   "line",  "header", "body",
    "drop",  "state",  "session", "command", "reply",   "token", "secure", "plain",
    "quick", "brown",  "fox",     "jumps",   "over",    "lazy",  "dog",    "lorem",
    "ipsum", "dolor",  "sit",     "amet",    "maildir", "queue", "relay",  "uid"};

/// splitmix64: small, fast and good enough for filler text.
class Random {
public:
    explicit Random(std::uint64_t seed) : _state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t between(std::uint64_t low, std::uint64_t high) {
        return low + next() % (high - low + 1);
    }

private:
    std::uint64_t _state;
};

/// Appends a line of exactly `length` characters and CRLF.
void appendLine(std::string& out, std::uint64_t length, bool dot, Random& random) {
    const std::size_t start = out.size();
    if (dot && length > 0)
        out += '.';
    while (out.size() - start < length) {
        if (out.size() > start && out.back() != '.')
            out += ' ';
        out += kWords[random.next() % kWords.size()];
    }
    out.resize(start + length);
    out += "\r\n";
}

} // namespace

std::string MessageGenerator::generate(std::uint64_t seed, std::uint64_t ordinal,
                                       std::uint64_t size) {
    size = std::max(size, kMinSize);
    std::uint64_t remaining = size - kMinSize;
    // A body cannot be 1 octet long (every line ends with CRLF): lengthen the subject instead.
    const bool pad = remaining == 1;
    if (pad)
        remaining = 0;

    std::string out;
    out.reserve(size);
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "Message-ID: <%016llx.%010llu@generated.invalid>\r\n",
                  static_cast<unsigned long long>(seed),
                  static_cast<unsigned long long>(ordinal % 10000000000ULL));
    out += buffer;
    out += kFrom;
    out += kTo;
    std::snprintf(buffer, sizeof buffer, "Subject: Generated message %010llu%s\r\n",
                  static_cast<unsigned long long>(ordinal % 10000000000ULL), pad ? "~" : "");
    out += buffer;
    out += kDate;
    out += "\r\n";

    Random random(seed ^ (ordinal * 0xD1B54A32D192ED03ULL));
    for (std::uint64_t line = 1; remaining > 0; ++line) {
        const bool dot = line % 16 == 0;
        if (remaining <= kMaxLine + 2) {
            appendLine(out, remaining - 2, dot, random);
            break;
        }
        std::uint64_t length = random.between(kMinLine, kMaxLine);
        if (remaining - (length + 2) == 1)
            --length;
        appendLine(out, length, dot, random);
        remaining -= length + 2;
    }
    return out;
}

} // namespace pop3::mock
