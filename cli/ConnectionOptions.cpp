#include "ConnectionOptions.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <CLI/CLI.hpp>

#include "CommandLineError.h"
#include "Password.h"

namespace pop3::cli {

namespace {

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

void ConnectionOptions::addTo(CLI::App& command, const std::string& urlName) {
    command
        .add_option(urlName, url, "pop3://USER[:PASS]@HOST[:PORT] or pop3s://... (implicit TLS)")
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
    client.password = resolvePassword(parsed, passwordEnv, passwordFile);
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
