// fuzz_command: LineFramer and parseCommand over arbitrary bytes.
//
// Input: [max-line selector] [chunk seed] payload. Invariants: the framer yields the same lines
// however the payload is chunked; a line it accepts holds no line end or control byte and fits
// the limit; what stays buffered after draining is below the limit; parseCommand gives a
// Command that obeys its argument rule or a CommandError with a message.

#include "pop3/Command.h"
#include "pop3/Limits.h"
#include "pop3/ResponseDecoder.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "FuzzSupport.h"

namespace {

using pop3::ArgumentRule;
using pop3::Command;
using pop3::CommandError;
using pop3::LineFramer;
using pop3::fuzz::Chunker;
using pop3::fuzz::InputReader;

std::size_t maxLineFor(std::uint8_t selector) {
    switch (selector % 4) {
    case 0:
        return pop3::limits::kMaxCommandLine;
    case 1:
        return pop3::limits::kMaxSaslLine;
    default:
        return selector / 4u + 1u; // 1..64: tiny limits reach every edge quickly
    }
}

bool isControl(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

void checkCommand(std::string_view line) {
    const auto parsed = pop3::parseCommand(line);
    if (const auto* error = std::get_if<CommandError>(&parsed)) {
        POP3_FUZZ_CHECK(!error->message.empty());
        return;
    }
    const Command& command = std::get<Command>(parsed);
    POP3_FUZZ_CHECK(command.spec != nullptr);
    POP3_FUZZ_CHECK(pop3::findCommand(command.spec->name) == command.spec);
    if (command.message)
        POP3_FUZZ_CHECK(command.message->value >= 1);
    const std::size_t count = command.arguments.size();
    switch (command.spec->arguments) {
    case ArgumentRule::None:
        POP3_FUZZ_CHECK(count == 0 && !command.message);
        break;
    case ArgumentRule::OptionalMessage:
        POP3_FUZZ_CHECK(count <= 1 && command.message.has_value() == (count == 1));
        break;
    case ArgumentRule::Message:
        POP3_FUZZ_CHECK(count == 1 && command.message);
        break;
    case ArgumentRule::MessageAndLines:
        POP3_FUZZ_CHECK(count == 2 && command.message);
        POP3_FUZZ_CHECK(pop3::parseDecimal(command.arguments[1]) == command.lines);
        break;
    case ArgumentRule::Word:
    case ArgumentRule::RestOfLine:
        POP3_FUZZ_CHECK(count == 1 && !command.arguments[0].empty());
        break;
    case ArgumentRule::NameAndDigest:
        POP3_FUZZ_CHECK(count == 2 && command.arguments[1].size() == 32);
        break;
    case ArgumentRule::Mechanism:
    case ArgumentRule::OptionalWord:
        POP3_FUZZ_CHECK(count <= (command.spec->arguments == ArgumentRule::Mechanism ? 2u : 1u));
        break;
    }
    for (const std::string& argument : command.arguments) {
        POP3_FUZZ_CHECK(!argument.empty());
        if (command.spec->arguments != ArgumentRule::RestOfLine)
            POP3_FUZZ_CHECK(argument.find(' ') == std::string::npos);
    }
    (void)pop3::responseKindOf(line);
}

/// Every line the framer gives for `payload` cut into the given chunks; "!" + error for refusals.
std::vector<std::string> frame(std::string_view payload, std::size_t maxLine, Chunker chunker) {
    LineFramer framer(maxLine);
    std::vector<std::string> lines;
    while (!payload.empty()) {
        const std::size_t size = chunker.next(payload.size());
        framer.feed(payload.substr(0, size));
        payload.remove_prefix(size);
        while (std::optional<LineFramer::Line> line = framer.next()) {
            if (line->error) {
                POP3_FUZZ_CHECK(!line->error->empty());
                lines.push_back("!" + *line->error);
                continue;
            }
            POP3_FUZZ_CHECK(line->text.size() + 1 <= maxLine);
            for (char c : line->text)
                POP3_FUZZ_CHECK(!isControl(c));
            lines.push_back(" " + line->text);
        }
        POP3_FUZZ_CHECK(framer.buffered() < maxLine);
    }
    return lines;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    InputReader input(data, size);
    const std::size_t maxLine = maxLineFor(input.byte());
    const std::uint8_t seed = input.byte();
    const std::string_view payload = input.rest();

    const std::vector<std::string> whole = frame(payload, maxLine, Chunker(0));
    POP3_FUZZ_CHECK(frame(payload, maxLine, Chunker(seed)) == whole);
    for (const std::string& line : whole) {
        if (line[0] == ' ')
            checkCommand(std::string_view(line).substr(1));
    }
    // parseCommand promises an answer for any text, not only what the framer lets through.
    checkCommand(payload.substr(0, 4096));
    return 0;
}
