#include "MailboxParser.h"

#include "pop3/Limits.h"
#include "pop3/Message.h"
#include "pop3/mock/MessageGenerator.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <fstream>
#include <map>

namespace pop3::mock::detail {

namespace {

/// Largest generated message and count: far beyond any test, small enough to stay sane.
constexpr std::uint64_t kMaxGeneratedSize = std::uint64_t{1} << 30;
constexpr std::uint64_t kMaxGeneratedCount = 100'000'000;

bool hasLineBreakOrNul(std::string_view text) {
    return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool validUid(std::string_view uid) {
    if (uid.empty() || uid.size() > limits::kMaxUniqueIdLength)
        return false;
    for (char c : uid)
        if (c < 0x21 || c > 0x7E)
            return false;
    return true;
}

bool validHeaderName(std::string_view name) {
    if (name.empty())
        return false;
    for (char c : name)
        if (c < 0x21 || c > 0x7E || c == ':')
            return false;
    return true;
}

/// "msg-<n>" -> n, the form of default unique-ids.
std::optional<std::uint64_t> defaultUidNumber(std::string_view uid) {
    if (uid.substr(0, 4) != "msg-" || uid.size() == 4 || uid.size() > 24)
        return std::nullopt;
    std::uint64_t n = 0;
    for (char c : uid.substr(4)) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

} // namespace

std::vector<Mailbox> MailboxParser::parse(const Entry& mailboxes) {
    std::vector<Mailbox> result;
    auto items = _reader.sequence(mailboxes);
    if (!items)
        return result;
    std::map<std::string, int> firstLine;
    for (const YAML::Node& item : *items) {
        bool complete = true;
        auto mailbox = parseMailbox(item, complete);
        if (!mailbox)
            continue;
        auto [it, inserted] = firstLine.emplace(mailbox->user, mailbox->location.line);
        if (!inserted) {
            _reader.error(mailbox->location,
                          "duplicate mailbox for user " + YamlReader::quote(mailbox->user) +
                              " (first declared at line " + std::to_string(it->second) + ")");
            continue;
        }
        if (!complete)
            _incomplete.insert(mailbox->user);
        result.push_back(std::move(*mailbox));
    }
    return result;
}

std::optional<Mailbox> MailboxParser::parseMailbox(const YAML::Node& node, bool& complete) {
    auto fields = _reader.map(node, "mailbox", "an item of 'mailboxes'");
    if (!fields)
        return std::nullopt;
    Mailbox mailbox;
    mailbox.location = _reader.locate(node);
    bool ok = true;

    if (const Entry* user = fields->find("user")) {
        if (auto value = _reader.nonEmptyString(*user)) {
            if (value->find_first_of(std::string_view(" \t\r\n\0", 5)) != std::string::npos) {
                _reader.error(*user, "user name must not contain spaces or line breaks");
                return std::nullopt;
            }
            mailbox.user = *value;
        } else {
            ok = false;
        }
    } else {
        if (!fields->misspelt({"user"}))
            _reader.error(node, "mailbox needs 'user'");
        ok = false;
    }
    for (const char* key : {"password", "secret"}) {
        const Entry* entry = fields->find(key);
        if (!entry)
            continue;
        auto value = _reader.string(*entry);
        if (!value) {
            ok = false;
            continue;
        }
        if (hasLineBreakOrNul(*value)) {
            _reader.error(*entry, std::string("'") + key + "' must not contain line breaks");
            ok = false;
            continue;
        }
        (std::string(key) == "password" ? mailbox.password : mailbox.secret) = *value;
    }

    if (!mailbox.password && !mailbox.secret && !_acceptAnyPassword && ok &&
        !fields->misspelt({"password", "secret"}))
        _reader.error(node, "mailbox " + YamlReader::quote(mailbox.user) +
                                " needs 'password' or 'secret' (or set "
                                "'server.auth.acceptAnyPassword: true')");

    const Entry* messages = fields->find("messages");
    const Entry* maildir = fields->find("maildir");
    if (messages && maildir) {
        _reader.errorAtKey(*maildir, "'maildir' and 'messages' cannot be combined: a mailbox is "
                                     "served from one or the other");
        ok = false;
    } else if (maildir) {
        mailbox.maildir = parseMaildir(*maildir);
        ok = ok && mailbox.maildir;
    } else if (messages) {
        if (auto items = _reader.sequence(*messages)) {
            mailbox.messages.reserve(items->size());
            for (const YAML::Node& item : *items) {
                if (auto source = parseMessage(item))
                    mailbox.messages.push_back(std::move(*source));
                else
                    ok = false;
            }
        } else {
            ok = false;
        }
        checkUids(mailbox);
    }
    if (mailbox.user.empty())
        return std::nullopt;
    complete = ok;
    return mailbox;
}

std::optional<std::string> MailboxParser::parseMaildir(const Entry& entry) {
    auto path = _reader.nonEmptyString(entry);
    if (!path)
        return std::nullopt;
    const std::string resolved = _reader.resolvePath(*path);
    const std::string where = " (looked at " + YamlReader::quote(resolved) + ")";
    const std::string name = "Maildir folder " + YamlReader::quote(*path);
    try {
        Poco::File dir(resolved);
        if (!dir.exists()) {
            _reader.error(entry, name + " not found" + where);
            return std::nullopt;
        }
        if (!dir.isDirectory()) {
            _reader.error(entry, name + " is not a folder" + where);
            return std::nullopt;
        }
        Poco::Path base(resolved);
        base.makeDirectory();
        if (!Poco::File(Poco::Path(base, "cur")).exists() &&
            !Poco::File(Poco::Path(base, "new")).exists()) {
            _reader.error(entry, name + " has neither cur/ nor new/" + where);
            return std::nullopt;
        }
    } catch (const Poco::Exception& e) {
        _reader.error(entry, "cannot use " + name + ": " + e.displayText() + where);
        return std::nullopt;
    }
    return resolved;
}

std::optional<MessageSource> MailboxParser::parseMessage(const YAML::Node& node) {
    auto fields = _reader.map(node, "message", "an item of 'messages'");
    if (!fields)
        return std::nullopt;
    MessageSource source;
    source.location = _reader.locate(node);

    // Exactly one way of giving the message.
    const Entry* kinds[] = {fields->find("headers"), fields->find("body"), fields->find("raw"),
                            fields->find("file"), fields->find("generate")};
    const Entry* first = nullptr;
    bool ok = true;
    for (const Entry* entry : kinds) {
        if (!entry)
            continue;
        const bool inlinePair = first && ((first->key == "headers" && entry->key == "body") ||
                                          (first->key == "body" && entry->key == "headers"));
        if (first && !inlinePair) {
            _reader.errorAtKey(*entry, YamlReader::quote(entry->key) + " cannot be combined with " +
                                           YamlReader::quote(first->key) + " in one message");
            ok = false;
        } else if (!first) {
            first = entry;
        }
    }
    if (!first) {
        if (fields->misspelt({"headers", "body", "raw", "file", "generate"}))
            return std::nullopt;
        _reader.error(node, "message needs 'headers'/'body', 'raw', 'file' or 'generate'");
        return std::nullopt;
    }
    if (!ok)
        return std::nullopt;

    if (first->key == "headers" || first->key == "body")
        ok = parseInline(*fields, source);
    else if (first->key == "raw") {
        auto text = _reader.string(*first);
        ok = text.has_value();
        if (ok) {
            source.kind = MessageSource::Kind::Inline;
            source.text = std::move(*text);
            source.size = measureMessage(source.text).octets;
        }
    } else if (first->key == "file")
        ok = parseFile(*first, source);
    else
        ok = parseGenerate(*first, source);

    if (const Entry* uid = fields->find("uid")) {
        if (first->key == "generate") {
            _reader.errorAtKey(*uid, "'uid' cannot be given for generated messages (they get "
                                     "'msg-<position>')");
            ok = false;
        } else if (auto value = _reader.string(*uid)) {
            if (!validUid(*value)) {
                _reader.error(*uid, "uid must be 1 to 70 characters from 0x21 to 0x7E "
                                    "(RFC 1939 §7), got " +
                                        YamlReader::describe(uid->value));
                ok = false;
            } else {
                source.uid = *value;
            }
        } else {
            ok = false;
        }
    }
    if (!ok)
        return std::nullopt;
    return source;
}

bool MailboxParser::parseInline(const Fields& fields, MessageSource& source) {
    source.kind = MessageSource::Kind::Inline;
    std::string text;
    bool ok = true;
    if (const Entry* headers = fields.find("headers")) {
        auto addHeader = [&](const std::string& name, const std::string& value,
                             const YAML::Node& at) {
            if (!validHeaderName(name)) {
                _reader.error(at, "header name " + YamlReader::quote(name) +
                                      " must be printable ASCII without spaces or ':'");
                ok = false;
                return;
            }
            text += name + ": " + value + "\r\n";
        };
        if (headers->value.IsSequence()) {
            for (const YAML::Node& item : headers->value) {
                auto line = _reader.string(item, "an item of 'headers'");
                if (!line) {
                    ok = false;
                    continue;
                }
                const std::size_t colon = line->find(':');
                if (colon == std::string::npos) {
                    _reader.error(item, "header line " + YamlReader::describe(item) +
                                            " must look like 'Name: value'");
                    ok = false;
                    continue;
                }
                std::string value = line->substr(colon + 1);
                if (!value.empty() && value.front() == ' ')
                    value.erase(0, 1);
                addHeader(line->substr(0, colon), value, item);
            }
        } else if (headers->value.IsMap() || headers->value.IsNull()) {
            auto map = _reader.freeMap(*headers);
            if (!map)
                return false;
            for (const Entry& header : map->entries) {
                if (auto value = _reader.string(header))
                    addHeader(header.key, *value, header.keyNode);
                else
                    ok = false;
            }
        } else {
            _reader.error(*headers, "expected a map or a list for 'headers', got " +
                                        YamlReader::describe(headers->value));
            return false;
        }
    }
    text += "\r\n";
    if (const Entry* body = fields.find("body")) {
        if (auto value = _reader.string(*body))
            text += *value;
        else
            ok = false;
    }
    if (!ok)
        return false;
    source.text = canonicalMessage(text);
    source.size = measureMessage(source.text).octets;
    return true;
}

bool MailboxParser::parseFile(const Entry& entry, MessageSource& source) {
    auto path = _reader.nonEmptyString(entry);
    if (!path)
        return false;
    source.kind = MessageSource::Kind::File;
    source.path = _reader.resolvePath(*path);
    bool regular = false;
    try {
        Poco::File file(source.path);
        if (file.exists() && file.isDirectory()) {
            _reader.error(entry, "message file " + YamlReader::quote(*path) + " is a folder");
            return false;
        }
        regular = file.exists() && file.isFile();
    } catch (const Poco::Exception&) {
    }
    std::ifstream in;
    if (regular)
        in.open(source.path, std::ios::binary);
    if (!regular || !in) {
        _reader.error(entry, "message file " + YamlReader::quote(*path) + " not found (looked at " +
                                 YamlReader::quote(source.path) + ")");
        return false;
    }
    MessageMeter meter;
    char buffer[65536];
    while (in) {
        in.read(buffer, sizeof buffer);
        meter.feed(std::string_view(buffer, static_cast<std::size_t>(in.gcount())));
    }
    if (in.bad()) {
        _reader.error(entry, "cannot read message file " + YamlReader::quote(source.path));
        return false;
    }
    source.size = meter.finish().octets;
    return true;
}

bool MailboxParser::parseGenerate(const Entry& entry, MessageSource& source) {
    source.kind = MessageSource::Kind::Generated;
    if (entry.value.IsScalar()) {
        auto count = _reader.number(entry, 0, kMaxGeneratedCount);
        if (!count)
            return false;
        source.generate.count = *count;
        return true;
    }
    auto fields = _reader.map(entry, "generate");
    if (!fields)
        return false;
    bool ok = true;
    if (const Entry* count = fields->find("count")) {
        auto value = _reader.number(*count, 0, kMaxGeneratedCount);
        ok = ok && value;
        source.generate.count = value.value_or(0);
    } else {
        if (!fields->misspelt({"count"}))
            _reader.error(entry, "'generate' needs 'count'");
        ok = false;
    }
    if (const Entry* size = fields->find("size")) {
        auto value = _reader.number(*size, MessageGenerator::kMinSize, kMaxGeneratedSize);
        ok = ok && value;
        source.generate.size = value.value_or(0);
    }
    if (const Entry* seed = fields->find("seed")) {
        auto value = _reader.number(*seed);
        ok = ok && value;
        source.generate.seed = value.value_or(0);
    }
    return ok;
}

void MailboxParser::checkUids(const Mailbox& mailbox) {
    std::map<std::string, const MessageSource*> seen;
    std::uint64_t position = 0;
    std::map<std::uint64_t, const MessageSource*> byPosition;
    for (const MessageSource& source : mailbox.messages) {
        if (source.count() > 0)
            byPosition.emplace(position + 1, &source);
        position += source.count();
        if (!source.uid)
            continue;
        auto [it, inserted] = seen.emplace(*source.uid, &source);
        if (!inserted)
            _reader.error(source.location, "duplicate uid " + YamlReader::quote(*source.uid) +
                                               " (first used at line " +
                                               std::to_string(it->second->location.line) + ")");
    }
    // A fixed uid must not equal the default uid of another message.
    for (const auto& [uid, source] : seen) {
        auto n = defaultUidNumber(uid);
        if (!n || *n < 1 || *n > position)
            continue;
        auto owner = byPosition.upper_bound(*n);
        --owner;
        const MessageSource* other = owner->second;
        if (other != source && !other->uid)
            _reader.error(source->location, "uid " + YamlReader::quote(uid) +
                                                " is the default uid of message " +
                                                std::to_string(*n) + "; choose another");
    }
}

} // namespace pop3::mock::detail
