#pragma once

#include "pop3/mock/Diagnostic.h"
#include "pop3/mock/Variables.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace pop3::mock {

/// One line of a step run's transcript.
struct TranscriptLine {
    enum class Source {
        /// Bytes the runner sent ("C:").
        client,
        /// Bytes the server sent ("S:").
        server,
        /// What the runner did or noticed ("*:"): connected, closed, discarded, captured.
        runner,
    };

    /// The connection's name ("default").
    std::string connection;
    Source source = Source::runner;
    /// The line without its CRLF. Other control characters are escaped (\r, \n, \xNN), and a
    /// client line sent without a line end ends in " [no CRLF]".
    std::string text;

    /// "[default] C: USER alice", "[default] S: +OK", "[default] *: closed by the server".
    std::string toString() const;
};

/// The step that stopped a run, and why.
struct StepFailure {
    /// 0-based position in the step list (reports show it 1-based as "step N").
    std::size_t index = 0;
    /// "connect", "send", "expect", "stls", "sleep" or "close".
    std::string kind;
    SourceLocation location;
    /// One line: what went wrong ("line: expected '+OK 1 a', got '+OK 1 b'").
    std::string message;
    /// What the step sent, or for `expect` the command line the response answers
    /// ("(greeting)", "(nothing)"); empty when it sent nothing.
    std::string sent;
    /// What the step expected, e.g. "status ok; line '+OK 1 a'".
    std::string expected;
    /// What came back: the response text (status line and body lines joined by LF), the bytes
    /// of a malformed response (escaped), or an error; "(nothing)" when nothing did.
    std::string received;
};

/// The outcome of running a step script.
struct StepReport {
    /// The scenario file the steps came from (may be empty).
    std::string sourceFile;
    /// Steps in the script, and steps started (the failing one included).
    std::size_t steps = 0;
    std::size_t stepsRun = 0;
    /// Set when a step failed; the run stops there.
    std::optional<StepFailure> failure;
    /// Every line sent and received, on every connection, in order.
    std::vector<TranscriptLine> transcript;
    /// The variables captured during the run.
    Variables::Values variables;

    bool passed() const { return !failure; }
    /// "file:line:col" of the failing step ("file" or "line:col" when a part is unknown);
    /// empty when the run passed.
    std::string where() const;
    /// A readable report: the verdict, for a failure where, what was sent, expected and
    /// received, then the transcript.
    std::string toString() const;
    /// The transcript, one TranscriptLine::toString() per line, each ending in LF.
    std::string transcriptText() const;
};

} // namespace pop3::mock
