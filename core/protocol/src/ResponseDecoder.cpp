#include "pop3/ResponseDecoder.h"

#include <Poco/String.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace pop3 {

ResponseKind responseKindOf(std::string_view commandLine) {
    const std::size_t space = commandLine.find(' ');
    const std::string keyword = Poco::toUpper(std::string(commandLine.substr(0, space)));
    std::string_view argument =
        space == std::string_view::npos ? std::string_view{} : commandLine.substr(space + 1);
    while (!argument.empty() && argument.front() == ' ')
        argument.remove_prefix(1);
    while (!argument.empty() && (argument.back() == ' ' || argument.back() == '\r'))
        argument.remove_suffix(1);
    if (keyword == "LIST" || keyword == "UIDL" || keyword == "LANG")
        return argument.empty() ? ResponseKind::MultiLine : ResponseKind::SingleLine;
    if (keyword == "RETR" || keyword == "TOP" || keyword == "CAPA")
        return ResponseKind::MultiLine;
    if (keyword == "AUTH")
        return argument.empty() ? ResponseKind::MultiLine : ResponseKind::SaslStep;
    return ResponseKind::SingleLine;
}

namespace {

/// How many leading octets decide whether a status indicator is well-formed ("-ERR ").
constexpr std::size_t kIndicatorOctets = 5;

/// True when `line` (the status line read so far) can still become a valid status line of
/// `kind`. Only the first kIndicatorOctets octets matter.
bool plausibleStart(std::string_view line, ResponseKind kind) {
    auto matches = [line](std::string_view prefix) {
        const auto n = std::min(line.size(), prefix.size());
        return line.substr(0, n) == prefix.substr(0, n);
    };
    for (std::string_view prefix : {"+OK ", "+OK\r", "-ERR ", "-ERR\r"}) {
        if (matches(prefix))
            return true;
    }
    return kind == ResponseKind::SaslStep && (matches("+ ") || matches("+\r"));
}

/// The text after `indicator` ("+OK", "-ERR") and its separating space.
std::string_view afterIndicator(std::string_view line, std::size_t indicatorLength) {
    return line.size() > indicatorLength ? line.substr(indicatorLength + 1) : std::string_view{};
}

} // namespace

void ResponseDecoder::expect(ResponseKind kind, BodySink sink) {
    _kind = kind;
    _sink = std::move(sink);
    _state = State::Incomplete;
    _phase = Phase::StatusLine;
    _line.clear();
    _status = StatusLine{};
    _continuation = false;
    _challenge.clear();
    _bodyOctets = 0;
    _error.clear();
}

std::size_t ResponseDecoder::feed(std::string_view data) {
    std::size_t used = 0;
    while (used < data.size() && _state == State::Incomplete) {
        const auto rest = data.substr(used);
        used += _phase == Phase::StatusLine ? feedStatus(rest) : feedBody(rest);
    }
    return used;
}

std::size_t ResponseDecoder::feedStatus(std::string_view data) {
    // On failure the octets up to and including the offending one are consumed, so the result
    // is the same however the input was chunked.
    const auto lf = data.find('\n');
    const auto piece = data.substr(0, lf); // npos keeps all of it
    // The line may hold _maxStatusLine octets including its LF; buffer no more than that.
    const std::size_t room =
        _line.size() + 1 >= _maxStatusLine ? 0 : _maxStatusLine - 1 - _line.size();
    const auto take = std::min(piece.size(), room);
    std::size_t i = 0;
    while (i < take && _line.size() < kIndicatorOctets) {
        _line += piece[i++];
        if (!plausibleStart(_line, _kind)) {
            fail(_kind == ResponseKind::SaslStep
                     ? "malformed status line: expected \"+OK\", \"-ERR\" or \"+ \""
                     : "malformed status line: expected \"+OK\" or \"-ERR\"");
            return i;
        }
    }
    _line.append(piece.substr(i, take - i));
    if (piece.size() > room) {
        fail("status line longer than " + std::to_string(_maxStatusLine) + " octets");
        return take + 1;
    }
    if (lf == std::string_view::npos)
        return data.size();
    finishStatusLine();
    return lf + 1;
}

void ResponseDecoder::finishStatusLine() {
    if (_line.empty() || _line.back() != '\r') {
        fail("status line ends in a bare LF instead of CRLF");
        return;
    }
    std::string_view line(_line);
    line.remove_suffix(1);
    if (line.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos) {
        fail("status line contains a stray CR or NUL");
        return;
    }
    // plausibleStart() already rules out "+OKAY", "+garbage" and friends.
    if (line[0] == '+' && line.substr(0, 3) != "+OK") {
        _continuation = true;
        _challenge.assign(afterIndicator(line, 1));
        _state = State::Complete;
        return;
    }
    const bool ok = line[0] == '+';
    _status.status = ok ? Status::Ok : Status::Err;
    splitResponseCode(afterIndicator(line, ok ? 3 : 4), _status.code, _status.text);
    if (ok && _kind == ResponseKind::MultiLine) {
        _phase = Phase::BodyLineStart; // the status line's CRLF starts the first body line
        return;
    }
    _state = State::Complete;
}

std::size_t ResponseDecoder::feedBody(std::string_view data) {
    // Bytes are passed to the sink in runs; `runStart` is where the unsent run begins.
    std::size_t i = 0;
    std::size_t runStart = 0;
    auto flush = [&](std::size_t end) {
        if (end > runStart)
            emit(data.substr(runStart, end - runStart));
    };
    while (i < data.size()) {
        const char c = data[i];
        switch (_phase) {
        case Phase::BodyLineStart:
            if (c == '.') {
                flush(i);
                runStart = ++i; // held back: stuffing or the terminator
                _phase = Phase::BodyDot;
            } else {
                _phase = Phase::BodyInLine;
            }
            break;
        case Phase::BodyDot:
            if (c == '\r') {
                runStart = ++i; // held back: ".\r" may be the terminator
                _phase = Phase::BodyDotCr;
            } else {
                _phase = Phase::BodyInLine; // the dot was stuffing and stays dropped
            }
            break;
        case Phase::BodyDotCr:
            if (c == '\n') {
                _state = State::Complete;
                return i + 1;
            }
            // ".\r" followed by data: the dot was stuffing, the CR is data.
            emit("\r");
            _phase = Phase::BodyCr;
            break;
        case Phase::BodyInLine: {
            const auto cr = data.find('\r', i);
            if (cr == std::string_view::npos) {
                i = data.size();
            } else {
                i = cr + 1;
                _phase = Phase::BodyCr;
            }
            break;
        }
        case Phase::BodyCr:
            if (c == '\n') {
                ++i;
                _phase = Phase::BodyLineStart;
            } else if (c == '\r') {
                ++i;
            } else {
                _phase = Phase::BodyInLine;
            }
            break;
        case Phase::StatusLine: // not reached: feed() routes the status line to feedStatus()
            flush(i);
            fail("internal error: body decoder without a status line");
            return i;
        }
    }
    flush(i);
    return i;
}

void ResponseDecoder::fail(std::string message) {
    _state = State::Failed;
    _error = std::move(message);
}

void ResponseDecoder::emit(std::string_view data) {
    _bodyOctets += data.size();
    if (_sink)
        _sink(data);
}

std::vector<std::string> splitBodyLines(std::string_view body) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < body.size()) {
        const std::size_t end = body.find("\r\n", pos);
        if (end == std::string_view::npos) {
            lines.emplace_back(body.substr(pos));
            break;
        }
        lines.emplace_back(body.substr(pos, end - pos));
        pos = end + 2;
    }
    return lines;
}

} // namespace pop3
