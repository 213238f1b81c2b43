#pragma once

#include "pop3/Limits.h"
#include "pop3/Response.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3 {

/// What the client expects as the reply to the command it sent.
enum class ResponseKind {
    /// A status line only (USER, STAT, LIST n, DELE, ...).
    SingleLine,
    /// A status line and, after +OK, a multi-line body ending in ".\r\n" (LIST, UIDL, RETR, TOP,
    /// CAPA). After -ERR there is no body.
    MultiLine,
    /// A step of an AUTH exchange (RFC 5034 §4): a continuation "+ base64" or a final status.
    SaslStep,
};

/// The kind of reply a command line gets when the server accepts it: multi-line for LIST and
/// UIDL without argument, RETR, TOP, CAPA, AUTH without mechanism (RFC 5034 §4) and LANG
/// without argument (RFC 6856 §3); a SASL step for AUTH with a mechanism; else one line.
ResponseKind responseKindOf(std::string_view commandLine);

/// Decodes one server response at a time from bytes as they arrive (sans-I/O).
///
/// Strict: the status indicator is exactly "+OK" or "-ERR" followed by SP or CRLF ("+OKAY" and
/// "+garbage" are malformed); every status line ends in CRLF (a bare LF is malformed); a status
/// line longer than the configured limit is malformed. A multi-line body is unstuffed (a leading
/// "." is removed from every line that has more than the terminator) and streamed to the sink
/// with its CRLFs, so the sink receives the message exactly; the body ends only at CRLF "." CRLF
/// (a lone ".\n" is data). Body lines have no length limit and are never buffered whole.
class ResponseDecoder {
public:
    using BodySink = std::function<void(std::string_view)>;

    enum class State { Idle, Incomplete, Complete, Failed };

    explicit ResponseDecoder(std::size_t maxStatusLine = limits::kMaxDecodedStatusLine)
        : _maxStatusLine(maxStatusLine) {}

    /// Starts decoding a new response of `kind`. Body data of a MultiLine response goes to
    /// `sink` (it may be empty to discard the body).
    void expect(ResponseKind kind, BodySink sink = {});

    /// Consumes bytes of the current response from the front of `data` and returns how many it
    /// used. Bytes after the end of the response are not consumed: they belong to the next
    /// response (pipelining). Feeding after Complete or Failed consumes nothing.
    std::size_t feed(std::string_view data);

    State state() const { return _state; }
    /// Valid once Complete.
    const StatusLine& status() const { return _status; }
    /// True when a SaslStep response was a continuation; the challenge is in challenge() and
    /// status() is left empty.
    bool isContinuation() const { return _continuation; }
    /// The base64 text after "+ " of a continuation (may be empty).
    const std::string& challenge() const { return _challenge; }
    /// Octets of unstuffed body passed to the sink so far.
    std::uint64_t bodyOctets() const { return _bodyOctets; }
    /// Why decoding failed (when Failed).
    const std::string& error() const { return _error; }

private:
    enum class Phase { StatusLine, BodyLineStart, BodyInLine, BodyCr, BodyDot, BodyDotCr };

    std::size_t feedStatus(std::string_view data);
    std::size_t feedBody(std::string_view data);
    void finishStatusLine();
    void fail(std::string message);
    void emit(std::string_view data);

    std::size_t _maxStatusLine;
    ResponseKind _kind = ResponseKind::SingleLine;
    BodySink _sink;
    State _state = State::Idle;
    Phase _phase = Phase::StatusLine;
    std::string _line;
    StatusLine _status;
    bool _continuation = false;
    std::string _challenge;
    std::uint64_t _bodyOctets = 0;
    std::string _error;
};

/// The lines of a decoded multi-line body (what the sink received), without their CRLFs. A last
/// line without CRLF is kept.
std::vector<std::string> splitBodyLines(std::string_view body);

} // namespace pop3
