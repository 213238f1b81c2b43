// pop3-conform: the command-line tool. Each subcommand registers itself on the CLI11 app;
// parsing picks one, and main() runs it.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <sys/resource.h>

#include "BenchCommand.h"
#include "CheckCommand.h"
#include "Command.h"
#include "FetchCommand.h"
#include "RunCommand.h"
#include "ServeCommand.h"
#include "ValidateCommand.h"

namespace {

/// Servers and load runs hold thousands of sockets: lift the soft open-files limit to the hard
/// one, as far as the system allows.
void raiseOpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/// CLI11's message, except that arguments it did not expect are not repeated when one may hold a
/// password (a URL with a user name).
std::string failureMessage(const CLI::App* app, const CLI::Error& error) {
    const std::vector<std::string> extras = app->remaining(true);
    const bool secret = std::any_of(extras.begin(), extras.end(), [](const std::string& extra) {
        return extra.find('@') != std::string::npos;
    });
    if (dynamic_cast<const CLI::ExtrasError*>(&error) == nullptr || !secret)
        return CLI::FailureMessage::simple(app, error);
    return "Unexpected arguments, one with '@' (not shown: it may hold a password)\n"
           "Run with --help for more information.\n";
}

} // namespace

int main(int argc, char** argv) {
    // A peer closing the connection must surface as an error, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    raiseOpenFileLimit();

    CLI::App app("POP3 toolkit: fetch mail, serve a scriptable mock server, run scenarios, check "
                 "servers against the RFCs, benchmark them",
                 "pop3-conform");
    app.set_version_flag("--version", "pop3-conform " POP3_CONFORM_VERSION);
    app.require_subcommand(1);
    app.failure_message(failureMessage);

    pop3::cli::CommandRunner runner;
    pop3::cli::addFetchCommand(app, runner);
    pop3::cli::addServeCommand(app, runner);
    pop3::cli::addRunCommand(app, runner);
    pop3::cli::addValidateCommand(app, runner);
    pop3::cli::addCheckCommands(app, runner);
    pop3::cli::addBenchCommand(app, runner);
    // Set after the subcommands, which would inherit it.
    app.footer("Run 'pop3-conform SUBCOMMAND --help' for a subcommand's options.\n"
               "Exit status: 0 done, 1 failure (server, network, failed checks or scenarios), "
               "2 usage error.");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every parse error is a usage error.
        return app.exit(e) == 0 ? 0 : static_cast<int>(pop3::cli::ExitStatus::usage);
    }
    return static_cast<int>(runner());
}
