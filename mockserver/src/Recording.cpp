#include "pop3/mock/Recording.h"

#include <algorithm>
#include <cctype>

namespace pop3::mock {

namespace {

/// How the server records a SASL client line (not a command).
constexpr const char* kMaskedSaslLine = "****";

} // namespace

void Recording::addLine(RecordedLine line) {
    std::lock_guard<std::mutex> lock(_mutex);
    _lines.push_back(std::move(line));
    if (_limit != 0 && _lines.size() > _limit) {
        _lines.pop_front();
        ++_dropped;
    }
}

std::vector<RecordedLine> Recording::lines() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return {_lines.begin(), _lines.end()};
}

std::vector<RecordedLine> Recording::lines(const RecordingQuery& query) const {
    std::vector<RecordedLine> found;
    std::lock_guard<std::mutex> lock(_mutex);
    // Newest first, so that `newest` stops the scan early; reversed at the end.
    for (auto it = _lines.rbegin(); it != _lines.rend(); ++it) {
        if (query.newest != 0 && found.size() == query.newest)
            break;
        if ((query.session && it->session != *query.session) ||
            (query.since && it->time < *query.since))
            continue;
        found.push_back(*it);
    }
    std::reverse(found.begin(), found.end());
    return found;
}

std::size_t Recording::lineCount() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _lines.size();
}

std::uint64_t Recording::droppedLines() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _dropped;
}

std::vector<RecordedSession> Recording::sessions() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _sessions;
}

std::vector<std::string> Recording::commands() const {
    std::lock_guard<std::mutex> lock(_mutex);
    std::vector<std::string> keywords;
    for (const RecordedLine& recorded : _lines) {
        if (recorded.direction != TraceDirection::received || recorded.line == kMaskedSaslLine)
            continue;
        const std::string& line = recorded.line;
        const std::size_t start = line.find_first_not_of(' ');
        if (start == std::string::npos)
            continue;
        std::string keyword = line.substr(start, line.find(' ', start) - start);
        std::transform(keyword.begin(), keyword.end(), keyword.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        keywords.push_back(std::move(keyword));
    }
    return keywords;
}

void Recording::clear() {
    std::lock_guard<std::mutex> lock(_mutex);
    _lines.clear();
    _dropped = 0;
    _sessions.clear();
    _sessionPositions.clear();
}

RecordedSession& Recording::sessionLocked(std::uint64_t id) {
    const auto [position, added] = _sessionPositions.emplace(id, _sessions.size());
    if (!added)
        return _sessions[position->second];
    RecordedSession& session = _sessions.emplace_back();
    session.id = id;
    return session;
}

} // namespace pop3::mock
