#pragma once

#include "pop3/mock/Rule.h"
#include "pop3/mock/Scenario.h"

#include <vector>

#include "YamlReader.h"

namespace pop3::mock::detail {

/// Reads `rules:`. Needs the mailboxes and server already read, to check user names and
/// faults that depend on the TLS mode.
class RuleParser {
public:
    RuleParser(YamlReader& reader, const Scenario& scenario)
        : _reader(reader), _scenario(scenario) {}

    std::vector<Rule> parse(const Entry& rules);

private:
    std::optional<Rule> parseRule(const YAML::Node& node);
    bool parseMatch(const Fields& fields, RuleMatch& match);
    std::optional<std::string> parseWireText(const Entry& entry);
    std::optional<DropAction> parseDrop(const Entry& entry);
    bool checkCombination(const Fields& fields, const Rule& rule);

    YamlReader& _reader;
    const Scenario& _scenario;
};

} // namespace pop3::mock::detail
