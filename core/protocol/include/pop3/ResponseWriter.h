#pragma once

#include "pop3/Message.h"
#include "pop3/Response.h"

#include <string>
#include <string_view>

namespace pop3 {

/// Stuffs and terminates a multi-line body streamed in chunks of any size (RFC 1939 §3).
/// Line ends are normalised to CRLF (see LineEndNormaliser); a line starting with "." gets a
/// second "."; finish() ends an unterminated last line with CRLF and appends ".\r\n". The
/// encoder keeps O(1) state, so a body of any size streams through it.
class MultilineEncoder {
public:
    /// Appends the encoded form of `chunk` to `out`.
    void encode(std::string_view chunk, std::string& out);
    /// Appends what is still pending, the missing CRLF if any, and the terminator ".\r\n".
    void finish(std::string& out);

private:
    /// A CR ended the last chunk: a line end, whose LF may start the next chunk.
    bool _pendingCr = false;
    bool _atLineStart = true;
};

/// The one place that formats server responses. Handlers never write CRLF or dots themselves.
/// Text (and response code, and continuation data) given to a status line is sanitised: CR, LF
/// and NUL become spaces, so a handler cannot inject a second line.
class ResponseWriter {
public:
    /// Appends to `out`.
    explicit ResponseWriter(std::string& out) : _out(out) {}

    /// `+OK[ [CODE]][ text]\r\n`
    void ok(std::string_view text = {}, std::string_view code = {});
    /// `-ERR[ [CODE]][ text]\r\n`
    void err(std::string_view text, std::string_view code = {});
    void status(Status status, std::string_view text, std::string_view code = {});
    /// Bytes exactly as given: only for deliberate deviations (a mock server's scripted
    /// replies), never for normal replies.
    void raw(std::string_view bytes) { _out.append(bytes); }
    /// A SASL continuation: `+ base64\r\n` (`+ \r\n` when empty, RFC 5034 §4).
    void continuation(std::string_view base64);
    /// One line of a multi-line body (LIST, UIDL, CAPA...), byte-stuffed. Must not contain CR
    /// or LF (they are replaced by spaces, like NUL, so one call is always one line).
    void bodyLine(std::string_view line);
    /// Body data of any size, streamed (RETR, TOP); call endBody() after the last chunk.
    void bodyData(std::string_view chunk);
    /// Terminates the multi-line body started by bodyLine() or bodyData().
    void endBody();

private:
    void statusLine(std::string_view indicator, std::string_view text, std::string_view code);

    std::string& _out;
    MultilineEncoder _encoder;
};

} // namespace pop3
