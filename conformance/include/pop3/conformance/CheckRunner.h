#pragma once

#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"
#include "pop3/conformance/Target.h"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::conformance {

enum class Verdict { pass, fail, warn, skip, error };

/// "pass", "fail", "warn", "skip", "error".
std::string_view toString(Verdict verdict);

/// The outcome of one check.
struct CheckResult {
    const Check* check = nullptr;
    Verdict verdict = Verdict::error;
    /// Why it failed, was skipped or erred; the warnings of a warn.
    std::string message;
    std::string expected;
    std::string actual;
    std::vector<std::string> notes;
    /// Every line exchanged; kept for fail, warn and error.
    std::vector<std::string> transcript;
    std::chrono::milliseconds duration{0};
};

/// A whole run: what was checked and every result, in catalogue order.
struct CheckReport {
    /// "embedded mock" or the target's host:port.
    std::string target;
    Discovery discovery;
    /// Set when the server could not be checked at all (unreachable, not POP3, login
    /// refused); every result is then an error saying so.
    std::string overallError;
    std::vector<CheckResult> results;
    std::chrono::milliseconds duration{0};

    std::size_t count(Verdict verdict) const;
    /// True when no result is fail or error.
    bool passed() const;
};

struct RunOptions {
    /// SHOULD findings fail instead of warn.
    bool strict = false;
    /// Called after each check, for progress output.
    std::function<void(const CheckResult&)> onResult;
};

/// Discovers the server (greeting, CAPA, the accounts' listings), then runs `checks`:
/// read-only checks first in catalogue order, then each destructive one after the seed hook.
/// Never throws for anything the server does.
CheckReport runChecks(const Target& target, const std::vector<const Check*>& checks,
                      const RunOptions& options = {});

/// Runs one check against a discovered server and turns what it threw into a verdict.
CheckResult runCheck(const Check& check, const Target& target, const Discovery& discovery,
                     bool strict = false);

/// Connects, reads the greeting and CAPA, logs in to each account and lists its messages.
/// Throws pop3::Error with one clear sentence when the server cannot be checked.
Discovery discover(const Target& target);

} // namespace pop3::conformance
