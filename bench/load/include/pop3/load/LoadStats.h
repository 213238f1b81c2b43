#pragma once

#include "pop3/load/LatencyHistogram.h"

#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pop3::load {

/// Why a session of a load run failed. The session is abandoned and its worker starts a new
/// one; the counts are reported by class.
enum class ErrorClass {
    connect,   ///< TCP connect refused or failed
    refused,   ///< -ERR [SYS/TEMP] or closed at once: the server's connection limit
    tls,       ///< TLS handshake or certificate
    auth,      ///< login refused
    inUse,     ///< -ERR [IN-USE]: another session holds the mailbox
    server,    ///< any other -ERR
    protocol,  ///< a reply POP3 does not allow
    timeout,   ///< no reply within the timeout
    closed,    ///< the server closed the connection mid-session
    integrity, ///< RETR of a UID returned other bytes than before
    /// The mix needs a message (retr, top, dele) and the mailbox has none.
    emptyMailbox,
};

/// "connect", "refused", ..., "empty-mailbox" as reported.
std::string_view toString(ErrorClass error);

/// Classifies an exception thrown by pop3::Client (or by an engine) while doing `step`.
ErrorClass classify(const std::exception& error, std::string_view step);

/// Counters of a whole run or of one second of it.
struct LoadTotals {
    /// Sessions that logged in, and those that ended with QUIT.
    std::uint64_t logins = 0;
    std::uint64_t sessions = 0;
    /// Operations drawn from the mix that succeeded.
    std::uint64_t operations = 0;
    /// Every command answered, login commands and QUIT included.
    std::uint64_t commands = 0;
    /// Octets of the message bodies received (RETR and TOP).
    std::uint64_t bodyOctets = 0;
    /// Per step ("login", "stat", "retr", "quit"...): latency of its successful replies.
    std::map<std::string, LatencyHistogram, std::less<>> latency;
    std::map<ErrorClass, std::uint64_t> errors;

    void merge(const LoadTotals& other);
    std::uint64_t errorCount() const;
};

/// What the workers of a run record into, from any thread. take() hands the counters gathered
/// since the last take() to the progress reporter.
class LoadStats {
public:
    /// A successful step: `commands` answered in `latency`; `operation` when it was drawn from
    /// the mix; `bodyOctets` of message data.
    void recordStep(std::string_view step, std::chrono::nanoseconds latency, unsigned commands,
                    bool operation = false, std::uint64_t bodyOctets = 0);
    void recordLogin(std::uint64_t count = 1);
    void recordSessionEnd();
    void recordError(ErrorClass error);

    /// The counters since the previous take(), reset.
    LoadTotals take();

private:
    std::mutex _mutex;
    LoadTotals _current;
};

} // namespace pop3::load
