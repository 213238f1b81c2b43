#include "pop3/Message.h"

#include <algorithm>

namespace pop3 {

void LineEndNormaliser::feed(std::string_view in, std::string& out) {
    std::size_t i = 0;
    const std::size_t n = in.size();
    if (n == 0)
        return;
    if (_pendingCr) {
        // The CR that ended the previous chunk: CRLF either way; swallow a matching LF.
        out += "\r\n";
        _pendingCr = false;
        _atLineStart = true;
        if (in.front() == '\n')
            i = 1;
    }
    while (i < n) {
        const auto p = in.find_first_of("\r\n", i);
        if (p == std::string_view::npos) {
            out.append(in.substr(i));
            _atLineStart = false;
            return;
        }
        if (p > i) {
            out.append(in.substr(i, p - i));
            _atLineStart = false;
        }
        if (in[p] == '\r' && p + 1 == n) {
            _pendingCr = true; // may be the first half of a CRLF split across chunks
            return;
        }
        out += "\r\n";
        _atLineStart = true;
        i = (in[p] == '\r' && in[p + 1] == '\n') ? p + 2 : p + 1;
    }
}

void LineEndNormaliser::finish(std::string& out) {
    if (_pendingCr) {
        out += "\r\n";
        _pendingCr = false;
        _atLineStart = true;
    }
}

void MessageMeter::feed(std::string_view chunk) {
    if (chunk.empty())
        return;
    _empty = false;
    _scratch.clear();
    _normaliser.feed(chunk, _scratch);
    _stats.octets += _scratch.size();
    _stats.lines += static_cast<std::uint64_t>(std::count(_scratch.begin(), _scratch.end(), '\n'));
}

MessageStats MessageMeter::finish() {
    _scratch.clear();
    _normaliser.finish(_scratch); // idempotent: at most one pending CR
    _stats.octets += _scratch.size();
    _stats.lines += _scratch.empty() ? 0 : 1;
    MessageStats result = _stats;
    if (!_empty && !_normaliser.atLineStart()) {
        result.octets += 2; // the CRLF the encoder adds to an unterminated last line
        result.lines += 1;
    }
    return result;
}

MessageStats measureMessage(std::string_view message) {
    MessageMeter meter;
    meter.feed(message);
    return meter.finish();
}

std::string canonicalMessage(std::string_view message) {
    std::string out;
    out.reserve(message.size() + 2);
    LineEndNormaliser normaliser;
    normaliser.feed(message, out);
    normaliser.finish(out);
    if (!message.empty() && !normaliser.atLineStart())
        out += "\r\n";
    return out;
}

bool TopFilter::feed(std::string_view chunk, std::string& out) {
    if (_complete)
        return false;
    _scratch.clear();
    _normaliser.feed(chunk, _scratch);
    consume(_scratch, out);
    return !_complete;
}

void TopFilter::finish(std::string& out) {
    if (!_complete) {
        _scratch.clear();
        _normaliser.finish(_scratch);
        consume(_scratch, out);
    }
    if (!_complete && !_atLineStart)
        out += "\r\n";
    _complete = true;
}

void TopFilter::consume(std::string_view normalised, std::string& out) {
    // Normalised input has only CRLF line ends, so a CR is always followed by its LF here.
    std::size_t i = 0;
    while (i < normalised.size() && !_complete) {
        const auto nl = normalised.find('\n', i);
        const bool lineEnds = nl != std::string_view::npos;
        const std::size_t end = lineEnds ? nl + 1 : normalised.size();
        const bool blankLine = _atLineStart && end - i == 2 && lineEnds;
        out.append(normalised.substr(i, end - i));
        _atLineStart = lineEnds;
        i = end;
        if (_inHeaders) {
            if (blankLine) {
                _inHeaders = false;
                _complete = _bodyLinesLeft == 0;
            }
        } else if (lineEnds && --_bodyLinesLeft == 0) {
            _complete = true;
        }
    }
}

std::string topOfMessage(std::string_view message, std::uint64_t bodyLines) {
    std::string out;
    TopFilter filter(bodyLines);
    filter.feed(message, out);
    filter.finish(out);
    return out;
}

} // namespace pop3
