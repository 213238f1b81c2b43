#include "pop3/load/LoadSettings.h"

#include <stdexcept>

namespace pop3::load {

namespace {

constexpr std::string_view kAccountPlaceholder = "{n}";

std::string substitute(std::string text, unsigned number) {
    const std::string value = std::to_string(number);
    for (std::size_t at = text.find(kAccountPlaceholder); at != std::string::npos;
         at = text.find(kAccountPlaceholder, at + value.size()))
        text.replace(at, kAccountPlaceholder.size(), value);
    return text;
}

} // namespace

std::string_view toString(Engine engine) {
    return engine == Engine::threads ? "threads" : "events";
}

std::string_view toString(SessionMode mode) {
    return mode == SessionMode::reconnect ? "reconnect" : "pool";
}

std::string LoadTarget::user(unsigned number) const {
    return substitute(userPattern, number);
}

std::string LoadTarget::passwordOf(unsigned number) const {
    return substitute(password, number);
}

bool LoadTarget::perAccount() const {
    return userPattern.find(kAccountPlaceholder) != std::string::npos;
}

void LoadTarget::configure(Client& client, unsigned number) const {
    client.host = host;
    client.port = port;
    client.timeout = timeout;
    client.username = user(number);
    client.password = passwordOf(number);
    client.authMode = authMode;
    client.saslMechanisms = saslMechanisms;
    client.encryptMode =
        implicitTls ? EncryptMode::sslTls : (startTls ? EncryptMode::startTls : EncryptMode::none);
    client.caFile = caFile;
    client.verifyServerCertificate = verifyCertificate;
}

unsigned LoadSettings::accountCount() const {
    if (accounts > 0)
        return accounts;
    return target.perAccount() ? connections : 1;
}

void LoadSettings::validate() const {
    if (connections == 0)
        throw std::invalid_argument("at least one connection is needed");
    if (operationsPerUnit == 0)
        throw std::invalid_argument("at least one operation per unit of work is needed");
    if (units && *units == 0)
        throw std::invalid_argument("at least one unit of work is needed");
    if (duration.count() <= 0)
        throw std::invalid_argument("the duration must be above 0");
    if (target.userPattern.empty())
        throw std::invalid_argument("the target needs a user name");
    if (accounts > 1 && !target.perAccount())
        throw std::invalid_argument("several accounts need \"{n}\" in the user name");
    if (engine == Engine::events) {
        if (target.implicitTls || target.startTls)
            throw std::invalid_argument(
                "the events engine speaks plaintext only; use the threads engine for TLS");
        if (target.authMode != AuthMode::userPass)
            throw std::invalid_argument(
                "the events engine logs in with USER/PASS only; use the threads engine");
    }
}

} // namespace pop3::load
