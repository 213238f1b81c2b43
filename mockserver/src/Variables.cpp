#include "pop3/mock/Variables.h"

#include <cctype>

namespace pop3::mock {

namespace {

bool nameStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool nameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

/// Walks `text`, calling literal(piece) and reference(name) in order.
template <typename Literal, typename Reference>
void scan(std::string_view text, Literal literal, Reference reference) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t dollar = text.find('$', pos);
        if (dollar == std::string_view::npos) {
            literal(text.substr(pos));
            return;
        }
        literal(text.substr(pos, dollar - pos));
        if (text.compare(dollar, 3, "$${") == 0) {
            literal("${");
            pos = dollar + 3;
            continue;
        }
        if (dollar + 1 >= text.size() || text[dollar + 1] != '{') {
            literal("$");
            pos = dollar + 1;
            continue;
        }
        const std::size_t close = text.find('}', dollar + 2);
        if (close == std::string_view::npos)
            throw Variables::SyntaxError("'${' without a closing '}'", dollar);
        const std::string_view name = text.substr(dollar + 2, close - dollar - 2);
        bool valid = !name.empty() && nameStart(name.front());
        for (char c : name)
            valid = valid && nameChar(c);
        if (!valid)
            throw Variables::SyntaxError(
                "'${" + std::string(name) +
                    "}' is not a variable name (a letter or '_', then letters, digits, '_')",
                dollar);
        reference(name);
        pos = close + 1;
    }
}

std::string quoteRegex(std::string_view value) {
    // \Q...\E quotes everything but "\E" itself, which closes and reopens the quote.
    std::string out = "\\Q";
    std::size_t pos = 0;
    for (std::size_t end; (end = value.find("\\E", pos)) != std::string_view::npos; pos = end + 2) {
        out.append(value.substr(pos, end - pos));
        out += "\\E\\\\E\\Q";
    }
    out.append(value.substr(pos));
    return out + "\\E";
}

} // namespace

std::vector<std::string> Variables::references(std::string_view text) {
    std::vector<std::string> names;
    scan(
        text, [](std::string_view) {}, [&](std::string_view name) { names.emplace_back(name); });
    return names;
}

std::string Variables::expand(std::string_view text, const Values& values, bool quoteForRegex) {
    std::string out;
    out.reserve(text.size());
    scan(
        text, [&](std::string_view piece) { out.append(piece); },
        [&](std::string_view name) {
            auto it = values.find(name);
            if (it == values.end())
                throw std::out_of_range("variable '" + std::string(name) + "' has no value");
            out += quoteForRegex ? quoteRegex(it->second) : it->second;
        });
    return out;
}

} // namespace pop3::mock
