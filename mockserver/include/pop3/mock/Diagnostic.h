#pragma once

#include <string>

namespace pop3::mock {

/// A position in a scenario file: 1-based line and column, 0 when unknown.
struct SourceLocation {
    int line = 0;
    int column = 0;
};

/// One problem found in a scenario file.
struct Diagnostic {
    /// The scenario file as it was named to the loader (not made absolute).
    std::string file;
    /// 1-based; 0 when the problem has no position (an unreadable file).
    int line = 0;
    int column = 0;
    std::string message;

    /// Compiler style: "file:line:col: message", or "file: message" without a position.
    std::string toString() const;
};

} // namespace pop3::mock
