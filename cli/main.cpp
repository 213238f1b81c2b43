// pop3-conform: the command-line tool. Each subcommand registers itself on the CLI11 app;
// parsing picks one, and main() runs it.

#include <CLI/CLI.hpp>
#include <csignal>

#include "CheckCommand.h"
#include "Command.h"
#include "FetchCommand.h"
#include "RunCommand.h"
#include "ServeCommand.h"
#include "ValidateCommand.h"

int main(int argc, char** argv) {
    // A peer closing the connection must surface as an error, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    CLI::App app("POP3 toolkit: client, mock server and conformance checker", "pop3-conform");
    app.set_version_flag("--version", POP3_CONFORM_VERSION);
    app.require_subcommand(1);

    pop3::cli::CommandRunner runner;
    pop3::cli::addFetchCommand(app, runner);
    pop3::cli::addServeCommand(app, runner);
    pop3::cli::addRunCommand(app, runner);
    pop3::cli::addValidateCommand(app, runner);
    pop3::cli::addCheckCommands(app, runner);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every parse error is a usage error.
        return app.exit(e) == 0 ? 0 : static_cast<int>(pop3::cli::ExitStatus::usage);
    }
    return static_cast<int>(runner());
}
