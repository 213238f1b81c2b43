#include "pop3/Response.h"

namespace pop3 {

namespace {

/// RFC 2449 §8: a resp-level character is any CHAR except "/", "[", "]", SP and CTL.
bool isLevelChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F && c != '/' && c != '[' && c != ']';
}

} // namespace

bool isValidResponseCode(std::string_view code) {
    bool levelEmpty = true;
    for (char c : code) {
        if (c == '/') {
            if (levelEmpty)
                return false;
            levelEmpty = true;
        } else if (isLevelChar(c)) {
            levelEmpty = false;
        } else {
            return false;
        }
    }
    return !levelEmpty; // also rejects an empty code
}

void splitResponseCode(std::string_view text, std::string& code, std::string& rest) {
    // Build into temporaries: `text` may view `code` or `rest`.
    std::string newCode;
    std::string_view tail = text;
    if (!text.empty() && text.front() == '[') {
        // A level cannot contain "]", so the first one closes the code.
        const auto close = text.find(']', 1);
        if (close != std::string_view::npos) {
            const auto inner = text.substr(1, close - 1);
            if (isValidResponseCode(inner)) {
                newCode.assign(inner);
                tail = text.substr(close + 1);
                if (!tail.empty() && tail.front() == ' ')
                    tail.remove_prefix(1);
            }
        }
    }
    std::string newRest(tail);
    code = std::move(newCode);
    rest = std::move(newRest);
}

} // namespace pop3
