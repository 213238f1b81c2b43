#pragma once

#include "pop3/mock/Rule.h"

#include <Poco/RegularExpression.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace pop3::mock {

/// Picks the rule that acts on a command of one session, with the semantics documented in
/// docs/scenarios.md: every rule counts the commands its match selects (keyword, arguments,
/// user), whether or not it acts; the first rule in file order whose count fits its
/// `occurrence` acts, and the others are skipped for that command. Create one per session;
/// the rules must outlive it. Not thread-safe (a session is served by one thread at a time).
class RuleMatcher {
public:
    /// Compiles the argument patterns (the loader has checked that they compile).
    explicit RuleMatcher(const std::vector<Rule>& rules);
    ~RuleMatcher();

    RuleMatcher(const RuleMatcher&) = delete;
    RuleMatcher& operator=(const RuleMatcher&) = delete;

    /// The rule for a command line: `keyword` as sent (any case), `arguments` the rest of the
    /// line after the keyword's space (empty without arguments), `user` the session's user name
    /// (empty before USER/APOP/AUTH named one). nullptr: handle normally.
    const Rule* onCommand(std::string_view keyword, std::string_view arguments,
                          std::string_view user);

    /// The rule for the greeting of the server's `connection`-th connection (1-based; the
    /// caller counts connections server-wide). Stateless.
    const Rule* onGreeting(std::uint64_t connection) const;

private:
    struct Entry {
        const Rule* rule;
        std::unique_ptr<Poco::RegularExpression> arguments;
        std::uint64_t count = 0;
    };
    std::vector<Entry> _entries;
};

} // namespace pop3::mock
