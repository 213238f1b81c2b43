// pop3-example-server: one user's mailbox served from a directory, one file per message (the
// file name is the message's UIDL). Messages deleted in a session are removed at QUIT.
//
//   pop3-example-server --dir mail/ --user alice --password secret --port 0
//                       --cert server.pem --key server.key
//
// Prints "listening on ADDRESS:PORT" once ready and serves until SIGINT or SIGTERM.

#include "pop3/Errors.h"
#include "pop3/Message.h"
#include "pop3/Server.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <iostream>
#include <mutex>

namespace {

struct Settings {
    std::string directory;
    std::string user;
    std::string password;
    std::string address = "127.0.0.1";
    std::uint16_t port = 110;
    std::string certFile;
    std::string keyFile;
    bool implicitTls = false;
};

/// The message files of `directory`, sorted by name so numbering is stable.
std::vector<Poco::Path> messageFiles(const std::string& directory) {
    std::vector<Poco::Path> files;
    for (Poco::DirectoryIterator it(directory), end; it != end; ++it) {
        if (it->isFile() && !it->isHidden())
            files.push_back(it.path());
    }
    std::sort(files.begin(), files.end(),
              [](const Poco::Path& a, const Poco::Path& b) { return a.toString() < b.toString(); });
    return files;
}

void attachMailbox(pop3::Server& server, const Settings& settings, std::mutex& mutex) {
    server.onLogin = [&](pop3::Session& session) {
        session.authenticated =
            session.username == settings.user && session.checkSecret(settings.password);
        if (!session.authenticated)
            return;
        std::lock_guard<std::mutex> lock(mutex);
        std::uint64_t id = 0;
        for (const Poco::Path& file : messageFiles(settings.directory)) {
            Poco::FileInputStream stream(file.toString());
            pop3::MessageMeter meter;
            char buffer[64 * 1024];
            while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0)
                meter.feed(std::string_view(buffer, static_cast<std::size_t>(stream.gcount())));
            session.items.push_back({id++, file.getFileName(), meter.finish().octets, false});
        }
    };
    auto open = [&](pop3::Session& session) {
        session.item.stream = std::make_shared<Poco::FileInputStream>(
            Poco::Path(settings.directory, session.item.uid).toString());
    };
    server.onRetrieve = open;
    // onTop is left unset: the server then cuts TOP's lines from what onRetrieve streams.
    server.onDelete = [](pop3::Session& session) { session.item.deleted = true; };
    server.onQuit = [&](pop3::Session& session) {
        std::lock_guard<std::mutex> lock(mutex);
        for (const pop3::MessageInfo& item : session.items) {
            if (item.deleted)
                Poco::File(Poco::Path(settings.directory, item.uid)).remove();
        }
    };
}

int waitForTerminationSignal() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    int received = 0;
    sigwait(&signals, &received);
    return received;
}

} // namespace

int main(int argc, char** argv) {
    Settings settings;
    CLI::App app{"Serves one user's mailbox from a directory over POP3."};
    app.add_option("--dir", settings.directory, "Directory with one file per message")
        ->required()
        ->check(CLI::ExistingDirectory);
    app.add_option("--user", settings.user, "User name")->required();
    app.add_option("--password", settings.password, "Password (also the APOP/CRAM-MD5 secret)")
        ->required();
    app.add_option("--address", settings.address, "Address to listen on")->capture_default_str();
    app.add_option("--port", settings.port, "Port; 0 picks a free one")->capture_default_str();
    CLI::Option* cert =
        app.add_option("--cert", settings.certFile, "PEM certificate chain: offers STLS")
            ->check(CLI::ExistingFile);
    CLI::Option* key = app.add_option("--key", settings.keyFile, "PEM private key of --cert")
                           ->check(CLI::ExistingFile)
                           ->needs(cert);
    cert->needs(key);
    app.add_flag("--implicit-tls", settings.implicitTls, "TLS from the first byte (like 995)")
        ->needs(cert);
    CLI11_PARSE(app, argc, argv);

    // Block the signals before any thread starts, so only sigwait() receives them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        const bool tls = !settings.certFile.empty();
        pop3::Server server(tls, false, settings.port);
        server.options().address = settings.address;
        server.options().implicitTls = settings.implicitTls;
        if (tls)
            server.setCertificate(settings.certFile, settings.keyFile);
        std::mutex mailboxMutex;
        attachMailbox(server, settings, mailboxMutex);
        server.start();
        std::cout << "listening on " << settings.address << ":" << server.port() << std::endl;
        waitForTerminationSignal();
        server.stop();
    } catch (const std::exception& e) {
        std::cerr << "pop3-example-server: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
