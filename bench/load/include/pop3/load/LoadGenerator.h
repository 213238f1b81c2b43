#pragma once

#include "pop3/load/LoadSettings.h"
#include "pop3/load/LoadStats.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace pop3::load {

/// One second of a run.
struct ProgressTick {
    /// Seconds since the start, counting from 1.
    unsigned second = 0;
    /// What was done during that second.
    LoadTotals totals;
};

struct LoadReport {
    LoadSettings settings;
    std::chrono::nanoseconds elapsed{0};
    LoadTotals totals;
    /// Every whole second of the run (a last, partial second counts only in totals).
    std::vector<ProgressTick> seconds;
    /// Integrity of RETR: distinct messages, RETRs compared, mismatches.
    std::uint64_t integrityMessages = 0;
    std::uint64_t integrityChecks = 0;
    std::uint64_t integrityMismatches = 0;
    /// Idle connections asked for, opened (greeting read), and still open at the end.
    unsigned idleRequested = 0;
    unsigned idleOpened = 0;
    unsigned idleOpenAtEnd = 0;
    /// CPU time the generator used (user + system), to compare engines.
    std::chrono::nanoseconds generatorCpu{0};

    double elapsedSeconds() const;
    /// `count` divided by the elapsed time.
    double perSecond(std::uint64_t count) const;
};

/// Runs the load described by `settings` and returns the report; calls `onSecond` once a
/// second from the calling thread. Throws std::invalid_argument for settings that cannot work.
LoadReport runLoad(const LoadSettings& settings,
                   const std::function<void(const ProgressTick&)>& onSecond = {});

} // namespace pop3::load
