#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pop3 {

/// Normalises line ends to CRLF as bytes stream through: CRLF stays, a lone LF or a lone CR
/// becomes CRLF. A CR at the end of one chunk waits for the next (or for finish()).
class LineEndNormaliser {
public:
    void feed(std::string_view in, std::string& out);
    /// Flushes a pending lone CR as CRLF.
    void finish(std::string& out);
    /// True when the last byte written by feed()/finish() ended a line (or nothing was fed).
    bool atLineStart() const { return _atLineStart; }

private:
    bool _pendingCr = false;
    bool _atLineStart = true;
};

/// A message's size and line count in its canonical wire form: CRLF line ends (LineEndNormaliser)
/// and, for a non-empty message, a final CRLF appended when missing (the multi-line encoder
/// adds it too, so this is exactly what a client receives after unstuffing). Byte-stuffing is
/// not counted (RFC 1939 §5: sizes are of the message, not of its transmission).
struct MessageStats {
    std::uint64_t octets = 0;
    std::uint64_t lines = 0;
};

/// Measures a message streamed in chunks.
class MessageMeter {
public:
    void feed(std::string_view chunk);
    MessageStats finish();

private:
    LineEndNormaliser _normaliser;
    MessageStats _stats;
    bool _empty = true;
    std::string _scratch;
};

MessageStats measureMessage(std::string_view message);

/// The canonical wire form described at MessageStats.
std::string canonicalMessage(std::string_view message);

/// Streams the TOP view of a message (RFC 1939 §7): the header lines, the blank line that ends
/// them, then at most `bodyLines` lines of the body, with line ends normalised to CRLF. A
/// message without a blank line is all headers. Output stops as soon as the view is complete.
class TopFilter {
public:
    explicit TopFilter(std::uint64_t bodyLines) : _bodyLinesLeft(bodyLines) {}
    /// Appends the part of `chunk` that belongs to the view; returns false once the view is
    /// complete and further input would be ignored.
    bool feed(std::string_view chunk, std::string& out);
    void finish(std::string& out);
    bool complete() const { return _complete; }

private:
    /// Writes the CRLF that ends the current line and applies the view's rules to that line.
    void endLine(std::string& out);

    std::uint64_t _bodyLinesLeft;
    /// A CR ended the last chunk: a line end, whose LF may start the next chunk.
    bool _pendingCr = false;
    bool _inHeaders = true;
    bool _atLineStart = true;
    bool _complete = false;
};

/// TOP of a whole message held in memory.
std::string topOfMessage(std::string_view message, std::uint64_t bodyLines);

} // namespace pop3
