#pragma once

#include "pop3/load/LoadGenerator.h"

#include <ostream>
#include <string>

namespace pop3::load {

/// One line per second: "  3 s  sessions 4210/s  ops 4210/s  commands 25260/s  12.5 MB/s
/// p99 1.20 ms  errors 0".
std::string progressLine(const ProgressTick& tick);

/// The final report for people: rates, latency percentiles per step, errors by class,
/// integrity, idle connections.
void writeText(std::ostream& out, const LoadReport& report);

/// The final report as JSON (rates, per-step latency in ms, errors, integrity, per-second
/// series), for scripts and plots.
void writeJson(std::ostream& out, const LoadReport& report);

} // namespace pop3::load
