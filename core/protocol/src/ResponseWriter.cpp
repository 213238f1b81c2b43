#include "pop3/ResponseWriter.h"

namespace pop3 {

namespace {

/// Appends `text` with CR, LF and NUL replaced by spaces, so it stays on one line.
void appendSanitised(std::string& out, std::string_view text) {
    const auto start = out.size();
    out.append(text);
    for (auto i = start; i < out.size(); ++i) {
        if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0')
            out[i] = ' ';
    }
}

} // namespace

void MultilineEncoder::encode(std::string_view chunk, std::string& out) {
    _scratch.clear();
    _normaliser.feed(chunk, _scratch);
    stuff(_scratch, out);
}

void MultilineEncoder::finish(std::string& out) {
    _scratch.clear();
    _normaliser.finish(_scratch);
    stuff(_scratch, out);
    if (!_atLineStart)
        out += "\r\n";
    out += ".\r\n";
    // Ready for the next body.
    _normaliser = LineEndNormaliser();
    _atLineStart = true;
}

void MultilineEncoder::stuff(std::string_view normalised, std::string& out) {
    out.reserve(out.size() + normalised.size());
    std::size_t i = 0;
    while (i < normalised.size()) {
        if (_atLineStart && normalised[i] == '.')
            out += '.';
        const auto nl = normalised.find('\n', i);
        const std::size_t end = nl == std::string_view::npos ? normalised.size() : nl + 1;
        out.append(normalised.substr(i, end - i));
        _atLineStart = nl != std::string_view::npos;
        i = end;
    }
}

void ResponseWriter::ok(std::string_view text, std::string_view code) {
    statusLine("+OK", text, code);
}

void ResponseWriter::err(std::string_view text, std::string_view code) {
    statusLine("-ERR", text, code);
}

void ResponseWriter::status(Status status, std::string_view text, std::string_view code) {
    statusLine(status == Status::Ok ? "+OK" : "-ERR", text, code);
}

void ResponseWriter::continuation(std::string_view base64) {
    _out += "+ ";
    appendSanitised(_out, base64);
    _out += "\r\n";
}

void ResponseWriter::bodyLine(std::string_view line) {
    std::string clean;
    appendSanitised(clean, line);
    _encoder.encode(clean, _out);
    _encoder.encode("\r\n", _out);
}

void ResponseWriter::bodyData(std::string_view chunk) {
    _encoder.encode(chunk, _out);
}

void ResponseWriter::endBody() {
    _encoder.finish(_out);
}

void ResponseWriter::statusLine(std::string_view indicator, std::string_view text,
                                std::string_view code) {
    _out += indicator;
    if (!code.empty()) {
        _out += " [";
        appendSanitised(_out, code);
        _out += ']';
    }
    if (!text.empty()) {
        _out += ' ';
        appendSanitised(_out, text);
    }
    _out += "\r\n";
}

} // namespace pop3
