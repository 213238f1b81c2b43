#include "pop3/conformance/CheckRunner.h"

#include "pop3/Errors.h"

#include <algorithm>
#include <exception>
#include <sstream>

namespace pop3::conformance {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

/// Why a check cannot run on this target, or empty.
std::string unmetNeed(const CheckInfo& info, const Target& target) {
    if ((info.needs & needsSlow) && !target.slow)
        return "takes minutes: needs --slow";
    if ((info.needs & needsDestructive) && !target.allowDestructive)
        return "deletes mail: needs --allow-destructive";
    if ((info.needs & needsSecondAccount) && !target.secondAccount)
        return "needs a second account (--user2 or --target2)";
    if ((info.needs & needsPlaintextPort) && !target.plainPort)
        return "needs the plaintext port (a pop3:// target)";
    if ((info.needs & needsImplicitTls) && !target.implicitTlsPort)
        return "needs an implicit-TLS port (a pop3s:// target or --tls-port)";
    return {};
}

/// Lists the logged-in session's messages: LIST (else STAT's count), then UIDL when it works.
std::vector<ListedMessage> listMessages(Probe& probe) {
    std::vector<ListedMessage> messages;
    const Reply list = probe.command("LIST");
    if (list.ok()) {
        for (const std::string& line : list.body) {
            std::istringstream in(line);
            ListedMessage message;
            if (in >> message.number >> message.size)
                messages.push_back(message);
        }
    } else {
        const Reply stat = probe.command("STAT");
        std::istringstream in(stat.status.text);
        std::size_t count = 0;
        if (stat.ok() && in >> count) {
            for (std::size_t i = 1; i <= count; ++i)
                messages.push_back({i, 0, {}});
        }
    }
    if (!list.complete())
        return messages;
    const Reply uidl = probe.command("UIDL");
    if (uidl.ok()) {
        for (const std::string& line : uidl.body) {
            std::istringstream in(line);
            std::uint64_t number = 0;
            std::string uid;
            if (!(in >> number >> uid))
                continue;
            for (ListedMessage& message : messages) {
                if (message.number == number)
                    message.uid = uid;
            }
        }
    }
    return messages;
}

/// Logs in with the first method that works (USER/PASS, AUTH PLAIN, APOP, each on a new
/// connection), records it for the checks, and lists the mailbox.
std::vector<ListedMessage> discoverMailbox(CheckContext& context, Discovery& discovery,
                                           bool secondAccount) {
    const Account& who = context.account(secondAccount);
    std::vector<LoginMethod> methods{discovery.loginMethod};
    if (!secondAccount)
        methods = {LoginMethod::userPass, LoginMethod::saslPlain, LoginMethod::apop};
    std::string refusals;
    for (const LoginMethod method : methods) {
        Probe probe = context.connect();
        Reply reply;
        try {
            reply = context.authenticate(probe, method, who);
        } catch (const CheckSkipped&) {
            continue; // no APOP timestamp
        }
        if (!reply.ok()) {
            refusals += (refusals.empty() ? "" : "; ") + reply.describe();
            continue;
        }
        discovery.loginMethod = method;
        if (!secondAccount) {
            const Reply capa = probe.command("CAPA");
            if (capa.ok())
                discovery.capabilitiesAfterLogin = capa.body;
        }
        std::vector<ListedMessage> messages = listMessages(probe);
        probe.quit();
        return messages;
    }
    throw Error("cannot log in as " + who.user + " (" + refusals + ")");
}

} // namespace

std::string_view toString(Verdict verdict) {
    switch (verdict) {
    case Verdict::pass:
        return "pass";
    case Verdict::fail:
        return "fail";
    case Verdict::warn:
        return "warn";
    case Verdict::skip:
        return "skip";
    case Verdict::error:
        return "error";
    }
    return "error";
}

std::size_t CheckReport::count(Verdict verdict) const {
    return static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(),
                      [&](const CheckResult& r) { return r.verdict == verdict; }));
}

bool CheckReport::passed() const {
    return overallError.empty() && count(Verdict::fail) == 0 && count(Verdict::error) == 0;
}

Discovery discover(const Target& target) {
    Discovery discovery;
    CheckContext context(target, discovery);
    try {
        Probe probe = context.connect();
        discovery.greeting = probe.greeting().statusLine;
        const Reply capa = probe.command("CAPA");
        if (capa.ok())
            discovery.capabilities = capa.body;
        probe.close();
        discovery.messages = discoverMailbox(context, discovery, false);
        if (target.secondAccount)
            discovery.secondMessages = discoverMailbox(context, discovery, true);
    } catch (const CheckFailed& failed) {
        throw Error(target.describe() + " cannot be checked: " + failed.message + " (expected " +
                    failed.expected + ", got " + failed.actual + ")");
    } catch (const CheckSkipped& skipped) {
        throw Error(target.describe() + " cannot be checked: " + skipped.reason);
    } catch (const Error& e) {
        throw Error(target.describe() + " cannot be checked: " + e.what());
    }
    return discovery;
}

CheckResult runCheck(const Check& check, const Target& target, const Discovery& discovery,
                     bool strict) {
    CheckResult result;
    result.check = &check;
    const Clock::time_point start = Clock::now();
    const std::string unmet = unmetNeed(check.info, target);
    if (!unmet.empty()) {
        result.verdict = Verdict::skip;
        result.message = unmet;
        return result;
    }
    CheckContext context(target, discovery);
    const bool warnOnly =
        check.info.level == Level::may || (check.info.level == Level::should && !strict);
    try {
        check.run(context);
        if (context.warnings().empty()) {
            result.verdict = Verdict::pass;
        } else {
            result.verdict =
                strict && check.info.level != Level::may ? Verdict::fail : Verdict::warn;
            for (const std::string& warning : context.warnings())
                result.message += (result.message.empty() ? "" : "; ") + warning;
        }
    } catch (const CheckFailed& failed) {
        result.verdict = warnOnly ? Verdict::warn : Verdict::fail;
        result.message = failed.message;
        result.expected = failed.expected;
        result.actual = failed.actual;
    } catch (const CheckSkipped& skipped) {
        result.verdict = Verdict::skip;
        result.message = skipped.reason;
    } catch (const Error& e) {
        result.verdict = Verdict::error;
        result.message = e.what();
    } catch (const std::exception& e) {
        result.verdict = Verdict::error;
        result.message = std::string("the check itself failed: ") + e.what();
    }
    result.notes = context.notes();
    if (result.verdict != Verdict::pass && result.verdict != Verdict::skip)
        result.transcript = context.transcript();
    result.duration = since(start);
    return result;
}

CheckReport runChecks(const Target& target, const std::vector<const Check*>& checks,
                      const RunOptions& options) {
    CheckReport report;
    report.target = target.describe();
    const Clock::time_point start = Clock::now();
    report.results.resize(checks.size());
    try {
        report.discovery = discover(target);
    } catch (const Error& e) {
        report.overallError = e.what();
        for (std::size_t i = 0; i < checks.size(); ++i) {
            report.results[i].check = checks[i];
            report.results[i].verdict = Verdict::error;
            report.results[i].message = report.overallError;
            if (options.onResult)
                options.onResult(report.results[i]);
        }
        report.duration = since(start);
        return report;
    }
    std::vector<std::size_t> order(checks.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    // Read-only checks see the mailbox as it was found; destructive ones follow, each after
    // the seed hook put the mail back.
    std::stable_partition(order.begin(), order.end(), [&](std::size_t i) {
        return (checks[i]->info.needs & needsDestructive) == 0;
    });
    const Discovery initial = report.discovery;
    Discovery current = initial;
    for (const std::size_t i : order) {
        const Check& check = *checks[i];
        CheckResult& result = report.results[i];
        const bool destructive = (check.info.needs & needsDestructive) != 0;
        if (destructive && target.allowDestructive && unmetNeed(check.info, target).empty()) {
            try {
                if (target.seed) {
                    SeedRequest request{check.info.id, target.account, initial.messages.size(),
                                        target.secondAccount, initial.secondMessages.size()};
                    target.seed(request);
                }
                current = discover(target);
            } catch (const Error& e) {
                result.check = &check;
                result.verdict = Verdict::error;
                result.message = std::string("cannot restore the mailbox: ") + e.what();
                if (options.onResult)
                    options.onResult(result);
                continue;
            }
        }
        result = runCheck(check, target, current, options.strict);
        if (options.onResult)
            options.onResult(result);
    }
    report.duration = since(start);
    return report;
}

std::string Target::describe() const {
    const bool plain = plainPort.has_value();
    return host + ":" + std::to_string(plain ? *plainPort : implicitTlsPort.value_or(0)) +
           (plain ? (startTls ? " (STLS)" : "") : " (implicit TLS)");
}

} // namespace pop3::conformance
