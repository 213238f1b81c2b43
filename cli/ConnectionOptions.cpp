#include "ConnectionOptions.h"

#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/FileStream.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include "CommandLineError.h"

namespace pop3::cli {

namespace {

void checkPassword(const std::string& password, const std::string& source) {
    if (password.empty())
        throw CommandLineError(source + ": the password is empty");
    if (std::any_of(password.begin(), password.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        throw CommandLineError(source + ": the password contains control characters");
}

std::string readPasswordFile(const std::string& fileName) {
    std::string line;
    try {
        Poco::FileInputStream in(fileName);
        std::getline(in, line);
    } catch (const Poco::Exception& e) {
        throw CommandLineError("--password-file: " + e.displayText());
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

/// The password from the one source given: the URL, --password-env or --password-file.
std::string resolvePassword(const ConnectionOptions& options, const MailboxUrl& url) {
    const int sources = static_cast<int>(url.password.has_value()) +
                        static_cast<int>(!options.passwordEnv.empty()) +
                        static_cast<int>(!options.passwordFile.empty());
    if (sources > 1)
        throw CommandLineError(
            "give the password one way only: in the URL, --password-env or --password-file");
    if (url.password) {
        checkPassword(*url.password, "URL");
        return *url.password;
    }
    if (!options.passwordEnv.empty()) {
        const std::string source = "--password-env " + options.passwordEnv;
        if (!Poco::Environment::has(options.passwordEnv))
            throw CommandLineError(source + ": the variable is not set");
        const std::string password = Poco::Environment::get(options.passwordEnv);
        checkPassword(password, source);
        return password;
    }
    if (!options.passwordFile.empty()) {
        const std::string password = readPasswordFile(options.passwordFile);
        checkPassword(password, "--password-file " + options.passwordFile);
        return password;
    }
    throw CommandLineError("no password: use --password-env NAME, --password-file FILE or "
                           "pop3://USER:PASS@HOST");
}

void applyAuth(const std::string& auth, Client& client) {
    const std::string::size_type colon = auth.find(':');
    const std::string mode = Poco::toLower(auth.substr(0, colon));
    client.saslMechanisms.clear();
    if (mode == "user" && colon == std::string::npos) {
        client.authMode = AuthMode::userPass;
    } else if (mode == "apop" && colon == std::string::npos) {
        client.authMode = AuthMode::apop;
    } else if (mode == "sasl") {
        client.authMode = AuthMode::sasl;
        if (colon == std::string::npos)
            return;
        const Poco::StringTokenizer mechanisms(auth.substr(colon + 1), ",",
                                               Poco::StringTokenizer::TOK_TRIM |
                                                   Poco::StringTokenizer::TOK_IGNORE_EMPTY);
        if (mechanisms.count() == 0)
            throw CommandLineError("--auth sasl: name a mechanism after the colon");
        for (const std::string& mechanism : mechanisms)
            client.saslMechanisms.push_back(Poco::toUpper(mechanism));
    } else {
        throw CommandLineError("--auth must be user, apop, sasl or sasl:MECH, not '" + auth + "'");
    }
}

} // namespace

void ConnectionOptions::addTo(CLI::App& command) {
    command.add_option("URL", url, "pop3://USER[:PASS]@HOST[:PORT] or pop3s://... (implicit TLS)")
        ->type_name("")
        ->required();
    command.add_flag("--starttls", startTls, "Upgrade a pop3:// connection with STLS (RFC 2595)");
    command.add_option("--auth", auth, "Login: user, apop, sasl or sasl:MECH[,MECH...]")
        ->type_name("MODE")
        ->capture_default_str();
    command.add_option("--ca", caFile, "PEM file of CAs to trust instead of the system's")
        ->type_name("FILE")
        ->check(CLI::ExistingFile.description(""));
    command.add_flag("--insecure", insecure, "Do not verify the server's certificate");
    command.add_option("--timeout", timeoutMs, "Timeout in milliseconds for each step")
        ->type_name("MS")
        ->capture_default_str()
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{86400000}).description(""));
    command
        .add_option("--password-env", passwordEnv,
                    "Read the password from this environment variable")
        ->type_name("NAME");
    command
        .add_option("--password-file", passwordFile,
                    "Read the password from the first line of this file")
        ->type_name("FILE");
}

MailboxUrl ConnectionOptions::configure(Client& client) const {
    const MailboxUrl parsed = MailboxUrl::parse(url);
    if (parsed.implicitTls && startTls)
        throw CommandLineError(
            "--starttls does not go with pop3s:// URLs, which are TLS from the start");
    client.host = parsed.host;
    client.port = parsed.port;
    client.username = parsed.user;
    client.password = resolvePassword(*this, parsed);
    client.encryptMode = parsed.implicitTls ? EncryptMode::sslTls
                         : startTls         ? EncryptMode::startTls
                                            : EncryptMode::none;
    applyAuth(auth, client);
    client.caFile = caFile;
    client.verifyServerCertificate = !insecure;
    client.timeout = std::chrono::milliseconds(timeoutMs);
    return parsed;
}

} // namespace pop3::cli
