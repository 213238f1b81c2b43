#pragma once

#include "Command.h"

namespace CLI {
class App;
}

namespace pop3::cli {

/// Adds the `bench` subcommand to `app`: a load generator with a report of rates, latency
/// percentiles, errors and RETR integrity; see docs/bench.md.
void addBenchCommand(CLI::App& app, CommandRunner& runner);

} // namespace pop3::cli
