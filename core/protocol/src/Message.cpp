#include "pop3/Message.h"

#include <algorithm>

#include "ByteScan.h"

namespace pop3 {

using detail::findByte;

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
    const char* const data = in.data();
    while (i < n) {
        // The first CR or LF: a CR can only come before the next LF, so scan up to it.
        const std::size_t lf = findByte(data, i, n, '\n');
        const std::size_t p = findByte(data, i, lf, '\r');
        if (p == n) {
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
    const char* const data = chunk.data();
    const std::size_t size = chunk.size();
    if (size == 0)
        return true;
    std::size_t pos = 0;
    if (_pendingCr) {
        // The CR that ended the previous chunk: CRLF either way; swallow a matching LF.
        _pendingCr = false;
        if (data[0] == '\n')
            pos = 1;
        endLine(out);
    }
    if (_complete)
        return false;
    // Line by line, so nothing past the end of the view is scanned or converted. A CR is searched
    // for only up to the next LF.
    std::size_t lf = findByte(data, pos, size, '\n');
    while (!_complete && pos < size) {
        if (lf < pos)
            lf = findByte(data, pos, size, '\n');
        const std::size_t end = findByte(data, pos, lf, '\r'); // the first CR or LF
        if (end > pos) {
            out.append(data + pos, end - pos);
            _atLineStart = false;
        }
        if (end == size)
            break;
        if (data[end] == '\r' && end + 1 == size) {
            _pendingCr = true; // may be the first half of a CRLF split across chunks
            break;
        }
        pos = (data[end] == '\r' && data[end + 1] == '\n') ? end + 2 : end + 1;
        endLine(out);
    }
    return !_complete;
}

void TopFilter::finish(std::string& out) {
    if (!_complete && _pendingCr) {
        _pendingCr = false;
        endLine(out);
    }
    if (!_complete && !_atLineStart)
        out += "\r\n";
    _complete = true;
}

void TopFilter::endLine(std::string& out) {
    out += "\r\n";
    if (_inHeaders) {
        if (_atLineStart) {
            _inHeaders = false;
            _complete = _bodyLinesLeft == 0;
        }
    } else if (--_bodyLinesLeft == 0) {
        _complete = true;
    }
    _atLineStart = true;
}

std::string topOfMessage(std::string_view message, std::uint64_t bodyLines) {
    std::string out;
    TopFilter filter(bodyLines);
    filter.feed(message, out);
    filter.finish(out);
    return out;
}

} // namespace pop3
