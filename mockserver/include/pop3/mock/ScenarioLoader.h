#pragma once

#include "pop3/mock/Diagnostic.h"
#include "pop3/mock/Scenario.h"

#include <string>
#include <string_view>
#include <vector>

namespace pop3::mock {

/// The keys one kind of YAML map accepts. docs/scenario.schema.json has a definition
/// "$defs/<context>" with exactly these properties (a test holds the two together).
struct KeyTable {
    /// The definition's name ("mailbox", "tls", "expect"...).
    std::string_view context;
    /// How diagnostics name such a map ("unknown key 'usr' in mailbox").
    std::string_view description;
    std::vector<std::string_view> keys;
};

/// Reads scenario YAML (docs/scenarios.md) into a validated Scenario. Every problem is
/// reported with its file:line:col, all of them at once: YAML syntax errors, unknown keys
/// (with a did-you-mean), wrong types, values out of range, missing files and combinations
/// that cannot work. Never throws anything but ScenarioError for bad input.
class ScenarioLoader {
public:
    /// Loads `path`; relative paths inside resolve against its directory.
    static Scenario loadFile(const std::string& path);
    /// Loads YAML text as if read from `virtualPath` (used in diagnostics and to resolve
    /// relative paths).
    static Scenario loadString(const std::string& text, const std::string& virtualPath);

    /// Every problem in the file, in file order; empty when it loads.
    static std::vector<Diagnostic> validateFile(const std::string& path);
    static std::vector<Diagnostic> validateString(const std::string& text,
                                                  const std::string& virtualPath);

    /// The key tables the loader checks maps against, one per map kind.
    static const std::vector<KeyTable>& keyTables();
    /// The table of `context`; throws std::out_of_range for an unknown one.
    static const KeyTable& keyTable(std::string_view context);
};

} // namespace pop3::mock
