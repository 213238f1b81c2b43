#pragma once

#include "pop3/Response.h"
#include "pop3/mock/Diagnostic.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pop3::mock {

/// The connection a step uses when it names none.
inline constexpr const char* kDefaultConnection = "default";

/// Opens a connection to the mock (or to the `--target` server).
struct ConnectStep {
    std::string connection = kDefaultConnection;
    /// Start with a TLS handshake (RFC 8314).
    bool implicitTls = false;
};

/// Sends a command (CRLF appended) or raw bytes (sent as written). `${var}` expands first.
struct SendStep {
    std::string connection = kDefaultConnection;
    std::string text;
    /// True for `raw:`: no CRLF is appended.
    bool raw = false;
};

/// Reads one response and checks it. The response text that `regex` and `capture` search is
/// the status line, then the body lines (unstuffed, without the terminator), joined by LF;
/// `^` and `$` match at every line. Strings may use `${var}`; in `regex` and `capture`
/// patterns a variable's value is matched literally.
struct ExpectStep {
    std::string connection = kDefaultConnection;
    std::optional<pop3::Status> status;
    /// The response code without brackets ("IN-USE").
    std::optional<std::string> code;
    /// The exact status line, without CRLF.
    std::optional<std::string> line;
    std::optional<std::string> regex;
    /// The exact body lines of a multi-line response.
    std::optional<std::vector<std::string>> lines;
    /// Whether to read a multi-line body. Unset: decided by the command sent (LIST and UIDL
    /// without argument, RETR, TOP, CAPA, AUTH without mechanism), true when `lines` is set.
    std::optional<bool> multiline;
    /// Variables set from this response: name and pattern; the value is the first capture
    /// group, or the whole match without a group.
    std::vector<std::pair<std::string, std::string>> captures;
    /// Expect the server to close the connection (instead of a response).
    bool closed = false;
    /// How long to wait. Unset: the executor's default.
    std::optional<std::chrono::milliseconds> timeout;
};

/// Sends STLS, expects +OK and performs the TLS handshake.
struct StlsStep {
    std::string connection = kDefaultConnection;
};

struct SleepStep {
    std::chrono::milliseconds duration{0};
};

/// Closes a connection without QUIT.
struct CloseStep {
    std::string connection = kDefaultConnection;
};

/// One step of the client script.
struct Step {
    using Action = std::variant<ConnectStep, SendStep, ExpectStep, StlsStep, SleepStep, CloseStep>;

    Action action;
    SourceLocation location;
};

} // namespace pop3::mock
