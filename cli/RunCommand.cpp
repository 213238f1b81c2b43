#include "RunCommand.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <unistd.h>

#include "ScenarioSuite.h"

namespace pop3::cli {

namespace {

struct RunSettings {
    SuiteOptions suite;
    std::string shard;
    std::string junitFile;
    std::string jsonFile;
    bool list = false;
    std::string target;
    std::string caFile;
    bool insecure = false;
};

/// "HOST:PORT" (a bracketed IPv6 address allowed); nullopt when malformed.
std::optional<Target> parseTarget(const RunSettings& settings) {
    const std::size_t colon = settings.target.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return std::nullopt;
    std::string host = settings.target.substr(0, colon);
    if (host.find_first_of("/@") != std::string::npos)
        return std::nullopt; // a URL, not a host
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    Target target;
    target.host = host;
    try {
        const unsigned long port = std::stoul(settings.target.substr(colon + 1));
        if (port == 0 || port > 65535)
            return std::nullopt;
        target.port = static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    target.caFile = settings.caFile;
    target.verifyCertificate = !settings.insecure;
    return target;
}

/// Verdict words, coloured on a terminal.
std::string label(ScenarioResult::Verdict verdict, bool colour) {
    const char* text = verdict == ScenarioResult::Verdict::passed   ? "PASS"
                       : verdict == ScenarioResult::Verdict::failed ? "FAIL"
                                                                    : "INVALID";
    if (!colour)
        return text;
    const char* code = verdict == ScenarioResult::Verdict::passed ? "\033[32m" : "\033[31m";
    return std::string(code) + text + "\033[0m";
}

bool writeReport(const std::string& file, const std::function<void(std::ostream&)>& write) {
    std::ofstream out(file, std::ios::trunc);
    write(out);
    out.close();
    if (!out)
        std::cerr << "pop3-conform run: cannot write '" << file << "'\n";
    return static_cast<bool>(out);
}

ExitStatus runRun(RunSettings& settings) {
    std::vector<std::string> files;
    try {
        files = collectScenarios(settings.suite);
    } catch (const std::invalid_argument& e) {
        std::cerr << "pop3-conform run: " << e.what() << '\n';
        return ExitStatus::usage;
    }
    if (settings.list) {
        for (const std::string& file : files)
            std::cout << file << '\n';
        return ExitStatus::ok;
    }
    std::optional<Target> target;
    if (!settings.target.empty()) {
        target = parseTarget(settings);
        if (!target) {
            // A URL's user information is not echoed: it may hold a password.
            const bool userInfo = settings.target.find('@') != std::string::npos;
            std::cerr << "pop3-conform run: --target expects HOST:PORT"
                      << (userInfo ? std::string(", not a URL with a user name")
                                   : ", got '" + settings.target + "'")
                      << '\n';
            return ExitStatus::usage;
        }
    }
    const bool colour = ::isatty(STDOUT_FILENO) != 0;
    std::size_t done = 0;
    const std::vector<ScenarioResult> results = runScenarios(
        files, settings.suite.jobs,
        [&](const ScenarioResult& result) {
            ++done;
            std::cout << "[" << done << "/" << files.size() << "] " << label(result.verdict, colour)
                      << " " << result.name << " (" << result.duration.count() << " ms)\n";
            if (result.verdict != ScenarioResult::Verdict::passed)
                std::cout << result.message << (result.message.back() == '\n' ? "" : "\n");
            std::cout.flush();
        },
        target);
    std::size_t passed = 0, failed = 0, invalid = 0;
    for (const ScenarioResult& result : results) {
        passed += result.verdict == ScenarioResult::Verdict::passed;
        failed += result.verdict == ScenarioResult::Verdict::failed;
        invalid += result.verdict == ScenarioResult::Verdict::invalid;
    }
    std::cout << results.size() << " scenarios: " << passed << " passed, " << failed << " failed, "
              << invalid << " invalid\n";
    bool written = true;
    if (!settings.jsonFile.empty())
        written &=
            writeReport(settings.jsonFile, [&](std::ostream& out) { writeJson(out, results); });
    if (!settings.junitFile.empty())
        written &=
            writeReport(settings.junitFile, [&](std::ostream& out) { writeJunit(out, results); });
    if (invalid > 0)
        return ExitStatus::usage;
    return failed > 0 || !written ? ExitStatus::failure : ExitStatus::ok;
}

} // namespace

void addRunCommand(CLI::App& app, CommandRunner& runner) {
    auto settings = std::make_shared<RunSettings>();
    CLI::App* run = app.add_subcommand(
        "run", "Run scenario files (folders recursively), each against its own mock server");
    run->add_option("paths", settings->suite.paths, "Scenario files and folders")
        ->type_name("PATH")
        ->required();
    run->add_option("-j,--jobs", settings->suite.jobs, "Scenarios run at the same time")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    run->add_option("--filter", settings->suite.filter,
                    "Only scenarios whose name or path matches this glob")
        ->type_name("GLOB");
    run->add_option("--shard", settings->shard, "Run shard K of N, e.g. 2/4 (for CI matrices)")
        ->type_name("K/N")
        ->check([](const std::string& text) -> std::string {
            std::size_t k = 0, n = 0;
            char slash = 0;
            std::istringstream in(text);
            if (!(in >> k >> slash >> n) || slash != '/' || k < 1 || n < 1 || k > n || !in.eof())
                return "expected K/N with 1 <= K <= N";
            return {};
        });
    run->add_option("--junit", settings->junitFile, "Write a JUnit XML report")->type_name("FILE");
    run->add_option("--json", settings->jsonFile, "Write a JSON report")->type_name("FILE");
    run->add_flag("--list", settings->list, "Print the scenario files that would run");
    CLI::Option* target =
        run->add_option("--target", settings->target,
                        "Play the steps against this server instead of each scenario's mock "
                        "(expectations on what the mock saw are left out)")
            ->type_name("HOST:PORT");
    run->add_option("--ca", settings->caFile, "CA file for TLS steps against --target")
        ->type_name("FILE")
        ->check(CLI::ExistingFile.description(""))
        ->needs(target);
    run->add_flag("--insecure", settings->insecure,
                  "Do not verify the --target server's certificate")
        ->needs(target);
    run->footer("Exit status: 0 every scenario passed, 1 one failed or a report could not be "
                "written, 2 an invalid scenario file or usage error.");
    run->callback([&runner, settings] {
        if (!settings->shard.empty()) {
            const std::size_t slash = settings->shard.find('/');
            settings->suite.shardIndex = std::stoul(settings->shard.substr(0, slash));
            settings->suite.shardCount = std::stoul(settings->shard.substr(slash + 1));
        }
        runner = [settings] { return runRun(*settings); };
    });
}

} // namespace pop3::cli
