#include "pop3/Command.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace pop3 {

namespace {

bool isLetter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool isDigit(char c) {
    return c >= '0' && c <= '9';
}
bool isHexDigit(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isControl(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

std::vector<std::string> splitWords(std::string_view text) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ')
            ++i;
        const std::size_t begin = i;
        while (i < text.size() && text[i] != ' ')
            ++i;
        if (i > begin)
            words.emplace_back(text.substr(begin, i - begin));
    }
    return words;
}

CommandError badArguments(const CommandSpec& spec, std::string_view what) {
    std::string message(spec.name);
    message += ": ";
    message += what;
    return {CommandError::Kind::BadArguments, std::move(message)};
}

std::optional<MessageNumber> parseMessageNumber(std::string_view text) {
    const auto value = parseDecimal(text);
    if (!value || *value == 0)
        return std::nullopt;
    return MessageNumber{*value};
}

} // namespace

std::optional<std::uint64_t> parseDecimal(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (!isDigit(c))
            return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

std::variant<Command, CommandError> parseCommand(std::string_view line) {
    const std::size_t space = line.find(' ');
    const std::string_view keyword = line.substr(0, space);
    const std::string_view rest =
        space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);

    if (keyword.empty())
        return CommandError{CommandError::Kind::Malformed, "empty command"};
    // A table row may carry a digit (UTF8); any other keyword is letters only.
    const CommandSpec* spec = findCommand(keyword);
    if (spec == nullptr) {
        for (char c : keyword) {
            if (!isLetter(c))
                return CommandError{CommandError::Kind::Malformed, "malformed command keyword"};
        }
        return CommandError{CommandError::Kind::UnknownCommand, "unknown command"};
    }

    Command command;
    command.spec = spec;
    std::vector<std::string> words = splitWords(rest);

    switch (spec->arguments) {
    case ArgumentRule::None:
        if (!words.empty())
            return badArguments(*spec, "takes no arguments");
        break;
    case ArgumentRule::OptionalMessage:
    case ArgumentRule::Message:
        if (words.size() > 1)
            return badArguments(*spec, "too many arguments");
        if (words.empty()) {
            if (spec->arguments == ArgumentRule::Message)
                return badArguments(*spec, "message number required");
            break;
        }
        command.message = parseMessageNumber(words[0]);
        if (!command.message)
            return badArguments(*spec, "invalid message number");
        break;
    case ArgumentRule::MessageAndLines: {
        if (words.size() != 2)
            return badArguments(*spec, "message number and line count required");
        command.message = parseMessageNumber(words[0]);
        if (!command.message)
            return badArguments(*spec, "invalid message number");
        const auto lines = parseDecimal(words[1]);
        if (!lines)
            return badArguments(*spec, "invalid line count");
        command.lines = *lines;
        break;
    }
    case ArgumentRule::Word:
        if (words.size() != 1)
            return badArguments(*spec, "one argument required");
        break;
    case ArgumentRule::RestOfLine:
        if (rest.empty())
            return badArguments(*spec, "argument required");
        words.assign(1, std::string(rest));
        break;
    case ArgumentRule::NameAndDigest:
        if (words.size() != 2)
            return badArguments(*spec, "name and digest required");
        if (words[1].size() != 32)
            return badArguments(*spec, "digest must be 32 hex digits");
        for (char c : words[1]) {
            if (!isHexDigit(c))
                return badArguments(*spec, "digest must be 32 hex digits");
        }
        break;
    case ArgumentRule::Mechanism:
        if (words.size() > 2)
            return badArguments(*spec, "too many arguments");
        break;
    case ArgumentRule::OptionalWord:
        if (words.size() > 1)
            return badArguments(*spec, "too many arguments");
        break;
    }
    command.arguments = std::move(words);
    return command;
}

std::string maskSecrets(std::string_view line) {
    constexpr std::string_view kMasked = "****";
    // Leading spaces make no command, but whatever follows PASS is still a password.
    const std::size_t start = std::min(line.find_first_not_of(' '), line.size());
    const std::size_t space = line.find(' ', start);
    if (space == std::string_view::npos)
        return std::string(line);
    const std::string_view keyword = line.substr(start, space - start);
    auto is = [&](std::string_view name) {
        return keyword.size() == name.size() &&
               std::equal(keyword.begin(), keyword.end(), name.begin(), [](char a, char b) {
                   return std::toupper(static_cast<unsigned char>(a)) == b;
               });
    };
    // What stays visible: PASS alone; APOP and AUTH with their first argument (the APOP digest
    // allows the same offline guessing as a CRAM-MD5 response).
    std::size_t visible = std::string_view::npos;
    if (is("PASS"))
        visible = space;
    else if (is("APOP") || is("AUTH"))
        visible = line.find(' ', line.find_first_not_of(' ', space));
    if (visible == std::string_view::npos)
        return std::string(line);
    return std::string(line.substr(0, visible)) + " " + std::string(kMasked);
}

void LineFramer::feed(std::string_view bytes) {
    if (_discarding) {
        const std::size_t lf = bytes.find('\n');
        if (lf == std::string_view::npos)
            return;
        _discarding = false;
        bytes.remove_prefix(lf + 1);
    }
    if (_start > 0 && _start >= _buffer.size() / 2) {
        _buffer.erase(0, _start);
        _start = 0;
    }
    _buffer.append(bytes);
}

std::optional<LineFramer::Line> LineFramer::next() {
    const std::size_t lf = _buffer.find('\n', _start);
    if (lf == std::string::npos) {
        if (buffered() < _maxLine)
            return std::nullopt;
        // Over-long and still no line end: refuse it now and skip its remaining bytes as they
        // arrive, keeping memory bounded.
        _buffer.clear();
        _start = 0;
        _discarding = true;
        return Line{{}, "line too long"};
    }
    const std::size_t length = lf + 1 - _start;
    std::string_view text(_buffer.data() + _start, lf - _start);
    _start = lf + 1;
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    if (length > _maxLine)
        return Line{{}, "line too long"};
    for (char c : text) {
        if (isControl(static_cast<unsigned char>(c)))
            return Line{{}, "control characters are not allowed"};
    }
    return Line{std::string(text), std::nullopt};
}

void LineFramer::discardBuffered() {
    _buffer.clear();
    _start = 0;
    _discarding = false;
}

} // namespace pop3
