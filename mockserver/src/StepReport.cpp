#include "pop3/mock/StepReport.h"

namespace pop3::mock {

namespace {

const char* sourceTag(TranscriptLine::Source source) {
    switch (source) {
    case TranscriptLine::Source::client:
        return "C:";
    case TranscriptLine::Source::server:
        return "S:";
    case TranscriptLine::Source::runner:
        return "*:";
    }
    return "?:";
}

/// `text` with every line after the first indented to line up under a label.
std::string indent(const std::string& text, const std::string& padding) {
    std::string out;
    for (const char c : text) {
        out += c;
        if (c == '\n')
            out += padding;
    }
    return out;
}

} // namespace

std::string TranscriptLine::toString() const {
    return "[" + connection + "] " + sourceTag(source) + " " + text;
}

std::string StepReport::where() const {
    if (!failure)
        return {};
    const SourceLocation& at = failure->location;
    std::string position;
    if (at.line > 0) {
        position = std::to_string(at.line);
        if (at.column > 0)
            position += ":" + std::to_string(at.column);
    }
    if (sourceFile.empty())
        return position;
    return position.empty() ? sourceFile : sourceFile + ":" + position;
}

std::string StepReport::toString() const {
    std::string text;
    if (!failure) {
        text = (sourceFile.empty() ? std::string() : sourceFile + ": ") + "all " +
               std::to_string(steps) + " steps passed\n";
    } else {
        const std::string at = where();
        text = (at.empty() ? std::string() : at + ": ") + "step " +
               std::to_string(failure->index + 1) + " (" + failure->kind +
               ") failed: " + failure->message + "\n";
        const std::string padding(12, ' ');
        if (!failure->sent.empty())
            text += "  sent:     " + indent(failure->sent, padding) + "\n";
        if (!failure->expected.empty())
            text += "  expected: " + indent(failure->expected, padding) + "\n";
        if (!failure->received.empty())
            text += "  received: " + indent(failure->received, padding) + "\n";
    }
    if (!transcript.empty())
        text += "transcript:\n" + indent("  " + transcriptText(), "  ");
    // indent() pads after the transcript's last LF too; drop that padding.
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

std::string StepReport::transcriptText() const {
    std::string text;
    for (const TranscriptLine& line : transcript)
        text += line.toString() + "\n";
    return text;
}

} // namespace pop3::mock
