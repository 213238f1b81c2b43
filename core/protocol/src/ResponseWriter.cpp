#include "pop3/ResponseWriter.h"

#include "ByteScan.h"

namespace pop3 {

using detail::findByte;

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
    const char* const data = chunk.data();
    const std::size_t size = chunk.size();
    if (size == 0)
        return;
    std::size_t pos = 0; // start of the current line's bytes in `chunk`
    if (_pendingCr) {
        // The CR that ended the previous chunk: CRLF either way; swallow a matching LF.
        out += "\r\n";
        _pendingCr = false;
        _atLineStart = true;
        if (data[0] == '\n')
            pos = 1;
    }
    out.reserve(out.size() + size);
    // Bytes from `run` on are copied verbatim, in one append when something must be inserted.
    std::size_t run = pos;
    bool lineStart = _atLineStart;
    std::size_t lf = findByte(data, pos, size, '\n');
    while (pos < size) {
        if (lineStart && data[pos] == '.') {
            out.append(data + run, pos - run);
            out += '.';
            run = pos;
        }
        // A CR is searched for only up to the next LF, so each byte is scanned at most twice.
        const std::size_t cr = findByte(data, pos, lf, '\r');
        if (cr < lf) {
            if (cr + 1 == size) {
                // Maybe the first half of a CRLF split across chunks.
                out.append(data + run, cr - run);
                _pendingCr = true;
                return;
            }
            if (data[cr + 1] == '\n') {
                pos = cr + 2;
                lf = findByte(data, pos, size, '\n');
            } else {
                // A lone CR becomes CRLF.
                out.append(data + run, cr - run);
                out += "\r\n";
                run = pos = cr + 1;
            }
        } else if (lf < size) {
            // A lone LF becomes CRLF.
            out.append(data + run, lf - run);
            out += "\r\n";
            run = pos = lf + 1;
            lf = findByte(data, pos, size, '\n');
        } else {
            lineStart = false;
            break;
        }
        lineStart = true;
    }
    out.append(data + run, size - run);
    _atLineStart = lineStart;
}

void MultilineEncoder::finish(std::string& out) {
    // A pending CR ends the last line like any CR; otherwise an unterminated line gets its CRLF.
    if (_pendingCr || !_atLineStart)
        out += "\r\n";
    out += ".\r\n";
    // Ready for the next body.
    _pendingCr = false;
    _atLineStart = true;
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
