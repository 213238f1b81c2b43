#pragma once

#include "pop3/Response.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace pop3::mock {

/// One protocol line the mock received or sent (secrets masked, message bodies summarised).
struct RecordedLine {
    std::uint64_t session = 0;
    /// received: from the client; sent: to the client.
    TraceDirection direction = TraceDirection::received;
    std::string line;
    std::chrono::system_clock::time_point time;
};

/// What one session did, as the expectations check it.
struct RecordedSession {
    std::uint64_t id = 0;
    /// The user that logged in (empty when none did).
    std::string user;
    bool loggedIn = false;
    /// The client sent QUIT (in any state).
    bool quit = false;
    /// A password crossed the wire before TLS (USER/PASS, AUTH PLAIN or LOGIN).
    bool plaintextPassword = false;
    /// Messages removed in UPDATE: their declared positions (1-based) and uids.
    std::vector<std::uint64_t> deletedPositions;
    std::vector<std::string> deletedUids;
};

/// Everything the mock saw, in order. Thread-safe: sessions record from their own threads.
class Recording {
public:
    void addLine(RecordedLine line);
    /// Creates or updates the session's record through `update`.
    template <typename Update> void updateSession(std::uint64_t id, Update&& update) {
        std::lock_guard<std::mutex> lock(_mutex);
        update(sessionLocked(id));
    }

    std::vector<RecordedLine> lines() const;
    std::vector<RecordedSession> sessions() const;
    /// The command keywords received (upper case), in order, across sessions.
    std::vector<std::string> commands() const;
    void clear();

private:
    RecordedSession& sessionLocked(std::uint64_t id);

    mutable std::mutex _mutex;
    std::vector<RecordedLine> _lines;
    std::vector<RecordedSession> _sessions;
    /// Session id -> position in _sessions, so recording stays O(1) per line under load.
    std::unordered_map<std::uint64_t, std::size_t> _sessionPositions;
};

} // namespace pop3::mock
