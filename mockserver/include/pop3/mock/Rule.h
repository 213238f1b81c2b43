#pragma once

#include "pop3/CommandTable.h"
#include "pop3/mock/Diagnostic.h"
#include "pop3/mock/Fault.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pop3::mock {

/// What a rule reacts to.
struct RuleMatch {
    enum class Kind {
        /// The greeting sent on connect (`command: greeting`).
        Greeting,
        /// Any command line, known or not (`command: "*"`, the default).
        AnyCommand,
        /// One command of the command table.
        Command,
    };

    Kind kind = Kind::AnyCommand;
    /// For Kind::Command.
    CommandId command = CommandId::Noop;
    /// A PCRE pattern (Poco::RegularExpression) searched in the command's arguments: the rest
    /// of the line after the keyword and its space. Not for the greeting.
    std::optional<std::string> arguments;
    /// Only in sessions of this user (the name given by USER, APOP or AUTH, even before the
    /// login succeeds). Not for the greeting.
    std::optional<std::string> user;
    /// Act on the n-th match only (1-based). Commands count per session; the greeting counts
    /// connections since the server started. Unset: every match.
    std::optional<std::uint64_t> occurrence;
};

/// How a connection is dropped.
struct DropAction {
    enum class When {
        /// Close without replying.
        BeforeReply,
        /// Send the first `afterBytes` octets of the reply, then close.
        AfterBytes,
        /// Send the whole reply, then close.
        AfterReply,
    };

    When when = When::BeforeReply;
    std::uint64_t afterBytes = 0;
};

/// One behaviour rule: when `match` selects a command (or the greeting), do the actions, in
/// this order: wait `delay`; then either stall, or produce the reply (`reply` instead of the
/// normal handling, else the normal handling with `fault` applied), send it followed by
/// `append`, and `drop` if set. A rule with only `delay` delays the normal handling.
///
/// The loader guarantees: at least one action; `stall` alone or with `delay`; `reply` and
/// `fault` not together; `drop` BeforeReply without `reply`/`append`; the fault applies to
/// the matched command.
struct Rule {
    RuleMatch match;
    std::optional<std::chrono::milliseconds> delay;
    /// Wire bytes sent instead of the normal reply; the command has no other effect (nothing
    /// is marked, no login, no TLS). The loader has normalised line ends (see docs).
    std::optional<std::string> reply;
    /// Wire bytes sent right after the reply, in the same write and before any TLS handshake
    /// (response injection).
    std::optional<std::string> append;
    std::optional<DropAction> drop;
    /// Never answer; the connection stays open until the client or the idle timer closes it.
    bool stall = false;
    std::optional<Fault> fault;
    SourceLocation location;
};

} // namespace pop3::mock
