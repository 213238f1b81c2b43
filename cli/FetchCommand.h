#pragma once

#include "Command.h"

namespace CLI {
class App;
}

namespace pop3::cli {

/// Adds the `fetch` subcommand to `app`. When the command line chooses it, parsing sets
/// `runner` to the download; see docs/fetch.md.
void addFetchCommand(CLI::App& app, CommandRunner& runner);

} // namespace pop3::cli
