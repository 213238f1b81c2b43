#include "YamlReader.h"

#include <Poco/Path.h>

#include <algorithm>

#include "Suggestion.h"

namespace pop3::mock::detail {

const Entry* Fields::find(std::string_view key) const {
    for (const Entry& entry : entries)
        if (entry.key == key)
            return &entry;
    return nullptr;
}

bool Fields::misspelt(std::initializer_list<std::string_view> keys) const {
    for (std::string_view key : keys)
        if (std::find(suggested.begin(), suggested.end(), key) != suggested.end())
            return true;
    return false;
}

std::optional<YAML::Node> aliasExpansionBeyond(const YAML::Node& root, std::size_t limit) {
    // Depth first with an explicit stack: the expanded form may be far deeper than the text.
    std::vector<YAML::Node> pending{root};
    std::size_t units = 0;
    while (!pending.empty()) {
        const YAML::Node node = pending.back();
        pending.pop_back();
        units += 1 + (node.IsScalar() ? node.Scalar().size() : 0);
        if (units > limit)
            return node;
        if (node.IsMap()) {
            for (auto it = node.begin(); it != node.end(); ++it) {
                pending.push_back(it->second);
                pending.push_back(it->first);
            }
        } else if (node.IsSequence()) {
            for (auto it = node.begin(); it != node.end(); ++it)
                pending.push_back(*it);
        }
    }
    return std::nullopt;
}

std::size_t aliasExpansionLimit(std::size_t octets) {
    return 8 * octets + 4096;
}

YamlReader::YamlReader(std::string file, std::vector<Diagnostic>& diagnostics)
    : _file(std::move(file)), _diagnostics(diagnostics) {
    Poco::Path path(_file);
    path.makeFile();
    _directory = path.parent().toString();
}

SourceLocation YamlReader::locate(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
        return {};
    return {mark.line + 1, mark.column + 1};
}

SourceLocation YamlReader::locate(const Entry& entry) const {
    if (!entry.value.IsDefined() || entry.value.IsNull())
        return locateKey(entry);
    return locate(entry.value);
}

SourceLocation YamlReader::locateKey(const Entry& entry) const {
    return locate(entry.keyNode);
}

void YamlReader::error(SourceLocation location, std::string message) {
    _diagnostics.push_back({_file, location.line, location.column, std::move(message)});
}

void YamlReader::error(const YAML::Node& node, std::string message) {
    error(locate(node), std::move(message));
}

void YamlReader::error(const Entry& entry, std::string message) {
    error(locate(entry), std::move(message));
}

void YamlReader::errorAtKey(const Entry& entry, std::string message) {
    error(locateKey(entry), std::move(message));
}

std::string YamlReader::quote(std::string_view text) {
    return "'" + std::string(text) + "'";
}

std::string YamlReader::describe(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return "a map";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Scalar: {
        std::string text = node.Scalar();
        if (text.size() > 40)
            text = text.substr(0, 37) + "...";
        for (char& c : text)
            if (c == '\n' || c == '\r' || c == '\t')
                c = ' ';
        return quote(text);
    }
    default:
        return "nothing";
    }
}

namespace {

std::string joinKeys(const std::vector<std::string_view>& keys) {
    std::string out;
    for (std::string_view key : keys) {
        if (!out.empty())
            out += ", ";
        out += key;
    }
    return out;
}

} // namespace

std::optional<Fields> YamlReader::map(const YAML::Node& node, std::string_view context,
                                      std::string_view label) {
    const KeyTable& table = ScenarioLoader::keyTable(context);
    Fields fields;
    fields.node = node;
    if (!node.IsDefined() || node.IsNull())
        return fields;
    if (!node.IsMap()) {
        error(node, "expected a map for " + std::string(label) + ", got " + describe(node));
        return std::nullopt;
    }
    for (const auto& pair : node) {
        const YAML::Node key = pair.first;
        if (!key.IsScalar()) {
            error(key, "expected a key name in " + std::string(table.description) + ", got " +
                           describe(key));
            continue;
        }
        const std::string name = key.Scalar();
        if (std::find(table.keys.begin(), table.keys.end(), name) == table.keys.end()) {
            std::string hint;
            if (auto best = Suggestion::closest(name, table.keys)) {
                hint = " (did you mean '" + *best + "'?)";
                fields.suggested.push_back(*best);
            } else {
                hint = "; expected one of: " + joinKeys(table.keys);
            }
            error(key,
                  "unknown key " + quote(name) + " in " + std::string(table.description) + hint);
            continue;
        }
        if (const Entry* first = fields.find(name)) {
            error(key, "duplicate key " + quote(name) + " (first given at line " +
                           std::to_string(locateKey(*first).line) + ")");
            continue;
        }
        fields.entries.push_back({name, key, pair.second});
    }
    return fields;
}

std::optional<Fields> YamlReader::map(const Entry& entry, std::string_view context) {
    return map(entry.value, context, quote(entry.key));
}

std::optional<Fields> YamlReader::freeMap(const Entry& entry) {
    Fields fields;
    fields.node = entry.value;
    if (!entry.value.IsDefined() || entry.value.IsNull())
        return fields;
    if (!entry.value.IsMap()) {
        error(entry, "expected a map for " + quote(entry.key) + ", got " + describe(entry.value));
        return std::nullopt;
    }
    for (const auto& pair : entry.value) {
        const YAML::Node key = pair.first;
        if (!key.IsScalar()) {
            error(key, "expected a name in " + quote(entry.key) + ", got " + describe(key));
            continue;
        }
        const std::string name = key.Scalar();
        if (const Entry* first = fields.find(name)) {
            error(key, "duplicate key " + quote(name) + " (first given at line " +
                           std::to_string(locateKey(*first).line) + ")");
            continue;
        }
        fields.entries.push_back({name, key, pair.second});
    }
    return fields;
}

std::optional<std::vector<YAML::Node>> YamlReader::sequence(const Entry& entry) {
    std::vector<YAML::Node> items;
    if (!entry.value.IsDefined() || entry.value.IsNull())
        return items;
    if (!entry.value.IsSequence()) {
        error(entry, "expected a list for " + quote(entry.key) + ", got " + describe(entry.value));
        return std::nullopt;
    }
    items.reserve(entry.value.size());
    for (const YAML::Node& item : entry.value)
        items.push_back(item);
    return items;
}

std::optional<std::string> YamlReader::string(const YAML::Node& node, std::string_view label) {
    if (!node.IsScalar()) {
        error(node, "expected a string for " + std::string(label) + ", got " + describe(node));
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<std::string> YamlReader::string(const Entry& entry) {
    if (!entry.value.IsScalar()) {
        error(entry,
              "expected a string for " + quote(entry.key) + ", got " + describe(entry.value));
        return std::nullopt;
    }
    return entry.value.Scalar();
}

std::optional<std::string> YamlReader::nonEmptyString(const Entry& entry) {
    auto value = string(entry);
    if (value && value->empty()) {
        error(entry, quote(entry.key) + " must not be empty");
        return std::nullopt;
    }
    return value;
}

std::optional<bool> YamlReader::boolean(const Entry& entry) {
    bool value = false;
    if (entry.value.IsScalar() && YAML::convert<bool>::decode(entry.value, value))
        return value;
    error(entry,
          "expected true or false for " + quote(entry.key) + ", got " + describe(entry.value));
    return std::nullopt;
}

std::optional<std::uint64_t> YamlReader::number(const YAML::Node& node, std::string_view label,
                                                std::uint64_t min, std::uint64_t max) {
    std::uint64_t value = 0;
    if (node.IsScalar() && YAML::convert<std::uint64_t>::decode(node, value)) {
        if (value < min) {
            error(node, std::string(label) + " must be at least " + std::to_string(min) + ", got " +
                            std::to_string(value));
            return std::nullopt;
        }
        if (value > max) {
            error(node, std::string(label) + " must be at most " + std::to_string(max) + ", got " +
                            std::to_string(value));
            return std::nullopt;
        }
        return value;
    }
    std::int64_t negative = 0;
    if (node.IsScalar() && YAML::convert<std::int64_t>::decode(node, negative) && negative < 0) {
        error(node, std::string(label) + " must be at least " + std::to_string(min) + ", got " +
                        std::to_string(negative));
        return std::nullopt;
    }
    error(node, "expected a number for " + std::string(label) + ", got " + describe(node));
    return std::nullopt;
}

std::optional<std::uint64_t> YamlReader::number(const Entry& entry, std::uint64_t min,
                                                std::uint64_t max) {
    if (!entry.value.IsScalar()) {
        error(entry,
              "expected a number for " + quote(entry.key) + ", got " + describe(entry.value));
        return std::nullopt;
    }
    return number(entry.value, quote(entry.key), min, max);
}

std::optional<std::vector<std::string>> YamlReader::stringList(const Entry& entry) {
    auto items = sequence(entry);
    if (!items)
        return std::nullopt;
    std::vector<std::string> values;
    values.reserve(items->size());
    bool ok = true;
    for (const YAML::Node& item : *items) {
        if (auto value = string(item, "an item of " + quote(entry.key)))
            values.push_back(std::move(*value));
        else
            ok = false;
    }
    if (!ok)
        return std::nullopt;
    return values;
}

std::optional<std::size_t> YamlReader::choice(const YAML::Node& node, std::string_view label,
                                              const std::vector<std::string_view>& choices,
                                              std::string_view what) {
    auto value = string(node, label);
    if (!value)
        return std::nullopt;
    for (std::size_t i = 0; i < choices.size(); ++i)
        if (choices[i] == *value)
            return i;
    std::string hint = Suggestion::hint(*value, choices);
    if (hint.empty()) {
        if (choices.size() <= 8)
            hint = "; expected one of: " + joinKeys(choices);
        else
            hint = "; see docs/scenarios.md for the list";
    }
    error(node, "unknown " + std::string(what) + " " + quote(*value) + hint);
    return std::nullopt;
}

std::optional<std::size_t> YamlReader::choice(const Entry& entry,
                                              const std::vector<std::string_view>& choices,
                                              std::string_view what) {
    if (!entry.value.IsScalar()) {
        error(entry,
              "expected a string for " + quote(entry.key) + ", got " + describe(entry.value));
        return std::nullopt;
    }
    return choice(entry.value, quote(entry.key), choices, what);
}

std::string YamlReader::resolvePath(const std::string& path) const {
    Poco::Path relative(path);
    if (relative.isAbsolute() || _directory.empty())
        return relative.toString();
    Poco::Path resolved(_directory);
    resolved.resolve(relative);
    return resolved.toString();
}

} // namespace pop3::mock::detail
