#include "BenchCommand.h"

#include "pop3/Errors.h"
#include "pop3/load/LoadGenerator.h"
#include "pop3/load/LoadReportFormat.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>

#include "CommandLineError.h"
#include "ConnectionOptions.h"

namespace pop3::cli {

namespace {

constexpr const char* kPrefix = "pop3-conform bench: ";

struct BenchSettings {
    ConnectionOptions connection;
    load::LoadSettings load;
    double durationSeconds = 10;
    std::uint64_t units = 0;
    std::string mix = "retr=60,top=20,uidl=10,dele=10";
    bool pool = false;
    bool reconnect = false;
    std::string jsonFile;
    bool quiet = false;
    std::string engine = "threads";
};

/// Fills settings.load from the parsed options; throws CommandLineError.
void resolve(BenchSettings& settings) {
    load::LoadSettings& load = settings.load;
    Client client;
    settings.connection.configure(client);
    load::LoadTarget& target = load.target;
    target.host = client.host;
    target.port =
        client.port != 0 ? client.port : (client.encryptMode == EncryptMode::sslTls ? 995 : 110);
    target.implicitTls = client.encryptMode == EncryptMode::sslTls;
    target.startTls = client.encryptMode == EncryptMode::startTls;
    target.userPattern = client.username;
    target.password = client.password;
    target.authMode = client.authMode;
    target.saslMechanisms = client.saslMechanisms;
    target.caFile = client.caFile;
    target.verifyCertificate = client.verifyServerCertificate;
    target.timeout = client.timeout;
    load.engine = settings.engine == "events" ? load::Engine::events : load::Engine::threads;
    load.mode = settings.pool ? load::SessionMode::pool : load::SessionMode::reconnect;
    load.duration =
        std::chrono::milliseconds(static_cast<long long>(settings.durationSeconds * 1000));
    if (settings.units > 0)
        load.units = settings.units;
    try {
        load.mix = load::OperationMix::parse(settings.mix);
        load.validate();
    } catch (const std::invalid_argument& e) {
        throw CommandLineError(e.what());
    }
}

ExitStatus runBench(BenchSettings& settings) {
    try {
        resolve(settings);
    } catch (const CommandLineError& e) {
        std::cerr << kPrefix << e.what() << '\n';
        return ExitStatus::usage;
    }
    std::ofstream json;
    if (!settings.jsonFile.empty()) {
        json.open(settings.jsonFile, std::ios::trunc);
        if (!json) {
            std::cerr << kPrefix << "cannot write '" << settings.jsonFile << "'\n";
            return ExitStatus::failure;
        }
    }
    load::LoadReport report;
    try {
        report = load::runLoad(settings.load, [&settings](const load::ProgressTick& tick) {
            if (!settings.quiet)
                std::cerr << load::progressLine(tick) << std::endl;
        });
    } catch (const std::exception& e) {
        std::cerr << kPrefix << e.what() << '\n';
        return ExitStatus::failure;
    }
    load::writeText(std::cout, report);
    if (json.is_open()) {
        load::writeJson(json, report);
        if (!json.flush()) {
            std::cerr << kPrefix << "cannot write '" << settings.jsonFile << "'\n";
            return ExitStatus::failure;
        }
    }
    if (report.integrityMismatches > 0) {
        std::cerr << kPrefix << report.integrityMismatches
                  << " RETRs returned other octets than an earlier RETR of the same message\n";
        return ExitStatus::failure;
    }
    if (report.totals.operations == 0 && report.totals.sessions == 0) {
        std::cerr << kPrefix << "nothing succeeded (" << report.totals.errorCount() << " errors)\n";
        return ExitStatus::failure;
    }
    return ExitStatus::ok;
}

} // namespace

void addBenchCommand(CLI::App& app, CommandRunner& runner) {
    auto settings = std::make_shared<BenchSettings>();
    CLI::App* bench = app.add_subcommand(
        "bench", "Put a POP3 server under load: sessions/s, commands/s, MB/s, latency, errors");
    settings->connection.timeoutMs = 10000;
    settings->connection.addTo(*bench, "--target");
    bench->get_option("--target")->type_name("URL");
    load::LoadSettings& load = settings->load;
    bench->add_option("-c,--connections", load.connections, "Connections working at once")
        ->capture_default_str()
        ->check(CLI::Range(1u, 100000u).description(""));
    bench->add_option("-d,--duration", settings->durationSeconds, "Run this many seconds")
        ->type_name("S")
        ->capture_default_str()
        ->check(CLI::Range(0.001, 86400.0).description(""));
    bench
        ->add_option("-n,--sessions", settings->units,
                     "Stop after this many units of work (sessions; checkouts with --pool)")
        ->type_name("N")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 50).description(""));
    bench
        ->add_option("--mix", settings->mix,
                     "Operations and weights: stat list uidl retr top dele noop")
        ->type_name("OP=W,...")
        ->capture_default_str();
    bench
        ->add_option("--operations", load.operationsPerUnit,
                     "Operations drawn from the mix per session (per checkout with --pool)")
        ->type_name("N")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000000u).description(""));
    auto* pool =
        bench->add_flag("--pool", settings->pool, "Keep logged-in sessions open and reuse them");
    auto* reconnect = bench->add_flag(
        "--reconnect", settings->reconnect,
        "A whole session per unit: connect, login, STAT, operations, QUIT (default)");
    pool->excludes(reconnect);
    bench
        ->add_option("--accounts", load.accounts,
                     "Distinct accounts; {n} in the user name becomes 1..N (default: one per "
                     "connection with {n}, else 1)")
        ->type_name("N")
        ->check(CLI::Range(1u, 1000000u).description(""));
    bench
        ->add_option("--idle", load.idleConnections,
                     "Open this many sessions first and keep them idle during the run")
        ->type_name("N")
        ->check(CLI::Range(0u, 1000000u).description(""));
    bench
        ->add_option("--engine", settings->engine,
                     "threads (any TLS and login) or events (one event loop; plaintext USER/PASS)")
        ->check(CLI::IsMember({"threads", "events"}).description(""))
        ->type_name("threads|events")
        ->capture_default_str();
    bench->add_option("--seed", load.seed, "Seed of the random choices")->capture_default_str();
    bench->add_option("--json", settings->jsonFile, "Also write the report as JSON to FILE")
        ->type_name("FILE");
    bench->add_flag("-q,--quiet", settings->quiet, "No progress line every second");
    bench->footer("{n} in the user name and password becomes the account number 1..N, so each "
                  "connection has a mailbox of its own.\nExit status: 0 done, 1 a RETR changed "
                  "between retrievals or nothing succeeded, 2 usage error.");
    bench->callback([&runner, settings] { runner = [settings] { return runBench(*settings); }; });
}

} // namespace pop3::cli
