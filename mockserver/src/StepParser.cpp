#include "StepParser.h"

#include "pop3/mock/Variables.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>

#include <algorithm>

#include "Suggestion.h"

namespace pop3::mock::detail {

namespace {

constexpr std::uint64_t kMaxWaitMs = 3'600'000;

const std::vector<std::string_view> kShorthandSteps{"connect", "stls", "close"};

template <typename Map> std::vector<std::string_view> keysOf(const Map& map) {
    std::vector<std::string_view> keys;
    for (const auto& [key, value] : map)
        keys.push_back(key);
    return keys;
}

bool validVariableName(std::string_view name) {
    if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
        return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    return true;
}

} // namespace

std::vector<Step> StepParser::parse(const Entry& steps) {
    std::vector<Step> result;
    auto items = _reader.sequence(steps);
    if (!items)
        return result;
    for (const YAML::Node& item : *items)
        if (auto step = parseStep(item))
            result.push_back(std::move(*step));
    return result;
}

StepParser::Connection* StepParser::useConnection(const std::string& name, SourceLocation at) {
    auto it = _open.find(name);
    if (it != _open.end())
        return &it->second;
    if (_open.empty())
        _reader.error(at, "no connection is open here; add a 'connect' step first");
    else
        _reader.error(at, "connection " + YamlReader::quote(name) + " is not open here" +
                              Suggestion::hint(name, keysOf(_open)));
    return nullptr;
}

std::optional<std::string> StepParser::connectionOf(const Fields& fields, const Entry& step) {
    std::string name = kDefaultConnection;
    SourceLocation at = _reader.locateKey(step);
    if (const Entry* connection = fields.find("connection")) {
        auto value = _reader.nonEmptyString(*connection);
        if (!value)
            return std::nullopt;
        name = *value;
        at = _reader.locate(*connection);
    }
    if (!useConnection(name, at))
        return std::nullopt;
    return name;
}

bool StepParser::checkVariables(const std::string& text, SourceLocation at) {
    std::vector<std::string> names;
    try {
        names = Variables::references(text);
    } catch (const Variables::SyntaxError& e) {
        _reader.error(at, e.what());
        return false;
    }
    bool ok = true;
    for (const std::string& name : names) {
        if (_captured.count(name))
            continue;
        _reader.error(at, "variable " + YamlReader::quote(name) +
                              " is not captured by an earlier step" +
                              Suggestion::hint(name, keysOf(_captured)));
        ok = false;
    }
    return ok;
}

bool StepParser::checkPattern(const std::string& pattern, SourceLocation at,
                              std::string_view what) {
    Variables::Values stand;
    try {
        for (const std::string& name : Variables::references(pattern))
            stand[name] = "x";
        Poco::RegularExpression compiled(Variables::expand(pattern, stand, true));
    } catch (const Variables::SyntaxError&) {
        return false; // reported by checkVariables
    } catch (const Poco::Exception& e) {
        _reader.error(at,
                      "invalid regular expression for " + std::string(what) + ": " + e.message());
        return false;
    }
    return true;
}

std::optional<Step> StepParser::parseStep(const YAML::Node& node) {
    Step step;
    step.location = _reader.locate(node);
    Entry entry;
    if (node.IsScalar()) {
        const std::string word = node.Scalar();
        auto found = std::find(kShorthandSteps.begin(), kShorthandSteps.end(), word);
        if (found == kShorthandSteps.end()) {
            const auto& steps = ScenarioLoader::keyTable("step").keys;
            std::string hint = Suggestion::hint(word, steps);
            if (hint.empty())
                hint = "; a step is 'connect', 'stls', 'close' or a map such as 'send: NOOP'";
            _reader.error(node, "unknown step " + YamlReader::quote(word) + hint);
            return std::nullopt;
        }
        entry.key = word;
        entry.keyNode = node;
        entry.value = YAML::Node(YAML::NodeType::Null);
    } else {
        auto fields = _reader.map(node, "step", "an item of 'steps'");
        if (!fields)
            return std::nullopt;
        if (fields->entries.empty()) {
            if (node.IsMap() && node.size() == 0)
                _reader.error(node, "empty step; a step is one of: connect, send, expect, "
                                    "stls, sleep, close");
            return std::nullopt;
        }
        if (fields->entries.size() > 1) {
            const Entry& second = fields->entries[1];
            _reader.errorAtKey(second, "a step does one thing: put " +
                                           YamlReader::quote(second.key) + " in a step of its own");
            return std::nullopt;
        }
        entry = fields->entries.front();
    }

    if (entry.key == "connect") {
        auto connect = parseConnect(entry);
        if (!connect)
            return std::nullopt;
        step.action = *connect;
    } else if (entry.key == "send") {
        auto send = parseSend(entry);
        if (!send)
            return std::nullopt;
        step.action = *send;
    } else if (entry.key == "expect") {
        auto expect = parseExpect(entry);
        if (!expect)
            return std::nullopt;
        step.action = *expect;
    } else if (entry.key == "sleep") {
        auto ms = _reader.number(entry, 0, kMaxWaitMs);
        if (!ms)
            return std::nullopt;
        step.action = SleepStep{std::chrono::milliseconds(*ms)};
    } else {
        // stls or close: only a connection to name.
        auto fields = _reader.map(entry, entry.key);
        if (!fields)
            return std::nullopt;
        auto name = connectionOf(*fields, entry);
        if (!name)
            return std::nullopt;
        if (entry.key == "stls") {
            Connection& connection = _open[*name];
            if (connection.tls) {
                _reader.errorAtKey(entry, "connection " + YamlReader::quote(*name) +
                                              " already uses TLS (since line " +
                                              std::to_string(connection.line) + ")");
                return std::nullopt;
            }
            connection.tls = true;
            connection.line = _reader.locateKey(entry).line;
            step.action = StlsStep{*name};
        } else {
            _open.erase(*name);
            step.action = CloseStep{*name};
        }
    }
    return step;
}

std::optional<ConnectStep> StepParser::parseConnect(const Entry& entry) {
    auto fields = _reader.map(entry, "connect");
    if (!fields)
        return std::nullopt;
    ConnectStep connect;
    if (const Entry* name = fields->find("name")) {
        auto value = _reader.nonEmptyString(*name);
        if (!value)
            return std::nullopt;
        connect.connection = *value;
    }
    if (const Entry* tls = fields->find("tls")) {
        if (tls->value.IsScalar() && tls->value.Scalar() == "stls") {
            _reader.error(*tls, "connections start plain ('none') or with TLS ('implicit'); "
                                "upgrade with an 'stls' step after connecting");
            return std::nullopt;
        }
        auto index = _reader.choice(*tls, {"none", "implicit"}, "connection TLS mode");
        if (!index)
            return std::nullopt;
        connect.implicitTls = *index == 1;
    }
    const int line = _reader.locateKey(entry).line;
    auto [it, inserted] = _open.emplace(connect.connection, Connection{line, connect.implicitTls});
    if (!inserted) {
        _reader.errorAtKey(entry, "connection " + YamlReader::quote(connect.connection) +
                                      " is already open (since line " +
                                      std::to_string(it->second.line) +
                                      "); give this one a 'name'");
        return std::nullopt;
    }
    return connect;
}

std::optional<SendStep> StepParser::parseSend(const Entry& entry) {
    SendStep send;
    SourceLocation at = _reader.locate(entry);
    if (entry.value.IsScalar()) {
        send.text = entry.value.Scalar();
        if (!useConnection(send.connection, _reader.locateKey(entry)))
            return std::nullopt;
    } else {
        auto fields = _reader.map(entry, "send");
        if (!fields)
            return std::nullopt;
        const Entry* command = fields->find("command");
        const Entry* raw = fields->find("raw");
        if (command && raw) {
            _reader.errorAtKey(*raw, "'send' takes 'command' or 'raw', not both");
            return std::nullopt;
        }
        if (!command && !raw) {
            if (!fields->misspelt({"command", "raw"}))
                _reader.error(entry, "'send' needs 'command' or 'raw'");
            return std::nullopt;
        }
        const Entry& text = command ? *command : *raw;
        auto value = _reader.string(text);
        if (!value)
            return std::nullopt;
        send.text = *value;
        send.raw = raw != nullptr;
        at = _reader.locate(text);
        auto name = connectionOf(*fields, entry);
        if (!name)
            return std::nullopt;
        send.connection = *name;
    }
    if (!send.raw && send.text.find_first_of("\r\n") != std::string::npos) {
        _reader.error(at, "a command is one line; use 'raw' to send line ends yourself");
        return std::nullopt;
    }
    if (send.raw && send.text.empty()) {
        _reader.error(at, "'raw' is empty");
        return std::nullopt;
    }
    if (!checkVariables(send.text, at))
        return std::nullopt;
    return send;
}

std::optional<ExpectStep> StepParser::parseExpect(const Entry& entry) {
    ExpectStep expect;
    const std::vector<std::string_view> statuses{"ok", "err"};
    if (entry.value.IsScalar()) {
        auto index = _reader.choice(entry, statuses, "status");
        if (!index)
            return std::nullopt;
        expect.status = *index == 0 ? pop3::Status::Ok : pop3::Status::Err;
        if (!useConnection(expect.connection, _reader.locateKey(entry)))
            return std::nullopt;
        return expect;
    }
    auto fields = _reader.map(entry, "expect");
    if (!fields)
        return std::nullopt;
    bool ok = true;
    if (const Entry* status = fields->find("status")) {
        auto index = _reader.choice(*status, statuses, "status");
        ok = ok && index;
        if (index)
            expect.status = *index == 0 ? pop3::Status::Ok : pop3::Status::Err;
    }
    if (const Entry* code = fields->find("code")) {
        auto value = _reader.nonEmptyString(*code);
        if (value && (value->front() == '[' || value->back() == ']')) {
            _reader.error(
                *code, "write the response code without brackets: " +
                           YamlReader::quote(value->substr(value->front() == '[' ? 1 : 0,
                                                           value->size() - (value->front() == '[') -
                                                               (value->back() == ']'))));
            value.reset();
        }
        ok = ok && value && checkVariables(*value, _reader.locate(*code));
        expect.code = value;
    }
    if (const Entry* line = fields->find("line")) {
        auto value = _reader.string(*line);
        ok = ok && value && checkVariables(*value, _reader.locate(*line));
        expect.line = value;
    }
    if (const Entry* regex = fields->find("regex")) {
        auto value = _reader.string(*regex);
        ok = ok && value && checkVariables(*value, _reader.locate(*regex)) &&
             checkPattern(*value, _reader.locate(*regex), "'regex'");
        expect.regex = value;
    }
    if (const Entry* lines = fields->find("lines")) {
        auto values = _reader.stringList(*lines);
        ok = ok && values;
        if (values)
            for (const std::string& value : *values)
                ok = checkVariables(value, _reader.locate(*lines)) && ok;
        expect.lines = values;
    }
    if (const Entry* multiline = fields->find("multiline")) {
        expect.multiline = _reader.boolean(*multiline);
        ok = ok && expect.multiline;
        if (expect.multiline == false && expect.lines) {
            _reader.error(*multiline, "'lines' checks a multi-line body, but 'multiline' is false");
            ok = false;
        }
    }
    std::vector<std::pair<std::string, int>> newVariables;
    if (const Entry* capture = fields->find("capture")) {
        if (auto captures = _reader.freeMap(*capture)) {
            for (const Entry& variable : captures->entries) {
                if (!validVariableName(variable.key)) {
                    _reader.errorAtKey(variable, YamlReader::quote(variable.key) +
                                                     " is not a variable name (a letter or '_', "
                                                     "then letters, digits, '_')");
                    ok = false;
                    continue;
                }
                auto pattern = _reader.string(variable);
                if (!pattern || !checkVariables(*pattern, _reader.locate(variable)) ||
                    !checkPattern(*pattern, _reader.locate(variable),
                                  "capture " + YamlReader::quote(variable.key))) {
                    ok = false;
                    continue;
                }
                expect.captures.emplace_back(variable.key, *pattern);
                newVariables.emplace_back(variable.key, _reader.locateKey(variable).line);
            }
        } else {
            ok = false;
        }
    }
    if (const Entry* closed = fields->find("closed")) {
        auto value = _reader.boolean(*closed);
        ok = ok && value;
        expect.closed = value.value_or(false);
        if (expect.closed) {
            for (const Entry& other : fields->entries) {
                if (other.key == "closed" || other.key == "connection" || other.key == "timeoutMs")
                    continue;
                _reader.errorAtKey(other, "'closed: true' expects no response, so " +
                                              YamlReader::quote(other.key) +
                                              " has nothing to check");
                ok = false;
            }
        }
    }
    if (const Entry* timeout = fields->find("timeoutMs")) {
        auto ms = _reader.number(*timeout, 1, kMaxWaitMs);
        ok = ok && ms;
        if (ms)
            expect.timeout = std::chrono::milliseconds(*ms);
    }
    const bool checksSomething = expect.status || expect.code || expect.line || expect.regex ||
                                 expect.lines || !expect.captures.empty() || expect.closed ||
                                 fields->has("capture") || fields->has("closed");
    if (ok && !checksSomething &&
        !fields->misspelt({"status", "code", "line", "regex", "lines", "capture", "closed"})) {
        _reader.error(entry, "'expect' needs at least one of: status, code, line, regex, lines, "
                             "capture, closed");
        ok = false;
    }
    auto name = connectionOf(*fields, entry);
    if (!name)
        return std::nullopt;
    expect.connection = *name;
    if (expect.closed && ok)
        _open.erase(*name);
    for (const auto& [variable, line] : newVariables)
        _captured.emplace(variable, line);
    if (!ok)
        return std::nullopt;
    return expect;
}

} // namespace pop3::mock::detail
