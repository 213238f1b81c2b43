#include "ServeCommand.h"

#include "pop3/Errors.h"
#include "pop3/Message.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioError.h"
#include "pop3/mock/ScenarioLoader.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/Path.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <pthread.h>

namespace pop3::cli {

namespace {

struct ServeSettings {
    std::string scenarioFile;
    std::vector<std::string> users;
    std::string messagesDir;
    std::string maildir;
    std::optional<std::uint16_t> port;
    std::optional<std::uint16_t> tlsPort;
    std::string address = "127.0.0.1";
    std::string recordFile;
    std::size_t recordLimit = mock::MockServerOptions().recordingLimit;
    std::optional<std::uint16_t> controlPort;
    std::string controlAddress = "127.0.0.1";
};

/// The scenario `serve` runs without a scenario file: every user gets every .eml of the
/// messages folder (or the Maildir), over plaintext with STLS and implicit TLS.
mock::Scenario scenarioFromOptions(const ServeSettings& settings) {
    mock::Scenario scenario;
    scenario.name = "serve";
    std::vector<mock::MessageSource> messages;
    if (!settings.messagesDir.empty()) {
        std::vector<std::string> files;
        for (Poco::DirectoryIterator it(settings.messagesDir), end; it != end; ++it) {
            if (it->isFile() && Poco::Path(it.path()).getExtension() == "eml")
                files.push_back(it.path().toString());
        }
        std::sort(files.begin(), files.end());
        for (const std::string& file : files) {
            Poco::FileInputStream in(file);
            const std::string text(std::istreambuf_iterator<char>(in), {});
            mock::MessageSource source;
            source.kind = mock::MessageSource::Kind::File;
            source.path = file;
            source.size = measureMessage(text).octets;
            source.uid = Poco::Path(file).getBaseName();
            messages.push_back(std::move(source));
        }
    }
    for (const std::string& user : settings.users) {
        const std::size_t colon = user.find(':');
        if (colon == std::string::npos || colon == 0) // not echoed: it may hold the password
            throw CLI::ValidationError("--user", "expected NAME:PASSWORD with a non-empty NAME");
        mock::Mailbox mailbox;
        mailbox.user = user.substr(0, colon);
        mailbox.password = user.substr(colon + 1);
        if (!settings.maildir.empty())
            mailbox.maildir = settings.maildir;
        else
            mailbox.messages = messages;
        scenario.mailboxes.push_back(std::move(mailbox));
    }
    scenario.server.tls.mode = mock::TlsMode::Stls;
    scenario.server.tls.certificate = mock::CertificateSpec{{}, {}, true};
    return scenario;
}

void writeRecording(const std::string& file, const mock::Recording& recording) {
    std::ofstream out(file, std::ios::trunc);
    for (const mock::RecordedLine& line : recording.lines()) {
        Poco::JSON::Object json;
        json.set("session", line.session);
        json.set("direction", line.direction == TraceDirection::received ? "client" : "server");
        json.set("line", line.line);
        json.set("time",
                 std::chrono::duration_cast<std::chrono::milliseconds>(line.time.time_since_epoch())
                     .count());
        json.stringify(out);
        out << '\n';
    }
    if (!out)
        throw Error("cannot write the recording to '" + file + "'");
}

ExitStatus runServe(const ServeSettings& settings) {
    // Only sigwait() below sees SIGINT and SIGTERM, not the server's threads.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    try {
        const mock::Scenario scenario = settings.scenarioFile.empty()
                                            ? scenarioFromOptions(settings)
                                            : mock::ScenarioLoader::loadFile(settings.scenarioFile);
        mock::MockServerOptions options;
        options.address = settings.address;
        options.port = settings.port.value_or(0);
        options.tlsPort = settings.tlsPort.value_or(0);
        options.recordingLimit = settings.recordLimit;
        options.controlPort = settings.controlPort;
        options.controlAddress = settings.controlAddress;
        mock::MockServer server(scenario, options);
        server.start();
        Poco::JSON::Object ready;
        ready.set("address", server.address());
        if (server.port())
            ready.set("pop3", *server.port());
        if (server.tlsPort())
            ready.set("pop3s", *server.tlsPort());
        if (!server.certificateFile().empty())
            ready.set("certificate", server.certificateFile());
        if (server.controlPort())
            ready.set("control", *server.controlPort());
        ready.stringify(std::cout);
        std::cout << std::endl;
        int received = 0;
        sigwait(&signals, &received);
        server.stop();
        if (!settings.recordFile.empty())
            writeRecording(settings.recordFile, server.recording());
        return ExitStatus::ok;
    } catch (const mock::ScenarioError& e) {
        std::cerr << e.what() << '\n';
        return ExitStatus::usage;
    } catch (const CLI::ValidationError& e) {
        std::cerr << "pop3-conform serve: " << e.what() << '\n';
        return ExitStatus::usage;
    } catch (const std::exception& e) {
        std::cerr << "pop3-conform serve: " << e.what() << '\n';
        return ExitStatus::failure;
    }
}

} // namespace

void addServeCommand(CLI::App& app, CommandRunner& runner) {
    auto settings = std::make_shared<ServeSettings>();
    CLI::App* serve = app.add_subcommand(
        "serve", "Run a mock POP3 server for application tests until SIGINT or SIGTERM");
    serve->add_option("scenario", settings->scenarioFile, "Scenario file (docs/scenarios.md)")
        ->type_name("FILE")
        ->check(CLI::ExistingFile.description(""));
    CLI::Option* users =
        serve->add_option("--user", settings->users, "A mailbox, as NAME:PASSWORD (repeatable)")
            ->type_name("NAME:PASS");
    serve->add_option("--messages", settings->messagesDir, "Every .eml here goes to each user")
        ->type_name("DIR")
        ->check(CLI::ExistingDirectory.description(""))
        ->needs(users);
    serve
        ->add_option("--maildir", settings->maildir,
                     "Serve this Maildir to each user; deletions remove its files at QUIT")
        ->type_name("DIR")
        ->check(CLI::ExistingDirectory.description(""))
        ->needs(users);
    serve->add_option("--address", settings->address, "Address to listen on")
        ->type_name("ADDRESS")
        ->capture_default_str();
    serve->add_option("--port", settings->port, "Plaintext/STLS port (default: a free one)")
        ->type_name("PORT");
    serve->add_option("--tls-port", settings->tlsPort, "Implicit-TLS port (default: a free one)")
        ->type_name("PORT");
    serve
        ->add_option("--record", settings->recordFile,
                     "Write the transcript as JSON lines when stopped (passwords masked)")
        ->type_name("FILE");
    serve
        ->add_option("--record-limit", settings->recordLimit,
                     "Keep the newest N recorded lines, dropping older ones (0: no limit)")
        ->type_name("N")
        ->capture_default_str();
    CLI::Option* controlPort =
        serve
            ->add_option(
                "--control-port", settings->controlPort,
                "Serve the HTTP control API (docs/control-api.md) on this port; 0 picks a free one")
            ->type_name("PORT");
    serve
        ->add_option("--control-address", settings->controlAddress,
                     "Address the control API listens on")
        ->type_name("ADDRESS")
        ->capture_default_str()
        ->needs(controlPort);
    serve->footer(
        "Give a scenario file or --user (with --messages or --maildir), not both. Once listening, "
        "one JSON line goes to stdout: address, pop3 (plaintext/STLS port), pop3s (implicit-TLS "
        "port), certificate (PEM to trust) and, with --control-port, control.\nExit status: 0 "
        "after SIGINT or SIGTERM, 1 the server cannot start, 2 usage error or invalid scenario.");
    serve->callback([&runner, settings] {
        if (settings->scenarioFile.empty() == settings->users.empty())
            throw CLI::ValidationError("serve",
                                       "give a scenario file or --user, not both or neither");
        if (!settings->messagesDir.empty() && !settings->maildir.empty())
            throw CLI::ValidationError("serve", "--messages and --maildir exclude each other");
        runner = [settings] { return runServe(*settings); };
    });
}

} // namespace pop3::cli
