#include "RuleParser.h"

#include "pop3/Message.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>
#include <Poco/String.h>

#include "Suggestion.h"

namespace pop3::mock::detail {

namespace {

/// Longest delay a rule may ask for: one hour.
constexpr std::uint64_t kMaxDelayMs = 3'600'000;

std::vector<std::string_view> commandNames() {
    std::vector<std::string_view> names{"greeting", "*"};
    for (const CommandSpec& spec : kCommandTable)
        names.push_back(spec.name);
    return names;
}

std::vector<std::string_view> faultNames() {
    std::vector<std::string_view> names;
    for (const FaultSpec& spec : kFaultTable)
        names.push_back(spec.name);
    return names;
}

} // namespace

std::vector<Rule> RuleParser::parse(const Entry& rules) {
    std::vector<Rule> result;
    auto items = _reader.sequence(rules);
    if (!items)
        return result;
    for (const YAML::Node& item : *items)
        if (auto rule = parseRule(item))
            result.push_back(std::move(*rule));
    return result;
}

bool RuleParser::parseMatch(const Fields& fields, RuleMatch& match) {
    bool ok = true;
    if (const Entry* command = fields.find("command")) {
        auto name = _reader.string(*command);
        if (!name)
            return false;
        if (Poco::icompare(*name, "greeting") == 0) {
            match.kind = RuleMatch::Kind::Greeting;
        } else if (*name == "*") {
            match.kind = RuleMatch::Kind::AnyCommand;
        } else if (const CommandSpec* spec = findCommand(*name)) {
            match.kind = RuleMatch::Kind::Command;
            match.command = spec->id;
        } else {
            _reader.error(*command, "unknown command " + YamlReader::quote(*name) +
                                        Suggestion::hint(Poco::toUpper(*name), commandNames()) +
                                        "; a rule names a command, '*' or 'greeting'");
            return false;
        }
    }
    const bool greeting = match.kind == RuleMatch::Kind::Greeting;
    if (const Entry* arguments = fields.find("arguments")) {
        if (greeting) {
            _reader.errorAtKey(*arguments, "the greeting has no arguments to match");
            ok = false;
        } else if (auto pattern = _reader.string(*arguments)) {
            try {
                Poco::RegularExpression compiled(*pattern);
                match.arguments = *pattern;
            } catch (const Poco::Exception& e) {
                _reader.error(*arguments,
                              "invalid regular expression for 'arguments': " + e.message());
                ok = false;
            }
        } else {
            ok = false;
        }
    }
    if (const Entry* user = fields.find("user")) {
        if (greeting) {
            _reader.errorAtKey(*user, "the greeting comes before any user is known");
            ok = false;
        } else if (auto name = _reader.nonEmptyString(*user)) {
            if (!_scenario.findMailbox(*name) && !_scenario.server.auth.acceptAnyPassword) {
                std::vector<std::string_view> users;
                for (const Mailbox& mailbox : _scenario.mailboxes)
                    users.push_back(mailbox.user);
                _reader.error(*user, "no mailbox for user " + YamlReader::quote(*name) +
                                         Suggestion::hint(*name, users));
                ok = false;
            } else {
                match.user = *name;
            }
        } else {
            ok = false;
        }
    }
    if (const Entry* occurrence = fields.find("occurrence")) {
        if (occurrence->value.IsScalar() && occurrence->value.Scalar() == "every") {
            match.occurrence.reset();
        } else if (occurrence->value.IsScalar()) {
            std::uint64_t n = 0;
            if (YAML::convert<std::uint64_t>::decode(occurrence->value, n)) {
                if (n < 1) {
                    _reader.error(*occurrence, "'occurrence' counts from 1, got 0");
                    ok = false;
                } else {
                    match.occurrence = n;
                }
            } else {
                _reader.error(*occurrence, "expected a number or 'every' for 'occurrence', got " +
                                               YamlReader::describe(occurrence->value));
                ok = false;
            }
        } else {
            _reader.error(*occurrence, "expected a number or 'every' for 'occurrence', got " +
                                           YamlReader::describe(occurrence->value));
            ok = false;
        }
    }
    return ok;
}

std::optional<std::string> RuleParser::parseWireText(const Entry& entry) {
    std::string bytes;
    if (entry.value.IsMap()) {
        auto fields = _reader.map(entry, "bytes");
        if (!fields)
            return std::nullopt;
        const Entry* raw = fields->find("bytes");
        if (!raw) {
            if (!fields->misspelt({"bytes"}))
                _reader.error(entry, YamlReader::quote(entry.key) + " needs 'bytes'");
            return std::nullopt;
        }
        auto value = _reader.string(*raw);
        if (!value)
            return std::nullopt;
        bytes = *value;
    } else {
        auto value = _reader.string(entry);
        if (!value)
            return std::nullopt;
        // Text form: line ends become CRLF, and the last line gets one.
        LineEndNormaliser normaliser;
        normaliser.feed(*value, bytes);
        normaliser.finish(bytes);
        if (!bytes.empty() && !normaliser.atLineStart())
            bytes += "\r\n";
    }
    if (bytes.empty()) {
        _reader.error(entry, YamlReader::quote(entry.key) +
                                 " is empty; use 'stall: true' to send nothing");
        return std::nullopt;
    }
    return bytes;
}

std::optional<DropAction> RuleParser::parseDrop(const Entry& entry) {
    DropAction drop;
    if (entry.value.IsMap()) {
        auto fields = _reader.map(entry, "drop");
        if (!fields)
            return std::nullopt;
        const Entry* afterBytes = fields->find("afterBytes");
        if (!afterBytes) {
            if (!fields->misspelt({"afterBytes"}))
                _reader.error(entry, "'drop' needs 'afterBytes'");
            return std::nullopt;
        }
        auto n = _reader.number(*afterBytes);
        if (!n)
            return std::nullopt;
        drop.when = DropAction::When::AfterBytes;
        drop.afterBytes = *n;
        return drop;
    }
    if (entry.value.IsScalar()) {
        auto index = _reader.choice(entry, {"before", "after"}, "drop point");
        if (!index)
            return std::nullopt;
        drop.when = *index == 0 ? DropAction::When::BeforeReply : DropAction::When::AfterReply;
        return drop;
    }
    _reader.error(entry, "expected 'before', 'after' or {afterBytes: N} for 'drop', got " +
                             YamlReader::describe(entry.value));
    return std::nullopt;
}

std::optional<Rule> RuleParser::parseRule(const YAML::Node& node) {
    auto fields = _reader.map(node, "rule", "an item of 'rules'");
    if (!fields)
        return std::nullopt;
    Rule rule;
    rule.location = _reader.locate(node);
    bool ok = parseMatch(*fields, rule.match);

    if (const Entry* delay = fields->find("delay")) {
        auto ms = _reader.number(*delay, 0, kMaxDelayMs);
        ok = ok && ms;
        if (ms)
            rule.delay = std::chrono::milliseconds(*ms);
    }
    for (const char* key : {"reply", "append"}) {
        if (const Entry* entry = fields->find(key)) {
            auto bytes = parseWireText(*entry);
            ok = ok && bytes;
            (std::string(key) == "reply" ? rule.reply : rule.append) = bytes;
        }
    }
    if (const Entry* drop = fields->find("drop")) {
        rule.drop = parseDrop(*drop);
        ok = ok && rule.drop;
    }
    if (const Entry* stall = fields->find("stall")) {
        auto value = _reader.boolean(*stall);
        ok = ok && value;
        rule.stall = value.value_or(false);
    }
    if (const Entry* fault = fields->find("fault")) {
        auto index = _reader.choice(*fault, faultNames(), "fault");
        if (index) {
            const FaultSpec& spec = kFaultTable[*index];
            rule.fault = spec.fault;
            const RuleMatch& match = rule.match;
            if (match.kind == RuleMatch::Kind::Greeting && !spec.greeting) {
                _reader.error(*fault, "fault " + YamlReader::quote(spec.name) +
                                          " does not act on the greeting");
                ok = false;
            } else if (match.kind == RuleMatch::Kind::Command && !spec.appliesTo(match.command)) {
                std::string acts;
                for (const CommandSpec& command : kCommandTable) {
                    if (!spec.appliesTo(command.id))
                        continue;
                    acts += acts.empty() ? "" : ", ";
                    acts += command.name;
                }
                _reader.error(*fault, "fault " + YamlReader::quote(spec.name) + " acts on " + acts +
                                          ", not " + std::string(commandSpec(match.command).name));
                ok = false;
            }
            if ((spec.fault == Fault::StlsInjectedLines ||
                 spec.fault == Fault::StlsCommandInjection) &&
                _scenario.server.tls.mode != TlsMode::Stls) {
                _reader.error(*fault, "fault " + YamlReader::quote(spec.name) +
                                          " happens around a real TLS upgrade: it needs "
                                          "'server.tls.mode: stls'");
                ok = false;
            }
        } else {
            ok = false;
        }
    }
    if (ok && !checkCombination(*fields, rule))
        ok = false;
    if (!ok)
        return std::nullopt;
    return rule;
}

bool RuleParser::checkCombination(const Fields& fields, const Rule& rule) {
    const bool anyAction =
        rule.delay || rule.reply || rule.append || rule.drop || rule.stall || rule.fault;
    if (!anyAction) {
        if (fields.misspelt({"reply", "append", "delay", "drop", "stall", "fault"}))
            return false;
        _reader.error(fields.node, "a rule needs an action: 'reply', 'append', 'delay', 'drop', "
                                   "'stall' or 'fault'");
        return false;
    }
    if (rule.stall) {
        for (const char* key : {"reply", "append", "drop", "fault"}) {
            if (const Entry* entry = fields.find(key)) {
                _reader.errorAtKey(*entry, "'stall' never answers, so " + YamlReader::quote(key) +
                                               " would never happen");
                return false;
            }
        }
    }
    if (rule.reply && rule.fault) {
        _reader.errorAtKey(*fields.find("fault"),
                           "'reply' replaces the normal handling, so fault " +
                               YamlReader::quote(toString(*rule.fault)) +
                               " would have nothing to act on");
        return false;
    }
    if (rule.drop && rule.drop->when == DropAction::When::BeforeReply) {
        for (const char* key : {"reply", "append"}) {
            if (const Entry* entry = fields.find(key)) {
                _reader.errorAtKey(*entry, "'drop: before' closes before anything is sent, so " +
                                               YamlReader::quote(key) + " would never be sent");
                return false;
            }
        }
    }
    return true;
}

} // namespace pop3::mock::detail
