#pragma once

#include <functional>

namespace pop3::cli {

/// The exit statuses every subcommand shares.
enum class ExitStatus {
    /// Everything asked for was done.
    ok = 0,
    /// The server or the network failed, or a file could not be written.
    failure = 1,
    /// The command line cannot work: bad URL, conflicting options, missing password.
    usage = 2,
};

/// What a parsed subcommand does: set by the subcommand's parse callback, run by main() once
/// parsing succeeded.
using CommandRunner = std::function<ExitStatus()>;

} // namespace pop3::cli
