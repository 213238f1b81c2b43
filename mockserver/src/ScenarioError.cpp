#include "pop3/mock/ScenarioError.h"

namespace pop3::mock {

namespace {

std::string describe(const std::vector<Diagnostic>& diagnostics) {
    std::string text;
    for (const Diagnostic& diagnostic : diagnostics) {
        if (!text.empty())
            text += '\n';
        text += diagnostic.toString();
    }
    return text.empty() ? "invalid scenario" : text;
}

} // namespace

ScenarioError::ScenarioError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(describe(diagnostics)), _diagnostics(std::move(diagnostics)) {}

} // namespace pop3::mock
