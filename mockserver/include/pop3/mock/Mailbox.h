#pragma once

#include "pop3/ServerSessionHandler.h"
#include "pop3/mock/Diagnostic.h"
#include "pop3/mock/MessageSource.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pop3::mock {

/// One message of a mailbox, as listed: a view into the MessageSource that produces it. Valid
/// while the Mailbox it came from is alive and unchanged.
struct MessageRef {
    const MessageSource* source = nullptr;
    /// The message's ordinal within its source.
    std::uint64_t ordinal = 0;
    /// 1-based position in the mailbox as declared (generate entries expanded). This is the
    /// message number a first session sees, and what `expectations.deleted` counts.
    std::uint64_t position = 0;

    /// The fixed `uid:` or, without one, "msg-<position>".
    std::string uid() const;
    std::uint64_t size() const { return source->sizeOf(ordinal); }
    std::string text() const { return source->textOf(ordinal); }
    /// For LoginResult::messages / Session::items: id = position, uid, size.
    MessageInfo info() const;
};

/// A user and the maildrop served to it: declared `messages:` or a Maildir folder.
struct Mailbox {
    std::string user;
    /// For USER/PASS, AUTH PLAIN and AUTH LOGIN. Unset: only `secret` (or acceptAnyPassword)
    /// logs in.
    std::optional<std::string> password;
    /// The shared secret for APOP and CRAM-MD5. Unset: the password serves as the secret.
    std::optional<std::string> secret;
    /// Message entries in declared order (empty for a Maildir mailbox).
    std::vector<MessageSource> messages;
    /// A Maildir folder to serve instead (resolved path; has cur/ or new/).
    std::optional<std::string> maildir;
    SourceLocation location;

    /// The secret for APOP/CRAM-MD5: `secret`, else `password`, else nullopt.
    std::optional<std::string> effectiveSecret() const;
    /// Number of declared messages (0 for a Maildir mailbox, which is read when served).
    std::uint64_t messageCount() const;
    /// Every declared message in order; O(count), nothing materialised.
    std::vector<MessageRef> messageRefs() const;
    /// messageRefs() as MessageInfo, for a login reply.
    std::vector<MessageInfo> listing() const;
};

} // namespace pop3::mock
