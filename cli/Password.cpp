#include "Password.h"

#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/FileStream.h>

#include <algorithm>

#include "CommandLineError.h"

namespace pop3::cli {

namespace {

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

} // namespace

void checkPassword(const std::string& password, const std::string& source) {
    if (password.empty())
        throw CommandLineError(source + ": the password is empty");
    if (std::any_of(password.begin(), password.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        throw CommandLineError(source + ": the password contains control characters");
}

/// The password from the one source given: the URL, --password-env or --password-file.
std::string resolvePassword(const MailboxUrl& url, const std::string& passwordEnv,
                            const std::string& passwordFile) {
    const int sources = static_cast<int>(url.password.has_value()) +
                        static_cast<int>(!passwordEnv.empty()) +
                        static_cast<int>(!passwordFile.empty());
    if (sources > 1)
        throw CommandLineError(
            "give the password one way only: in the URL, --password-env or --password-file");
    if (url.password) {
        checkPassword(*url.password, "URL");
        return *url.password;
    }
    if (!passwordEnv.empty()) {
        const std::string source = "--password-env " + passwordEnv;
        if (!Poco::Environment::has(passwordEnv))
            throw CommandLineError(source + ": the variable is not set");
        const std::string password = Poco::Environment::get(passwordEnv);
        checkPassword(password, source);
        return password;
    }
    if (!passwordFile.empty()) {
        const std::string password = readPasswordFile(passwordFile);
        checkPassword(password, "--password-file " + passwordFile);
        return password;
    }
    throw CommandLineError("no password: use --password-env NAME, --password-file FILE or "
                           "pop3://USER:PASS@HOST");
}

} // namespace pop3::cli
