#pragma once

#include "Command.h"

namespace CLI {
class App;
}

namespace pop3::cli {

/// Adds the `run` subcommand: every scenario of the given files and folders against its own
/// mock server, with a report; see docs/run.md.
void addRunCommand(CLI::App& app, CommandRunner& runner);

} // namespace pop3::cli
