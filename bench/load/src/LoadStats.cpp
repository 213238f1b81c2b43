#include "pop3/load/LoadStats.h"

#include "pop3/Errors.h"

namespace pop3::load {

std::string_view toString(ErrorClass error) {
    switch (error) {
    case ErrorClass::connect:
        return "connect";
    case ErrorClass::refused:
        return "refused";
    case ErrorClass::tls:
        return "tls";
    case ErrorClass::auth:
        return "auth";
    case ErrorClass::inUse:
        return "in-use";
    case ErrorClass::server:
        return "server";
    case ErrorClass::protocol:
        return "protocol";
    case ErrorClass::timeout:
        return "timeout";
    case ErrorClass::closed:
        return "closed";
    case ErrorClass::integrity:
        return "integrity";
    case ErrorClass::emptyMailbox:
        return "empty-mailbox";
    }
    return "?";
}

ErrorClass classify(const std::exception& error, std::string_view step) {
    const bool loggingIn = step == "login";
    if (const auto* server = dynamic_cast<const ServerError*>(&error)) {
        if (server->code() == ServerError::Code::InUse)
            return ErrorClass::inUse;
        if (loggingIn && server->command() == "greeting")
            return ErrorClass::refused;
        return loggingIn ? ErrorClass::auth : ErrorClass::server;
    }
    if (dynamic_cast<const TimeoutError*>(&error))
        return ErrorClass::timeout;
    if (dynamic_cast<const TlsError*>(&error))
        return ErrorClass::tls;
    if (dynamic_cast<const ConnectionError*>(&error)) {
        const std::string_view text = error.what();
        const bool neverConnected =
            text.rfind("cannot connect", 0) == 0 || text.rfind("cannot resolve", 0) == 0;
        return neverConnected ? ErrorClass::connect : ErrorClass::closed;
    }
    return ErrorClass::protocol;
}

void LoadTotals::merge(const LoadTotals& other) {
    logins += other.logins;
    sessions += other.sessions;
    operations += other.operations;
    commands += other.commands;
    bodyOctets += other.bodyOctets;
    for (const auto& [step, histogram] : other.latency)
        latency[step].merge(histogram);
    for (const auto& [error, count] : other.errors)
        errors[error] += count;
}

std::uint64_t LoadTotals::errorCount() const {
    std::uint64_t total = 0;
    for (const auto& [error, count] : errors)
        total += count;
    return total;
}

void LoadStats::recordStep(std::string_view step, std::chrono::nanoseconds latency,
                           unsigned commands, bool operation, std::uint64_t bodyOctets) {
    std::lock_guard<std::mutex> lock(_mutex);
    auto found = _current.latency.find(step);
    if (found == _current.latency.end())
        found = _current.latency.emplace(std::string(step), LatencyHistogram()).first;
    found->second.record(latency);
    _current.commands += commands;
    _current.bodyOctets += bodyOctets;
    if (operation)
        ++_current.operations;
}

void LoadStats::recordLogin(std::uint64_t count) {
    std::lock_guard<std::mutex> lock(_mutex);
    _current.logins += count;
}

void LoadStats::recordSessionEnd() {
    std::lock_guard<std::mutex> lock(_mutex);
    ++_current.sessions;
}

void LoadStats::recordError(ErrorClass error) {
    std::lock_guard<std::mutex> lock(_mutex);
    ++_current.errors[error];
}

LoadTotals LoadStats::take() {
    std::lock_guard<std::mutex> lock(_mutex);
    LoadTotals taken = std::move(_current);
    _current = LoadTotals();
    return taken;
}

} // namespace pop3::load
