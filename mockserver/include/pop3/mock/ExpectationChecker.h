#pragma once

#include "pop3/mock/Diagnostic.h"
#include "pop3/mock/Expectations.h"
#include "pop3/mock/Recording.h"

#include <string>
#include <vector>

namespace pop3::mock {

/// The verdict on one expectation.
struct ExpectationResult {
    /// The expectation's key: "commandsInOrder", "noPlaintextPassword", "quitSent", "deleted",
    /// "loggedIn".
    std::string key;
    bool passed = false;
    /// Where the expectation is written: the user's entry for `deleted`, the `expectations`
    /// map for the others.
    SourceLocation location;
    /// What was expected and what was seen, e.g.
    /// "commandsInOrder: expected USER, PASS, QUIT; saw USER, PASS, STAT (no QUIT after PASS)".
    std::string message;

    /// "file:line:col: message" (the position left out when unknown).
    std::string toString(const std::string& file) const;
};

/// Checks a scenario's `expectations` (docs/scenarios.md) against what the mock recorded.
///
/// - commandsInOrder: the keywords appear in Recording::commands() in this order, others
///   allowed between.
/// - noPlaintextPassword: true — no session sent a password before TLS; false — some did.
/// - quitSent: true — every session sent QUIT (and there was at least one session); false —
///   none did.
/// - deleted: per user, the messages deleted in UPDATE over all of the user's sessions are
///   exactly those listed (a position or a unique-id each). RecordedSession::deletedPositions
///   and deletedUids are read as parallel lists, one entry per deleted message.
/// - loggedIn: each user logged in at least once.
class ExpectationChecker {
public:
    explicit ExpectationChecker(Expectations expectations);

    /// One result per expectation that is set, in the order above (`deleted`: one per user).
    std::vector<ExpectationResult> check(const Recording& recording) const;

    /// True when every result passed.
    static bool allPassed(const std::vector<ExpectationResult>& results);

private:
    Expectations _expectations;
};

} // namespace pop3::mock
