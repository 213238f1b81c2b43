#pragma once

#include "Command.h"

namespace CLI {
class App;
}

namespace pop3::cli {

/// Adds the `check` subcommand: the RFC conformance checks against a server, or against the
/// embedded mock; and `list-checks`, the catalogue. See docs/check.md.
void addCheckCommands(CLI::App& app, CommandRunner& runner);

} // namespace pop3::cli
