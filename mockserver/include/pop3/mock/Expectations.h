#pragma once

#include "pop3/mock/Diagnostic.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pop3::mock {

/// A message named in an expectation: its 1-based declared position (MessageRef::position),
/// or its unique-id.
using MessageSelector = std::variant<std::uint64_t, std::string>;

/// The messages of one user that must have been deleted, and no others.
struct DeletedExpectation {
    std::string user;
    std::vector<MessageSelector> messages;
    SourceLocation location;
};

/// Assertions on what the mock saw, checked after the run. Unset: not checked.
struct Expectations {
    /// Command keywords (upper case) that must appear in this order; others may come between.
    std::optional<std::vector<std::string>> commandsInOrder;
    /// True: no password crossed the wire in plaintext (USER/PASS, AUTH PLAIN or LOGIN
    /// before TLS).
    std::optional<bool> noPlaintextPassword;
    /// True: every session ended with QUIT. False: none did.
    std::optional<bool> quitSent;
    /// Per user, the exact set of messages deleted in UPDATE. Users not listed are not checked.
    std::optional<std::vector<DeletedExpectation>> deleted;
    /// Users that logged in at least once (others may have too).
    std::optional<std::vector<std::string>> loggedIn;
    SourceLocation location;
};

} // namespace pop3::mock
