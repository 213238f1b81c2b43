#pragma once

#include "Command.h"

namespace CLI {
class App;
}

namespace pop3::cli {

/// Adds the `validate` subcommand: checks scenario files without running them, printing every
/// problem as file:line:col: message.
void addValidateCommand(CLI::App& app, CommandRunner& runner);

} // namespace pop3::cli
