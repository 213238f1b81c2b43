#pragma once

#include "pop3/mock/Step.h"

#include <map>
#include <string>
#include <vector>

#include "YamlReader.h"

namespace pop3::mock::detail {

/// Reads `steps:`, following the script in order to check that every step uses a connection
/// opened (and not closed) before it, and every `${var}` captured before it.
class StepParser {
public:
    explicit StepParser(YamlReader& reader) : _reader(reader) {}

    std::vector<Step> parse(const Entry& steps);

private:
    struct Connection {
        int line = 0;
        bool tls = false;
    };

    std::optional<Step> parseStep(const YAML::Node& node);
    std::optional<ConnectStep> parseConnect(const Entry& entry);
    std::optional<SendStep> parseSend(const Entry& entry);
    std::optional<ExpectStep> parseExpect(const Entry& entry);
    std::optional<std::string> connectionOf(const Fields& fields, const Entry& step);
    Connection* useConnection(const std::string& name, SourceLocation at);
    /// Reports malformed or unknown `${var}` references in `text`.
    bool checkVariables(const std::string& text, SourceLocation at);
    /// Reports a pattern that does not compile (variables stand in as literals).
    bool checkPattern(const std::string& pattern, SourceLocation at, std::string_view what);

    YamlReader& _reader;
    std::map<std::string, Connection> _open;
    std::map<std::string, int> _captured;
};

} // namespace pop3::mock::detail
