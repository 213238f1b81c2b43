#pragma once

#include "Command.h"

namespace CLI {
class App;
}

namespace pop3::cli {

/// Adds the `serve` subcommand: a mock POP3 server for application tests, from a scenario or
/// from --user/--messages alone; see docs/serve.md.
void addServeCommand(CLI::App& app, CommandRunner& runner);

} // namespace pop3::cli
