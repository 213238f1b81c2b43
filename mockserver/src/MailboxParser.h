#pragma once

#include "pop3/mock/Mailbox.h"

#include <set>
#include <string>
#include <vector>

#include "YamlReader.h"

namespace pop3::mock::detail {

/// Reads `mailboxes:`: users, credentials and message sources. Message files are measured
/// here; generated messages are only described.
class MailboxParser {
public:
    /// `acceptAnyPassword`: mailboxes may come without password or secret.
    MailboxParser(YamlReader& reader, bool acceptAnyPassword)
        : _reader(reader), _acceptAnyPassword(acceptAnyPassword) {}

    /// The mailboxes, including those with errors in their messages (so that later checks do
    /// not report them missing); see incomplete().
    std::vector<Mailbox> parse(const Entry& mailboxes);
    /// Users whose mailbox had errors: its message list is not to be trusted.
    const std::set<std::string>& incomplete() const { return _incomplete; }

private:
    /// nullopt when not even the user is known; `complete` false when something else failed.
    std::optional<Mailbox> parseMailbox(const YAML::Node& node, bool& complete);
    std::optional<MessageSource> parseMessage(const YAML::Node& node);
    bool parseInline(const Fields& fields, MessageSource& source);
    bool parseFile(const Entry& entry, MessageSource& source);
    bool parseGenerate(const Entry& entry, MessageSource& source);
    void checkUids(const Mailbox& mailbox);
    std::optional<std::string> parseMaildir(const Entry& entry);

    YamlReader& _reader;
    bool _acceptAnyPassword;
    std::set<std::string> _incomplete;
};

} // namespace pop3::mock::detail
