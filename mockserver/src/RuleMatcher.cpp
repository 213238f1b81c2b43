#include "pop3/mock/RuleMatcher.h"

namespace pop3::mock {

RuleMatcher::RuleMatcher(const std::vector<Rule>& rules) {
    _entries.reserve(rules.size());
    for (const Rule& rule : rules) {
        Entry entry{&rule, nullptr, 0};
        if (rule.match.arguments)
            entry.arguments = std::make_unique<Poco::RegularExpression>(*rule.match.arguments);
        _entries.push_back(std::move(entry));
    }
}

RuleMatcher::~RuleMatcher() = default;

const Rule* RuleMatcher::onCommand(std::string_view keyword, std::string_view arguments,
                                   std::string_view user) {
    const CommandSpec* spec = findCommand(keyword);
    const std::string subject(arguments);
    const Rule* chosen = nullptr;
    for (Entry& entry : _entries) {
        const RuleMatch& match = entry.rule->match;
        if (match.kind == RuleMatch::Kind::Greeting)
            continue;
        if (match.kind == RuleMatch::Kind::Command && (!spec || spec->id != match.command))
            continue;
        if (match.user && *match.user != user)
            continue;
        Poco::RegularExpression::Match found;
        if (entry.arguments && entry.arguments->match(subject, 0, found) == 0)
            continue;
        ++entry.count;
        if (!chosen && (!match.occurrence || *match.occurrence == entry.count))
            chosen = entry.rule;
    }
    return chosen;
}

const Rule* RuleMatcher::onGreeting(std::uint64_t connection) const {
    for (const Entry& entry : _entries) {
        const RuleMatch& match = entry.rule->match;
        if (match.kind == RuleMatch::Kind::Greeting &&
            (!match.occurrence || *match.occurrence == connection))
            return entry.rule;
    }
    return nullptr;
}

} // namespace pop3::mock
