#pragma once

#include "pop3/conformance/Target.h"

#include <cstdint>
#include <optional>
#include <string>

namespace pop3::cli {

/// The server options of `pop3-conform check`, as given on the command line.
struct CheckTargetOptions {
    /// pop3://USER[:PASS]@HOST[:PORT] or pop3s://...
    std::string url;
    /// An implicit-TLS port next to a pop3:// target.
    std::optional<std::uint16_t> tlsPort;
    bool startTls = false;
    /// A second account on the same server: USER:PASS, or a URL naming the same server.
    std::string user2;
    std::string url2;
    /// Where the password comes from when the URL has none.
    std::string passwordEnv;
    std::string passwordFile;
    std::string caFile;
    bool insecure = false;
    std::string tlsName;
    /// "1.0", "1.1", "1.2" or "1.3".
    std::string minTls = "1.2";
    std::uint64_t timeoutMs = 10000;
    bool allowDestructive = false;
    /// Run with /bin/sh -c before each destructive check.
    std::string seedCommand;
    /// Run with /bin/sh -c to deliver one new message (the checks of new mail).
    std::string deliverCommand;
    bool slow = false;
};

/// The conformance target the options describe. Throws CommandLineError when they do not fit
/// together or a password cannot be read.
conformance::Target makeCheckTarget(const CheckTargetOptions& options);

/// The TLS version of "1.0" ... "1.3"; throws CommandLineError for anything else.
TlsProtocol parseTlsVersion(const std::string& version);

/// Runs `command` with /bin/sh -c, the request in POP3_CONFORM_CHECK, POP3_CONFORM_USER,
/// POP3_CONFORM_COUNT (and POP3_CONFORM_USER2, POP3_CONFORM_COUNT2 with a second account), and
/// waits for it. Its output is kept off stdout; throws pop3::Error naming the command, its exit
/// status and the end of its output when it does not exit 0.
void runSeedCommand(const std::string& command, const conformance::SeedRequest& request);

/// Runs `command` with /bin/sh -c and the account in POP3_CONFORM_USER, as runSeedCommand does.
void runDeliverCommand(const std::string& command, const conformance::Account& account);

} // namespace pop3::cli
