#pragma once

#include "pop3/mock/Diagnostic.h"

#include <stdexcept>
#include <vector>

namespace pop3::mock {

/// A scenario that cannot be loaded: every problem found, in file order. what() lists them one
/// per line, formatted as Diagnostic::toString().
class ScenarioError : public std::runtime_error {
public:
    explicit ScenarioError(std::vector<Diagnostic> diagnostics);

    const std::vector<Diagnostic>& diagnostics() const { return _diagnostics; }

private:
    std::vector<Diagnostic> _diagnostics;
};

} // namespace pop3::mock
