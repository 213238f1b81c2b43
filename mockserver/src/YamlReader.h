#pragma once

#include "pop3/mock/Diagnostic.h"
#include "pop3/mock/ScenarioLoader.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace pop3::mock::detail {

/// One key of a map with its value.
struct Entry {
    std::string key;
    YAML::Node keyNode;
    YAML::Node value;
};

/// The known keys of a map, in document order.
struct Fields {
    YAML::Node node;
    std::vector<Entry> entries;
    /// Known keys suggested for unknown ones: "missing key" errors for them are left out, the
    /// did-you-mean already says it.
    std::vector<std::string> suggested;

    const Entry* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }
    /// True when any of `keys` was suggested for a misspelt key.
    bool misspelt(std::initializer_list<std::string_view> keys) const;
};

/// The node at which `root`, with every YAML alias expanded, grows beyond `limit` units (one per
/// node and one per octet of scalar text); nullopt when it stays within. An alias repeats its
/// anchor's content without repeating its text ("billion laughs"), and the parsers walk the
/// expanded form, so it is measured first, in at most `limit` steps.
std::optional<YAML::Node> aliasExpansionBeyond(const YAML::Node& root, std::size_t limit);

/// The expansion limit for a document of `octets` octets: aliases may make it about eight
/// times as large.
std::size_t aliasExpansionLimit(std::size_t octets);

/// Reads yaml-cpp nodes into values, reporting every problem as a Diagnostic at the node's
/// position instead of throwing. Reads return nullopt after reporting.
class YamlReader {
public:
    /// `file` names the scenario in diagnostics; relative paths resolve against its directory.
    YamlReader(std::string file, std::vector<Diagnostic>& diagnostics);

    const std::string& file() const { return _file; }

    SourceLocation locate(const YAML::Node& node) const;
    /// The value's position, or the key's when the value is empty (yaml-cpp gives an empty
    /// value the position of the next token).
    SourceLocation locate(const Entry& entry) const;
    SourceLocation locateKey(const Entry& entry) const;

    void error(SourceLocation location, std::string message);
    void error(const YAML::Node& node, std::string message);
    void error(const Entry& entry, std::string message);
    void errorAtKey(const Entry& entry, std::string message);

    /// `node` as a map whose keys are checked against key table `context`: unknown keys (with
    /// a did-you-mean), duplicates and non-scalar keys are reported and left out. An empty
    /// value counts as an empty map. `label` names the node in a type error ("'server'",
    /// "an item of 'mailboxes'").
    std::optional<Fields> map(const YAML::Node& node, std::string_view context,
                              std::string_view label);
    std::optional<Fields> map(const Entry& entry, std::string_view context);
    /// A map with free keys (user names, header names, variables); only duplicates and
    /// non-scalar keys are reported.
    std::optional<Fields> freeMap(const Entry& entry);

    /// The items of a list; an empty value counts as an empty list.
    std::optional<std::vector<YAML::Node>> sequence(const Entry& entry);

    std::optional<std::string> string(const Entry& entry);
    std::optional<std::string> string(const YAML::Node& node, std::string_view label);
    /// A string that must not be empty.
    std::optional<std::string> nonEmptyString(const Entry& entry);
    std::optional<bool> boolean(const Entry& entry);
    std::optional<std::uint64_t>
    number(const Entry& entry, std::uint64_t min = 0,
           std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
    std::optional<std::uint64_t>
    number(const YAML::Node& node, std::string_view label, std::uint64_t min = 0,
           std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
    /// A list of strings (a single string is not accepted).
    std::optional<std::vector<std::string>> stringList(const Entry& entry);
    /// One of `choices`, exactly; `what` names the kind of value ("TLS mode").
    std::optional<std::size_t>
    choice(const Entry& entry, const std::vector<std::string_view>& choices, std::string_view what);
    std::optional<std::size_t> choice(const YAML::Node& node, std::string_view label,
                                      const std::vector<std::string_view>& choices,
                                      std::string_view what);

    /// `path` resolved against the scenario file's directory.
    std::string resolvePath(const std::string& path) const;

    /// How a node reads in an error: "'abc'", "a map", "a list", "nothing".
    static std::string describe(const YAML::Node& node);
    /// "'key'".
    static std::string quote(std::string_view text);

private:
    std::string _file;
    std::string _directory;
    std::vector<Diagnostic>& _diagnostics;
};

} // namespace pop3::mock::detail
