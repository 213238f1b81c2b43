#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace pop3::cli {

/// The outcome of one scenario file.
struct ScenarioResult {
    enum class Verdict { passed, failed, invalid };

    std::string file;
    /// The scenario's name (the file's base name when it could not be loaded).
    std::string name;
    Verdict verdict = Verdict::passed;
    /// Why it failed or was invalid, several lines: file:line:col diagnostics, the failing
    /// step with what was sent, expected and received, unmet expectations.
    std::string message;
    /// The client's transcript of the steps.
    std::string transcript;
    std::chrono::milliseconds duration{0};
};

/// Which scenarios to run and how.
struct SuiteOptions {
    /// Files and folders (searched recursively for *.yaml and *.yml), in order.
    std::vector<std::string> paths;
    /// Glob over scenario names and file paths ("rfc1939-*", "*/tls/*").
    std::string filter;
    /// Shard K of N (1-based): every N-th scenario of the sorted list, starting at K.
    std::size_t shardIndex = 1;
    std::size_t shardCount = 1;
    /// Scenarios run at the same time.
    std::size_t jobs = 1;
};

/// The scenario files selected by `options`, sorted; throws std::invalid_argument for a path
/// that does not exist.
std::vector<std::string> collectScenarios(const SuiteOptions& options);

/// An external server to play the steps against instead of each scenario's mock.
struct Target {
    std::string host;
    std::uint16_t port = 110;
    /// CA file for TLS steps; empty: the system's CAs.
    std::string caFile;
    bool verifyCertificate = true;
};

/// Loads, serves, plays and checks one scenario file against its own mock server — or, with a
/// target, plays its steps against that server (the mock's expectations cannot be checked
/// there and are left out).
ScenarioResult runScenario(const std::string& file, const std::optional<Target>& target = {});

/// Runs `files` with `jobs` at a time; `onDone` is called (serialised) as each finishes.
std::vector<ScenarioResult> runScenarios(const std::vector<std::string>& files, std::size_t jobs,
                                         const std::function<void(const ScenarioResult&)>& onDone,
                                         const std::optional<Target>& target = {});

/// The reports: a JSON array (file, name, verdict, durationMs, message), and JUnit XML (one
/// testsuite, a testcase per scenario, failure/error with the message, the transcript as
/// system-out).
void writeJson(std::ostream& out, const std::vector<ScenarioResult>& results);
void writeJunit(std::ostream& out, const std::vector<ScenarioResult>& results);

std::string toString(ScenarioResult::Verdict verdict);

} // namespace pop3::cli
