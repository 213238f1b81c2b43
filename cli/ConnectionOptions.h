#pragma once

#include "pop3/Client.h"

#include <cstdint>
#include <string>

#include "MailboxUrl.h"

namespace CLI {
class App;
}

namespace pop3::cli {

/// How a subcommand reaches a POP3 server: the URL and the options around it (TLS, login,
/// password sources). Shared by every subcommand that talks to a server.
struct ConnectionOptions {
    std::string url;
    bool startTls = false;
    /// "user", "apop", "sasl" or "sasl:MECH[,MECH...]".
    std::string auth = "user";
    std::string caFile;
    bool insecure = false;
    std::uint64_t timeoutMs = 30000;
    /// Name of an environment variable holding the password.
    std::string passwordEnv;
    /// File whose first line is the password.
    std::string passwordFile;

    /// Registers the URL (a positional, or an option when `urlName` is one, e.g. "--target")
    /// and --starttls, --auth, --ca, --insecure, --timeout, --password-env and --password-file
    /// on `command`.
    void addTo(CLI::App& command, const std::string& urlName = "URL");

    /// Sets host, port, user, password, login and TLS settings of `client` from the URL and
    /// options; returns the parsed URL. Throws CommandLineError when they do not fit together
    /// or the password cannot be read.
    MailboxUrl configure(Client& client) const;
};

} // namespace pop3::cli
