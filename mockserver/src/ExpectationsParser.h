#pragma once

#include "pop3/mock/Expectations.h"
#include "pop3/mock/Scenario.h"

#include <set>
#include <string>

#include "YamlReader.h"

namespace pop3::mock::detail {

/// Reads `expectations:`, the assertions on what the mock saw. Needs the mailboxes already
/// read, to check the messages named in `deleted`.
class ExpectationsParser {
public:
    /// `incomplete`: users whose mailbox had errors; their messages are not checked.
    ExpectationsParser(YamlReader& reader, const Scenario& scenario,
                       const std::set<std::string>& incomplete)
        : _reader(reader), _scenario(scenario), _incomplete(incomplete) {}

    Expectations parse(const Entry& expectations);

private:
    std::optional<std::vector<DeletedExpectation>> parseDeleted(const Entry& entry);
    std::optional<MessageSelector> parseSelector(const YAML::Node& item, const Mailbox& mailbox);

    YamlReader& _reader;
    const Scenario& _scenario;
    const std::set<std::string>& _incomplete;
};

} // namespace pop3::mock::detail
