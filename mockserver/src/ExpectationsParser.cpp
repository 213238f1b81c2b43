#include "ExpectationsParser.h"

#include "pop3/CommandTable.h"

#include <Poco/String.h>

#include <set>

#include "Suggestion.h"

namespace pop3::mock::detail {

Expectations ExpectationsParser::parse(const Entry& expectations) {
    Expectations result;
    result.location = _reader.locate(expectations);
    auto fields = _reader.map(expectations, "expectations");
    if (!fields)
        return result;

    if (const Entry* commands = fields->find("commandsInOrder")) {
        std::vector<std::string_view> names;
        for (const CommandSpec& spec : kCommandTable)
            names.push_back(spec.name);
        if (auto items = _reader.sequence(*commands)) {
            std::vector<std::string> keywords;
            bool ok = true;
            for (const YAML::Node& item : *items) {
                auto name = _reader.string(item, "an item of 'commandsInOrder'");
                if (!name) {
                    ok = false;
                    continue;
                }
                const CommandSpec* spec = findCommand(*name);
                if (!spec) {
                    _reader.error(item, "unknown command " + YamlReader::quote(*name) +
                                            Suggestion::hint(Poco::toUpper(*name), names));
                    ok = false;
                    continue;
                }
                keywords.emplace_back(spec->name);
            }
            if (ok)
                result.commandsInOrder = std::move(keywords);
        }
    }
    if (const Entry* value = fields->find("noPlaintextPassword"))
        result.noPlaintextPassword = _reader.boolean(*value);
    if (const Entry* value = fields->find("quitSent"))
        result.quitSent = _reader.boolean(*value);
    if (const Entry* value = fields->find("loggedIn"))
        result.loggedIn = _reader.stringList(*value);
    if (const Entry* value = fields->find("deleted"))
        result.deleted = parseDeleted(*value);
    return result;
}

std::optional<std::vector<DeletedExpectation>>
ExpectationsParser::parseDeleted(const Entry& entry) {
    auto users = _reader.freeMap(entry);
    if (!users)
        return std::nullopt;
    std::vector<std::string_view> known;
    for (const Mailbox& mailbox : _scenario.mailboxes)
        known.push_back(mailbox.user);
    std::vector<DeletedExpectation> result;
    bool ok = true;
    for (const Entry& user : users->entries) {
        const Mailbox* mailbox = _scenario.findMailbox(user.key);
        if (!mailbox) {
            _reader.errorAtKey(user, "no mailbox for user " + YamlReader::quote(user.key) +
                                         Suggestion::hint(user.key, known));
            ok = false;
            continue;
        }
        auto items = _reader.sequence(user);
        if (!items) {
            ok = false;
            continue;
        }
        DeletedExpectation expectation;
        expectation.user = user.key;
        expectation.location = _reader.locateKey(user);
        for (const YAML::Node& item : *items) {
            if (auto selector = parseSelector(item, *mailbox))
                expectation.messages.push_back(std::move(*selector));
            else
                ok = false;
        }
        result.push_back(std::move(expectation));
    }
    if (!ok)
        return std::nullopt;
    return result;
}

std::optional<MessageSelector> ExpectationsParser::parseSelector(const YAML::Node& item,
                                                                 const Mailbox& mailbox) {
    const bool unchecked = mailbox.maildir || _incomplete.count(mailbox.user) > 0;
    if (!item.IsScalar()) {
        _reader.error(item,
                      "expected a message position or a uid, got " + YamlReader::describe(item));
        return std::nullopt;
    }
    // A plain number is a position; a quoted scalar is always a uid.
    std::uint64_t position = 0;
    if (item.Tag() != "!" && YAML::convert<std::uint64_t>::decode(item, position)) {
        if (unchecked)
            return MessageSelector{position};
        const std::uint64_t count = mailbox.messageCount();
        if (position < 1 || position > count) {
            _reader.error(item, "mailbox " + YamlReader::quote(mailbox.user) +
                                    " has messages 1 to " + std::to_string(count) + ", not " +
                                    std::to_string(position));
            return std::nullopt;
        }
        return MessageSelector{position};
    }
    const std::string uid = item.Scalar();
    if (!unchecked) {
        bool found = false;
        for (const MessageRef& ref : mailbox.messageRefs()) {
            if (ref.uid() == uid) {
                found = true;
                break;
            }
        }
        if (!found) {
            _reader.error(item, "mailbox " + YamlReader::quote(mailbox.user) +
                                    " has no message with uid " + YamlReader::quote(uid));
            return std::nullopt;
        }
    }
    return MessageSelector{uid};
}

} // namespace pop3::mock::detail
