#include "CheckTarget.h"

#include "pop3/Errors.h"

#include <Poco/Exception.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <algorithm>

#include "CommandLineError.h"
#include "MailboxUrl.h"
#include "Password.h"

namespace pop3::cli {

namespace {

/// Output of a seed or deliver command quoted in an error.
constexpr std::size_t kOutputTail = 400;

std::uint16_t portOf(const MailboxUrl& url) {
    return url.port != 0 ? url.port : url.implicitTls ? 995 : 110;
}

conformance::Account secondAccount(const CheckTargetOptions& options, const MailboxUrl& first) {
    if (!options.user2.empty()) {
        const std::size_t colon = options.user2.find(':');
        if (colon == 0 || colon == std::string::npos || colon + 1 == options.user2.size())
            throw CommandLineError("--user2 expects USER:PASS");
        conformance::Account account{options.user2.substr(0, colon),
                                     options.user2.substr(colon + 1)};
        checkPassword(account.password, "--user2");
        return account;
    }
    const MailboxUrl second = MailboxUrl::parse(options.url2);
    if (second.host != first.host || portOf(second) != portOf(first) ||
        second.implicitTls != first.implicitTls)
        throw CommandLineError("--target2 must name the same server as --target (another "
                               "account on it)");
    if (!second.password)
        throw CommandLineError("--target2 needs the password in the URL: pop3://USER:PASS@HOST");
    checkPassword(*second.password, "--target2");
    return {second.user, *second.password};
}

/// The last `kOutputTail` octets of `output`, on one line.
std::string tail(std::string output) {
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r'))
        output.pop_back();
    if (output.size() > kOutputTail)
        output = "..." + output.substr(output.size() - kOutputTail);
    std::replace(output.begin(), output.end(), '\n', ' ');
    std::replace(output.begin(), output.end(), '\r', ' ');
    return output;
}

/// Runs `command` with /bin/sh -c and `env`, its output kept; throws pop3::Error naming it
/// (`role`), its exit status and the end of its output unless it exits 0.
void runShell(const std::string& command, const Poco::Process::Env& env, const std::string& role) {
    const std::string what = role + " '" + command + "'";
    std::string output;
    int status = 0;
    try {
        Poco::Pipe input;
        Poco::Pipe out;
        // stdout and stderr share the pipe: read in order, never filling one while waiting on
        // the other.
        Poco::ProcessHandle handle =
            Poco::Process::launch("/bin/sh", {"-c", command}, "", &input, &out, &out, env);
        input.close();
        Poco::PipeInputStream stream(out);
        Poco::StreamCopier::copyToString(stream, output);
        status = handle.wait();
    } catch (const Poco::Exception& e) {
        throw Error(what + " could not run: " + e.displayText());
    }
    if (status != 0) {
        const std::string shown = tail(output);
        throw Error(what + " exited with status " + std::to_string(status) +
                    (shown.empty() ? std::string() : ": " + shown));
    }
}

} // namespace

TlsProtocol parseTlsVersion(const std::string& version) {
    if (version == "1.0")
        return TlsProtocol::tls1_0;
    if (version == "1.1")
        return TlsProtocol::tls1_1;
    if (version == "1.2")
        return TlsProtocol::tls1_2;
    if (version == "1.3")
        return TlsProtocol::tls1_3;
    throw CommandLineError("--min-tls must be 1.0, 1.1, 1.2 or 1.3, not '" + version + "'");
}

conformance::Target makeCheckTarget(const CheckTargetOptions& options) {
    const MailboxUrl url = MailboxUrl::parse(options.url);
    if (url.implicitTls && options.startTls)
        throw CommandLineError("--starttls does not go with a pop3s:// target, which is TLS from "
                               "the start");
    if (url.implicitTls && options.tlsPort)
        throw CommandLineError("--tls-port is for a pop3:// target; a pop3s:// target's port is "
                               "the implicit-TLS port");
    if (!options.user2.empty() && !options.url2.empty())
        throw CommandLineError("give the second account one way only: --user2 or --target2");
    if (!options.seedCommand.empty() && !options.allowDestructive)
        throw CommandLineError("--seed-command runs before destructive checks: it needs "
                               "--allow-destructive");

    conformance::Target target;
    target.host = url.host;
    if (url.implicitTls) {
        target.implicitTlsPort = portOf(url);
    } else {
        target.plainPort = portOf(url);
        target.implicitTlsPort = options.tlsPort;
    }
    target.startTls = options.startTls;
    target.account = {url.user, resolvePassword(url, options.passwordEnv, options.passwordFile)};
    if (!options.user2.empty() || !options.url2.empty())
        target.secondAccount = secondAccount(options, url);
    target.tlsServerName = options.tlsName;
    target.caFile = options.caFile;
    target.verifyCertificate = !options.insecure;
    target.minimumTlsVersion = parseTlsVersion(options.minTls);
    target.timeout = std::chrono::milliseconds(options.timeoutMs);
    target.allowDestructive = options.allowDestructive;
    target.slow = options.slow;
    if (!options.seedCommand.empty()) {
        target.seed = [command = options.seedCommand](const conformance::SeedRequest& request) {
            runSeedCommand(command, request);
        };
    }
    if (!options.deliverCommand.empty()) {
        target.deliver = [command = options.deliverCommand](const conformance::Account& account) {
            runDeliverCommand(command, account);
        };
    }
    return target;
}

void runSeedCommand(const std::string& command, const conformance::SeedRequest& request) {
    Poco::Process::Env env{{"POP3_CONFORM_CHECK", request.checkId},
                           {"POP3_CONFORM_USER", request.account.user},
                           {"POP3_CONFORM_COUNT", std::to_string(request.messageCount)}};
    if (request.secondAccount) {
        env["POP3_CONFORM_USER2"] = request.secondAccount->user;
        env["POP3_CONFORM_COUNT2"] = std::to_string(request.secondMessageCount);
    }
    runShell(command, env, "the seed command");
}

void runDeliverCommand(const std::string& command, const conformance::Account& account) {
    runShell(command, {{"POP3_CONFORM_USER", account.user}}, "the deliver command");
}

} // namespace pop3::cli
