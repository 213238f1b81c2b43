// fuzz_scenario: the YAML scenario loader on arbitrary text.
//
// Invariants: loadString() either returns a scenario or throws ScenarioError with at least one
// diagnostic, each naming the file with a 1-based line and column; nothing else escapes, and
// the loader's own "internal error" fallback is never needed; validateString() reports the same.
// Inputs are capped at 64 KiB.

#include "pop3/mock/ScenarioError.h"
#include "pop3/mock/ScenarioLoader.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "FuzzSupport.h"

namespace {

using pop3::mock::Diagnostic;
using pop3::mock::ScenarioError;
using pop3::mock::ScenarioLoader;

/// Relative paths in the scenario resolve to a folder that does not exist.
const std::string kFile = "/nonexistent/fuzz/scenario.yaml";

constexpr std::size_t kMaxInput = 64 * 1024;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > kMaxInput)
        return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<Diagnostic> diagnostics;
    try {
        ScenarioLoader::loadString(text, kFile);
    } catch (const ScenarioError& error) {
        diagnostics = error.diagnostics();
        POP3_FUZZ_CHECK(!diagnostics.empty());
    }
    for (const Diagnostic& diagnostic : diagnostics) {
        POP3_FUZZ_CHECK(diagnostic.file == kFile);
        POP3_FUZZ_CHECK(!diagnostic.message.empty());
        if (diagnostic.line < 1 || diagnostic.column < 1 ||
            diagnostic.message.rfind("internal error", 0) == 0)
            std::fprintf(stderr, "%s\n", diagnostic.toString().c_str());
        POP3_FUZZ_CHECK(diagnostic.line >= 1 && diagnostic.column >= 1);
        POP3_FUZZ_CHECK(diagnostic.message.rfind("internal error", 0) != 0);
    }
    const std::vector<Diagnostic> validated = ScenarioLoader::validateString(text, kFile);
    POP3_FUZZ_CHECK(validated.size() == diagnostics.size());
    return 0;
}
