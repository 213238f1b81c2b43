#pragma once

#include "pop3/Response.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
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

/// Which lines Recording::lines(query) returns.
struct RecordingQuery {
    /// Only this session's lines.
    std::optional<std::uint64_t> session;
    /// Only lines recorded at or after this time.
    std::optional<std::chrono::system_clock::time_point> since;
    /// At most this many lines, the newest (0: all).
    std::size_t newest = 0;
};

/// Everything the mock saw, in order. Thread-safe: sessions record from their own threads.
/// Keeps at most limit() lines, dropping the oldest; sessions are all kept.
class Recording {
public:
    /// `limit` 0: keep every line.
    explicit Recording(std::size_t limit = 0) : _limit(limit) {}

    void addLine(RecordedLine line);
    /// Creates or updates the session's record through `update`.
    template <typename Update> void updateSession(std::uint64_t id, Update&& update) {
        std::lock_guard<std::mutex> lock(_mutex);
        update(sessionLocked(id));
    }

    std::vector<RecordedLine> lines() const;
    std::vector<RecordedLine> lines(const RecordingQuery& query) const;
    std::vector<RecordedSession> sessions() const;
    /// Lines held now.
    std::size_t lineCount() const;
    /// Lines dropped to stay within the limit since the last clear().
    std::uint64_t droppedLines() const;
    std::size_t limit() const { return _limit; }
    /// The command keywords received (upper case), in order, across sessions.
    std::vector<std::string> commands() const;
    void clear();

private:
    RecordedSession& sessionLocked(std::uint64_t id);

    mutable std::mutex _mutex;
    const std::size_t _limit;
    std::deque<RecordedLine> _lines;
    std::uint64_t _dropped = 0;
    std::vector<RecordedSession> _sessions;
    /// Session id -> position in _sessions, so recording stays O(1) per line under load.
    std::unordered_map<std::uint64_t, std::size_t> _sessionPositions;
};

} // namespace pop3::mock
