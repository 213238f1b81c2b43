#include "FetchCommand.h"

#include "pop3/Client.h"
#include "pop3/Errors.h"

#include <Poco/Exception.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <unistd.h>

#include "CommandLineError.h"
#include "ConnectionOptions.h"
#include "Fetcher.h"
#include "ProgressBar.h"

namespace pop3::cli {

namespace {

constexpr const char* kPrefix = "pop3-conform fetch: ";

struct FetchSettings {
    ConnectionOptions connection;
    FetchOptions fetch;
    bool verbose = false;
};

ExitStatus runFetch(const FetchSettings& settings) {
    Client client;
    MailboxUrl url;
    try {
        url = settings.connection.configure(client);
    } catch (const CommandLineError& e) {
        std::cerr << kPrefix << e.what() << '\n';
        return ExitStatus::usage;
    }

    Fetcher fetcher(client, settings.fetch);
    ProgressBar bar(std::cerr);
    if (settings.verbose) {
        client.onTrace = [](TraceDirection direction, std::string_view line) {
            std::cerr << (direction == TraceDirection::sent ? "C: " : "S: ") << line << '\n';
        };
    } else if (::isatty(STDERR_FILENO) == 1) {
        fetcher.onMessage = [&bar](std::size_t index, std::size_t count,
                                   const MessageListing& message) {
            bar.startMessage(index, count, message.size);
        };
        client.onProgress = [&bar](std::uint64_t received, std::uint64_t expected) {
            bar.update(received, expected);
        };
    }

    try {
        const FetchSummary summary = fetcher.run();
        bar.finish();
        std::cout << summary.describe(url.host) << std::endl;
        for (const std::string& failure : summary.failures)
            std::cerr << kPrefix << failure << '\n';
        return summary.failures.empty() ? ExitStatus::ok : ExitStatus::failure;
    } catch (const pop3::Error& e) {
        bar.finish();
        std::cerr << kPrefix << e.what() << '\n';
    } catch (const Poco::Exception& e) {
        bar.finish();
        std::cerr << kPrefix << e.displayText() << '\n';
    } catch (const std::exception& e) {
        bar.finish();
        std::cerr << kPrefix << e.what() << '\n';
    }
    if (fetcher.summary().fetched > 0)
        std::cout << fetcher.summary().describe(url.host) << std::endl;
    return ExitStatus::failure;
}

} // namespace

void addFetchCommand(CLI::App& app, CommandRunner& runner) {
    auto settings = std::make_shared<FetchSettings>();
    CLI::App* fetch = app.add_subcommand(
        "fetch", "Download the messages of a POP3 mailbox into a folder or a Maildir");
    settings->connection.addTo(*fetch);
    fetch->add_option("-o,--out", settings->fetch.outDir, "Folder to write the messages to")
        ->type_name("DIR")
        ->required();
    fetch->add_flag("--maildir", settings->fetch.maildir,
                    "Write a Maildir (tmp/, new/, cur/) instead of <UIDL>.eml files");
    fetch->add_flag("--delete", settings->fetch.deleteFetched,
                    "Delete fetched messages on the server once their files are on disk");
    fetch
        ->add_option("--uidl-state", settings->fetch.uidlStateFile,
                     "Remember fetched UIDLs in this file and fetch only new messages")
        ->type_name("FILE");
    fetch->add_flag("-v,--verbose", settings->verbose,
                    "Print the protocol trace (passwords masked) to stderr");
    fetch->footer(
        "Give the password once: in the URL, with --password-env or with --password-file. "
        "Percent-encode '@' (%40), ':' (%3A) and '%' (%25) in the URL's user and password. "
        "Without --maildir, messages are written as DIR/<UIDL>.eml, each through a temporary "
        "file.\nExit status: 0 "
        "every message fetched, 1 a server, network or file failure, 2 usage error.");
    fetch->callback([&runner, settings] { runner = [settings] { return runFetch(*settings); }; });
}

} // namespace pop3::cli
