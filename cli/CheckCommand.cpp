#include "CheckCommand.h"

#include "pop3/Errors.h"
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckRunner.h"
#include "pop3/conformance/EmbeddedMock.h"
#include "pop3/conformance/Reports.h"

#include <Poco/Exception.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

#include "CheckTarget.h"
#include "CommandLineError.h"

namespace pop3::cli {

namespace {

using namespace pop3::conformance;

constexpr const char* kPrefix = "pop3-conform check: ";

struct CheckSettings {
    CheckTargetOptions target;
    std::uint16_t tlsPort = 0;
    std::vector<std::string> patterns;
    bool strict = false;
    bool selfTest = false;
    bool quiet = false;
    std::size_t jobs = 8;
    std::string jsonFile;
    std::string junitFile;
};

bool writeReport(const std::string& file, const std::function<void(std::ostream&)>& write) {
    std::ofstream out(file, std::ios::trunc);
    write(out);
    out.close();
    if (!out)
        std::cerr << kPrefix << "cannot write '" << file << "'\n";
    return static_cast<bool>(out);
}

/// "40/42 (95.2 %)"; never rounds up to 100 %.
std::string describeCoverage(const FaultCoverage& coverage) {
    const double percent = coverage.total == 0
                               ? 100.0
                               : std::floor(1000.0 * static_cast<double>(coverage.withFault) /
                                            static_cast<double>(coverage.total)) /
                                     10;
    char text[64];
    std::snprintf(text, sizeof text, "%zu/%zu (%.1f %%)", coverage.withFault, coverage.total,
                  percent);
    return text;
}

std::string describeResult(const CheckResult& result) {
    std::string text(toString(result.verdict));
    if (!result.message.empty())
        text += " (" + result.message + ")";
    return text;
}

/// Why `check` is not proven against the embedded mock; empty when it is.
std::string disproof(const Check& check) {
    try {
        const SelfTestResult result = selfTest(check);
        if (result.correct && result.correct->verdict != Verdict::pass)
            return "against the correct mock: " + describeResult(*result.correct);
        if (result.faulty.verdict != Verdict::fail)
            return "against its fault: " + describeResult(result.faulty);
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

/// Proves every selected check that has a fault, `jobs` at a time (each on its own pair of
/// mocks; most of the time goes into waiting for a faulty mock), printing in catalogue order.
ExitStatus runSelfTest(const std::vector<const Check*>& checks, std::size_t jobs) {
    std::vector<std::optional<std::string>> why(checks.size());
    std::vector<char> done(checks.size(), 0);
    std::mutex mutex;
    std::condition_variable ready;
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < checks.size(); i = next++) {
            std::optional<std::string> result;
            if (!checks[i]->info.fault.empty())
                result = disproof(*checks[i]);
            {
                std::lock_guard<std::mutex> lock(mutex);
                why[i] = std::move(result);
                done[i] = 1;
            }
            ready.notify_all();
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t j = 0; j < std::min(jobs, checks.size()); ++j)
        threads.emplace_back(worker);

    std::vector<Check> selected;
    std::size_t proven = 0;
    std::size_t notProven = 0;
    for (std::size_t i = 0; i < checks.size(); ++i) {
        std::unique_lock<std::mutex> lock(mutex);
        ready.wait(lock, [&] { return done[i] != 0; });
        const CheckInfo& info = checks[i]->info;
        selected.push_back(*checks[i]);
        if (!why[i]) {
            if (info.level == Level::must || info.level == Level::sec)
                std::cout << "no fault    " << info.id << " (" << toString(info.level) << ")\n";
        } else if (why[i]->empty()) {
            ++proven;
            std::cout << "proven      " << info.id << "\n";
        } else {
            ++notProven;
            std::cout << "NOT PROVEN  " << info.id << ": " << *why[i] << "\n";
        }
        std::cout.flush();
    }
    for (std::thread& thread : threads)
        thread.join();

    const FaultCoverage coverage = faultCoverage(selected);
    std::cout << "\nMUST checks with a fault: " << describeCoverage(coverage) << "\n"
              << proven << " proven, " << notProven << " not proven\n";
    const bool complete = coverage.withFault == coverage.total;
    return notProven == 0 && complete ? ExitStatus::ok : ExitStatus::failure;
}

ExitStatus runCheckCommand(CheckSettings& settings) {
    std::vector<const Check*> checks;
    try {
        checks = selectChecks(settings.patterns);
    } catch (const UsageError& e) {
        std::cerr << kPrefix << e.what() << '\n';
        return ExitStatus::usage;
    }
    if (settings.selfTest)
        return runSelfTest(checks, settings.jobs);

    if (settings.tlsPort != 0)
        settings.target.tlsPort = settings.tlsPort;
    std::unique_ptr<EmbeddedMock> mock;
    Target target;
    try {
        if (settings.target.url.empty()) {
            mock = std::make_unique<EmbeddedMock>();
            target = mock->target();
            target.minimumTlsVersion = parseTlsVersion(settings.target.minTls);
            target.timeout = std::chrono::milliseconds(settings.target.timeoutMs);
            target.slow = settings.target.slow;
        } else {
            target = makeCheckTarget(settings.target);
        }
    } catch (const CommandLineError& e) {
        std::cerr << kPrefix << e.what() << '\n';
        return ExitStatus::usage;
    } catch (const std::exception& e) {
        std::cerr << kPrefix << "cannot start the embedded mock: " << e.what() << '\n';
        return ExitStatus::failure;
    }

    RunOptions options;
    options.strict = settings.strict;
    if (!settings.quiet && ::isatty(STDERR_FILENO) == 1) {
        auto done = std::make_shared<std::size_t>(0);
        options.onResult = [done, total = checks.size()](const CheckResult& result) {
            std::cerr << "[" << ++*done << "/" << total << "] " << toString(result.verdict) << " "
                      << result.check->info.id << std::endl;
        };
    }
    CheckReport report = runChecks(target, checks, options);
    if (mock)
        report.target = "embedded mock (" + report.target + ")";

    if (!settings.quiet)
        writeText(std::cout, report, ::isatty(STDOUT_FILENO) == 1);
    std::cout.flush();
    if (!report.overallError.empty())
        std::cerr << kPrefix << report.overallError << '\n';
    bool written = true;
    if (!settings.jsonFile.empty())
        written &=
            writeReport(settings.jsonFile, [&](std::ostream& out) { writeJson(out, report); });
    if (!settings.junitFile.empty())
        written &=
            writeReport(settings.junitFile, [&](std::ostream& out) { writeJunit(out, report); });
    return report.passed() && written ? ExitStatus::ok : ExitStatus::failure;
}

void addCheck(CLI::App& app, CommandRunner& runner) {
    auto settings = std::make_shared<CheckSettings>();
    CheckTargetOptions& t = settings->target;
    CLI::App* check = app.add_subcommand(
        "check", "Check a POP3 server against the RFCs (default: the embedded mock)");
    check->add_option("patterns", settings->patterns,
                      "Check ids or globs, e.g. 'rfc1939-5-*' (default: every check)");
    CLI::Option* target =
        check
            ->add_option("--target", t.url,
                         "The server: pop3://USER[:PASS]@HOST[:PORT] or pop3s://... (implicit "
                         "TLS)")
            ->type_name("URL");
    check
        ->add_option("--tls-port", settings->tlsPort,
                     "An implicit-TLS port next to a pop3:// "
                     "target")
        ->check(CLI::Range(1, 65535).description(""))
        ->needs(target);
    check->add_flag("--starttls", t.startTls, "Upgrade pop3:// connections with STLS")
        ->needs(target);
    CLI::Option* user2 =
        check->add_option("--user2", t.user2, "A second account on the same server")
            ->type_name("USER:PASS")
            ->needs(target);
    check->add_option("--target2", t.url2, "A second account, as a URL naming the same server")
        ->type_name("URL")
        ->needs(target)
        ->excludes(user2);
    check
        ->add_option("--password-env", t.passwordEnv,
                     "Read the --target password from this environment variable")
        ->type_name("NAME")
        ->needs(target);
    check
        ->add_option("--password-file", t.passwordFile,
                     "Read the --target password from the first line of this file")
        ->type_name("FILE")
        ->needs(target);
    check->add_option("--ca", t.caFile, "PEM file of CAs to trust instead of the system's")
        ->type_name("FILE")
        ->check(CLI::ExistingFile.description(""))
        ->needs(target);
    check->add_flag("--insecure", t.insecure, "Do not verify the server's certificate")
        ->needs(target);
    check
        ->add_option("--tls-name", t.tlsName,
                     "The name the certificate must carry (default: "
                     "the host)")
        ->type_name("NAME")
        ->needs(target);
    check->add_option("--min-tls", t.minTls, "The oldest TLS version the server accepts")
        ->type_name("VERSION")
        ->check(CLI::IsMember({"1.0", "1.1", "1.2", "1.3"}))
        ->capture_default_str();
    check->add_option("--timeout", t.timeoutMs, "Limit for each connect, handshake and reply")
        ->type_name("MS")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{86400000}).description(""))
        ->capture_default_str();
    CLI::Option* destructive =
        check->add_flag("--allow-destructive", t.allowDestructive,
                        "Run the checks that delete mail (with --target: after --seed-command)");
    check
        ->add_option("--seed-command", t.seedCommand,
                     "Shell command that puts the mail back before each destructive check")
        ->type_name("CMD")
        ->needs(target)
        ->needs(destructive);
    check
        ->add_option("--deliver-command", t.deliverCommand,
                     "Shell command that delivers one new message (the checks of new mail)")
        ->type_name("CMD")
        ->needs(target);
    check->add_flag("--slow", t.slow, "Run the checks that take minutes (autologout)");
    check->add_flag("--strict", settings->strict, "SHOULD findings fail instead of warn");
    CLI::Option* json =
        check->add_option("--json", settings->jsonFile, "Write a JSON report")->type_name("FILE");
    CLI::Option* junit = check
                             ->add_option("--junit", settings->junitFile,
                                          "Write a JUnit XML report (a testsuite per RFC)")
                             ->type_name("FILE");
    check->add_flag("-q,--quiet", settings->quiet,
                    "No report or progress on the terminal: the exit status and report files");
    check
        ->add_flag("--self-test", settings->selfTest,
                   "Prove each selected check against the embedded mock with and without its "
                   "fault")
        ->excludes(target)
        ->excludes(json)
        ->excludes(junit);
    check->add_option("-j,--jobs", settings->jobs, "Self-tests run at the same time")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}).description(""))
        ->capture_default_str();
    check->footer("Exit status: 0 nothing failed or erred (warnings and skips are fine), 1 a check "
                  "failed or erred or the server could not be checked, 2 usage error.");
    check->callback(
        [&runner, settings] { runner = [settings] { return runCheckCommand(*settings); }; });
}

void addListChecks(CLI::App& app, CommandRunner& runner) {
    auto markdown = std::make_shared<bool>(false);
    auto json = std::make_shared<bool>(false);
    CLI::App* list = app.add_subcommand(
        "list-checks",
        "Print the check catalogue: one line per check (id, level, summary) by default");
    CLI::Option* markdownFlag =
        list->add_flag("--markdown", *markdown, "As Markdown (docs/checks.md)");
    list->add_flag("--json", *json, "As JSON, every field of every check")->excludes(markdownFlag);
    list->callback([&runner, markdown, json] {
        runner = [markdown, json] {
            if (*markdown)
                writeCatalogueMarkdown(std::cout, catalogue());
            else if (*json)
                writeCatalogueJson(std::cout, catalogue());
            else
                writeCatalogueText(std::cout, catalogue());
            std::cout.flush();
            return std::cout ? ExitStatus::ok : ExitStatus::failure;
        };
    });
}

} // namespace

void addCheckCommands(CLI::App& app, CommandRunner& runner) {
    addCheck(app, runner);
    addListChecks(app, runner);
}

} // namespace pop3::cli
