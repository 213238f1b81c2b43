#pragma once

#include "pop3/conformance/CheckRunner.h"
#include "pop3/conformance/Target.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/Scenario.h"

#include <memory>
#include <optional>
#include <string>

namespace pop3::conformance {

/// The scenario `check` runs against when given no target (YAML, docs/checks.md shows it): two
/// accounts with messages that exercise byte-stuffing and TOP, every capability the catalogue
/// checks, STLS and implicit TLS with a generated certificate.
const std::string& embeddedMockScenario();

/// The embedded mock, started: a correct POP3 server, or — given a check's fault fragment — one
/// that breaks exactly that check's requirement.
class EmbeddedMock {
public:
    /// `fault`: a scenario fragment (`rules:`, `server:`) merged over the embedded scenario.
    /// Throws UsageError when the merged scenario does not load.
    explicit EmbeddedMock(const std::string& fault = {});
    ~EmbeddedMock();

    /// A target for this mock: both ports, both accounts, its certificate trusted,
    /// destructive checks allowed (the seed hook resets the mailboxes).
    Target target() const;

    mock::MockServer& server() { return *_server; }

private:
    mock::Scenario _scenario;
    std::unique_ptr<mock::MockServer> _server;
};

/// A check run against the correct embedded mock and against the mock with its fault.
struct SelfTestResult {
    /// Absent for a slow check: passing takes its full wait (minutes), failing does not.
    std::optional<CheckResult> correct;
    CheckResult faulty;
    /// The check passes without its fault (when run) and fails with it.
    bool proven() const {
        return (!correct || correct->verdict == Verdict::pass) && faulty.verdict == Verdict::fail;
    }
};

/// Proves `check` (which must have a fault) on the embedded mock. Discovery runs against the
/// correct mock — the two serve the same mailboxes — so a fault that would stop discovery (a
/// broken greeting) still reaches the check. Strict: a SHOULD finding fails.
SelfTestResult selfTest(const Check& check);

/// The embedded scenario with `fault` merged over it: maps merge key by key, anything else
/// (lists included) replaces. Throws UsageError for a fragment that is not a YAML map.
std::string mergeScenario(const std::string& base, const std::string& fault);

} // namespace pop3::conformance
