#include "pop3/mock/ExpectationChecker.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace pop3::mock {

namespace {

/// Commands listed in a message before the rest is summarised.
constexpr std::size_t kMaxListedCommands = 40;

std::string join(const std::vector<std::string>& items, std::size_t limit = SIZE_MAX) {
    std::string text;
    for (std::size_t i = 0; i < items.size() && i < limit; ++i)
        text += (i == 0 ? "" : ", ") + items[i];
    if (items.size() > limit)
        text += ", ... (" + std::to_string(items.size() - limit) + " more)";
    return text;
}

std::string sessionLabel(const RecordedSession& session) {
    std::string label = std::to_string(session.id);
    if (!session.user.empty())
        label += " (" + session.user + ")";
    return label;
}

std::string sessionList(const std::vector<const RecordedSession*>& sessions) {
    std::vector<std::string> labels;
    for (const RecordedSession* session : sessions)
        labels.push_back(sessionLabel(*session));
    return (sessions.size() == 1 ? "session " : "sessions ") + join(labels);
}

std::string countSessions(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " session" : " sessions");
}

/// A message deleted in UPDATE, as far as the recording knows it.
struct DeletedMessage {
    std::optional<std::uint64_t> position;
    std::optional<std::string> uid;

    std::string toString() const {
        if (position && uid)
            return std::to_string(*position) + " (" + *uid + ")";
        return position ? std::to_string(*position) : "\"" + uid.value_or("?") + "\"";
    }
};

bool matches(const MessageSelector& selector, const DeletedMessage& message) {
    if (const auto* position = std::get_if<std::uint64_t>(&selector))
        return message.position == *position;
    return message.uid == std::get<std::string>(selector);
}

std::string toString(const MessageSelector& selector) {
    if (const auto* position = std::get_if<std::uint64_t>(&selector))
        return std::to_string(*position);
    return "\"" + std::get<std::string>(selector) + "\"";
}

std::vector<DeletedMessage> deletedBy(const std::vector<RecordedSession>& sessions,
                                      const std::string& user) {
    std::vector<DeletedMessage> deleted;
    for (const RecordedSession& session : sessions) {
        if (session.user != user)
            continue;
        const std::size_t n = std::max(session.deletedPositions.size(), session.deletedUids.size());
        for (std::size_t i = 0; i < n; ++i) {
            DeletedMessage message;
            if (i < session.deletedPositions.size())
                message.position = session.deletedPositions[i];
            if (i < session.deletedUids.size())
                message.uid = session.deletedUids[i];
            deleted.push_back(std::move(message));
        }
    }
    return deleted;
}

ExpectationResult checkCommandsInOrder(const std::vector<std::string>& expected,
                                       const std::vector<std::string>& seen,
                                       SourceLocation location) {
    ExpectationResult result{"commandsInOrder", false, location, {}};
    std::size_t next = 0;
    for (const std::string& command : seen) {
        if (next < expected.size() && command == expected[next])
            ++next;
    }
    result.passed = next == expected.size();
    const std::string saw =
        seen.empty() ? "saw no commands" : "saw " + join(seen, kMaxListedCommands);
    if (result.passed) {
        result.message = "commandsInOrder: " + saw;
        return result;
    }
    result.message = "commandsInOrder: expected " + join(expected) + "; " + saw + " (no " +
                     expected[next] + (next > 0 ? " after " + expected[next - 1] : "") + ")";
    return result;
}

ExpectationResult checkNoPlaintextPassword(bool expected,
                                           const std::vector<RecordedSession>& sessions,
                                           SourceLocation location) {
    std::vector<const RecordedSession*> offenders;
    for (const RecordedSession& session : sessions) {
        if (session.plaintextPassword)
            offenders.push_back(&session);
    }
    ExpectationResult result{"noPlaintextPassword", false, location, {}};
    if (expected) {
        result.passed = offenders.empty();
        result.message = result.passed
                             ? "noPlaintextPassword: no session sent a password before TLS (" +
                                   countSessions(sessions.size()) + ")"
                             : "noPlaintextPassword: expected no password in plaintext; " +
                                   sessionList(offenders) + " sent one before TLS";
    } else {
        result.passed = !offenders.empty();
        result.message = result.passed ? "noPlaintextPassword: false: " + sessionList(offenders) +
                                             " sent a password before TLS"
                                       : "noPlaintextPassword: false expects a password sent "
                                         "before TLS; no session sent one (" +
                                             countSessions(sessions.size()) + ")";
    }
    return result;
}

ExpectationResult checkQuitSent(bool expected, const std::vector<RecordedSession>& sessions,
                                SourceLocation location) {
    std::vector<const RecordedSession*> quit;
    std::vector<const RecordedSession*> notQuit;
    for (const RecordedSession& session : sessions)
        (session.quit ? quit : notQuit).push_back(&session);
    ExpectationResult result{"quitSent", false, location, {}};
    if (expected) {
        result.passed = !sessions.empty() && notQuit.empty();
        if (sessions.empty())
            result.message =
                "quitSent: expected every session to end with QUIT; no session was recorded";
        else if (result.passed)
            result.message =
                "quitSent: every session sent QUIT (" + countSessions(sessions.size()) + ")";
        else
            result.message = "quitSent: expected every session to end with QUIT; " +
                             sessionList(notQuit) + " did not (" + countSessions(sessions.size()) +
                             ")";
    } else {
        result.passed = quit.empty();
        result.message =
            result.passed
                ? "quitSent: false: no session sent QUIT (" + countSessions(sessions.size()) + ")"
                : "quitSent: expected no QUIT; " + sessionList(quit) + " sent QUIT";
    }
    return result;
}

ExpectationResult checkDeleted(const DeletedExpectation& expectation,
                               const std::vector<RecordedSession>& sessions) {
    const std::vector<DeletedMessage> deleted = deletedBy(sessions, expectation.user);
    std::vector<std::string> missing;
    for (const MessageSelector& selector : expectation.messages) {
        const bool found =
            std::any_of(deleted.begin(), deleted.end(),
                        [&](const DeletedMessage& m) { return matches(selector, m); });
        if (!found)
            missing.push_back(toString(selector));
    }
    std::vector<std::string> extra;
    std::vector<std::string> seen;
    for (const DeletedMessage& message : deleted) {
        seen.push_back(message.toString());
        const bool listed = std::any_of(
            expectation.messages.begin(), expectation.messages.end(),
            [&](const MessageSelector& selector) { return matches(selector, message); });
        if (!listed)
            extra.push_back(message.toString());
    }
    std::vector<std::string> wanted;
    for (const MessageSelector& selector : expectation.messages)
        wanted.push_back(toString(selector));

    ExpectationResult result{"deleted", missing.empty() && extra.empty(), expectation.location, {}};
    const std::string saw = seen.empty() ? "none" : join(seen);
    if (result.passed) {
        result.message = "deleted: " + expectation.user + ": " + saw;
        return result;
    }
    std::string problems;
    if (!missing.empty())
        problems = join(missing) + " not deleted";
    if (!extra.empty())
        problems += (problems.empty() ? "" : "; ") + join(extra) + " deleted but not listed";
    result.message = "deleted: expected " + expectation.user + "'s deleted messages to be " +
                     (wanted.empty() ? std::string("none") : join(wanted)) + "; saw " + saw + " (" +
                     problems + ")";
    return result;
}

ExpectationResult checkLoggedIn(const std::vector<std::string>& users,
                                const std::vector<RecordedSession>& sessions,
                                SourceLocation location) {
    std::vector<std::string> loggedIn;
    for (const RecordedSession& session : sessions) {
        if (session.loggedIn &&
            std::find(loggedIn.begin(), loggedIn.end(), session.user) == loggedIn.end())
            loggedIn.push_back(session.user);
    }
    std::vector<std::string> missing;
    for (const std::string& user : users) {
        if (std::find(loggedIn.begin(), loggedIn.end(), user) == loggedIn.end())
            missing.push_back(user);
    }
    ExpectationResult result{"loggedIn", missing.empty(), location, {}};
    const std::string who = loggedIn.empty() ? "nobody" : join(loggedIn);
    result.message = result.passed ? "loggedIn: " + who + " logged in"
                                   : "loggedIn: expected " + join(users) + " to log in; " +
                                         join(missing) + " did not (logged in: " + who + ")";
    return result;
}

} // namespace

std::string ExpectationResult::toString(const std::string& file) const {
    if (file.empty() && location.line > 0)
        return Diagnostic{std::to_string(location.line) + ":" + std::to_string(location.column), 0,
                          0, message}
            .toString();
    return Diagnostic{file, location.line, location.column, message}.toString();
}

ExpectationChecker::ExpectationChecker(Expectations expectations)
    : _expectations(std::move(expectations)) {}

std::vector<ExpectationResult> ExpectationChecker::check(const Recording& recording) const {
    const std::vector<RecordedSession> sessions = recording.sessions();
    const SourceLocation at = _expectations.location;
    std::vector<ExpectationResult> results;
    if (_expectations.commandsInOrder)
        results.push_back(
            checkCommandsInOrder(*_expectations.commandsInOrder, recording.commands(), at));
    if (_expectations.noPlaintextPassword)
        results.push_back(
            checkNoPlaintextPassword(*_expectations.noPlaintextPassword, sessions, at));
    if (_expectations.quitSent)
        results.push_back(checkQuitSent(*_expectations.quitSent, sessions, at));
    if (_expectations.deleted) {
        for (const DeletedExpectation& expectation : *_expectations.deleted)
            results.push_back(checkDeleted(expectation, sessions));
    }
    if (_expectations.loggedIn)
        results.push_back(checkLoggedIn(*_expectations.loggedIn, sessions, at));
    return results;
}

bool ExpectationChecker::allPassed(const std::vector<ExpectationResult>& results) {
    return std::all_of(results.begin(), results.end(),
                       [](const ExpectationResult& result) { return result.passed; });
}

} // namespace pop3::mock
