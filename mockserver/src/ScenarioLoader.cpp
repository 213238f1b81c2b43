#include "pop3/mock/ScenarioLoader.h"

#include "pop3/mock/ScenarioError.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <yaml-cpp/eventhandler.h>

#include "ExpectationsParser.h"
#include "MailboxParser.h"
#include "RuleParser.h"
#include "ServerSpecParser.h"
#include "StepParser.h"
#include "YamlReader.h"

namespace pop3::mock {

using detail::Entry;
using detail::YamlReader;

const std::vector<KeyTable>& ScenarioLoader::keyTables() {
    static const std::vector<KeyTable> tables{
        {"scenario",
         "the scenario",
         {"version", "name", "description", "mailboxes", "server", "rules", "steps",
          "expectations"}},
        {"mailbox", "mailbox", {"user", "password", "secret", "messages", "maildir"}},
        {"message", "message", {"headers", "body", "raw", "file", "generate", "uid"}},
        {"generate", "'generate'", {"count", "size", "seed"}},
        {"server",
         "'server'",
         {"greeting", "apopTimestamp", "hostname", "address", "port", "capabilities", "auth", "tls",
          "limits", "mailboxLock", "utf8", "languages", "expire"}},
        {"capabilities", "'capabilities'", {"plain", "tls"}},
        {"capabilityStates", "capabilities of a transport", {"beforeLogin", "afterLogin"}},
        {"auth",
         "'auth'",
         {"mechanisms", "userPass", "apop", "acceptAnyPassword", "refusePlaintextLoginWithoutTls"}},
        {"tls", "'tls'", {"mode", "certificate", "minProtocol", "maxProtocol"}},
        {"certificate", "'certificate'", {"cert", "key", "generate"}},
        {"limits",
         "'limits'",
         {"maxConnections", "poolSize", "idleTimeoutMs", "loginDelaySeconds", "maxCommandLine",
          "maxBadCommands"}},
        {"rule",
         "rule",
         {"command", "arguments", "user", "occurrence", "reply", "append", "delay", "drop", "stall",
          "fault"}},
        {"bytes", "raw bytes", {"bytes"}},
        {"drop", "'drop'", {"afterBytes"}},
        {"step", "step", {"connect", "send", "expect", "stls", "sleep", "close"}},
        {"connect", "'connect'", {"name", "tls"}},
        {"send", "'send'", {"command", "raw", "connection"}},
        {"expect",
         "'expect'",
         {"connection", "status", "code", "line", "regex", "lines", "multiline", "capture",
          "closed", "timeoutMs"}},
        {"stls", "'stls'", {"connection"}},
        {"close", "'close'", {"connection"}},
        {"expectations",
         "'expectations'",
         {"commandsInOrder", "noPlaintextPassword", "quitSent", "deleted", "loggedIn"}},
    };
    return tables;
}

const KeyTable& ScenarioLoader::keyTable(std::string_view context) {
    for (const KeyTable& table : keyTables())
        if (table.context == context)
            return table;
    throw std::out_of_range("no key table '" + std::string(context) + "'");
}

namespace {

/// Records where the root node of each document starts, from parser events.
class DocumentRoots : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> roots;

    void OnDocumentStart(const YAML::Mark&) override { _awaitingRoot = true; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

private:
    void node(const YAML::Mark& mark) {
        if (_awaitingRoot)
            roots.push_back(mark);
        _awaitingRoot = false;
    }

    bool _awaitingRoot = false;
};

/// Where the root of a second document starts, if `text` has one. YAML::LoadAll() is not used:
/// on some malformed input yaml-cpp reports empty documents without end, so LoadAll() never
/// returns and its memory grows until the process dies. At most two documents are read here.
std::optional<YAML::Mark> secondDocument(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentRoots roots;
    for (int documents = 0; documents < 2 && parser.HandleNextDocument(roots); ++documents) {
    }
    if (roots.roots.size() < 2)
        return std::nullopt;
    return roots.roots[1];
}

/// Parses and checks `text`; fills `scenario` as far as it goes, and `diagnostics` with every
/// problem in file order.
void load(const std::string& text, const std::string& file, Scenario& scenario,
          std::vector<Diagnostic>& diagnostics) {
    scenario.sourceFile = file;
    scenario.name = Poco::Path(file).getBaseName();
    YamlReader reader(file, diagnostics);

    YAML::Node root;
    std::optional<YAML::Mark> second;
    try {
        second = secondDocument(text);
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        reader.error(SourceLocation{e.mark.line + 1, e.mark.column + 1},
                     "YAML syntax error: " + e.msg);
        return;
    }
    if (root.IsNull()) {
        reader.error(SourceLocation{1, 1}, "the scenario is empty; expected a map with keys such "
                                           "as 'mailboxes', 'server' and 'steps'");
        return;
    }
    const std::size_t limit = detail::aliasExpansionLimit(text.size());
    if (const auto node = detail::aliasExpansionBeyond(root, limit)) {
        const SourceLocation at = reader.locate(*node);
        reader.error(at.line > 0 ? at : SourceLocation{1, 1},
                     "YAML aliases repeat this so often that the scenario grows beyond " +
                         std::to_string(limit) + " nodes and octets of text; use fewer aliases");
        return;
    }
    if (second) {
        reader.error(second->is_null() ? SourceLocation{}
                                       : SourceLocation{second->line + 1, second->column + 1},
                     "a scenario file holds one YAML document; remove this '---' document or "
                     "move it to a file of its own");
    }
    auto fields = reader.map(root, "scenario", "the scenario");
    if (!fields)
        return;

    if (const Entry* version = fields->find("version"))
        reader.number(*version, 1, 1);
    if (const Entry* name = fields->find("name")) {
        if (auto value = reader.nonEmptyString(*name))
            scenario.name = *value;
    }
    if (const Entry* description = fields->find("description")) {
        if (auto value = reader.string(*description))
            scenario.description = *value;
    }
    // Server and mailboxes come first whatever the file order: the others refer to them.
    if (const Entry* server = fields->find("server"))
        scenario.server = detail::ServerSpecParser(reader).parse(*server);
    detail::MailboxParser mailboxParser(reader, scenario.server.auth.acceptAnyPassword);
    if (const Entry* mailboxes = fields->find("mailboxes"))
        scenario.mailboxes = mailboxParser.parse(*mailboxes);
    if (const Entry* rules = fields->find("rules"))
        scenario.rules = detail::RuleParser(reader, scenario).parse(*rules);
    if (const Entry* steps = fields->find("steps"))
        scenario.steps = detail::StepParser(reader).parse(*steps);
    if (const Entry* expectations = fields->find("expectations"))
        scenario.expectations =
            detail::ExpectationsParser(reader, scenario, mailboxParser.incomplete())
                .parse(*expectations);
}

void sortByPosition(std::vector<Diagnostic>& diagnostics) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
}

std::vector<Diagnostic> check(const std::string& text, const std::string& file,
                              Scenario& scenario) {
    std::vector<Diagnostic> diagnostics;
    try {
        load(text, file, scenario, diagnostics);
    } catch (const std::exception& e) {
        // A yaml-cpp or Poco surprise is still reported, never a crash.
        diagnostics.push_back({file, 0, 0, std::string("internal error: ") + e.what()});
    }
    sortByPosition(diagnostics);
    return diagnostics;
}

std::optional<std::string> readFile(const std::string& path, std::vector<Diagnostic>& out) {
    try {
        Poco::File file(path);
        if (!file.exists()) {
            out.push_back({path, 0, 0, "scenario file not found"});
            return std::nullopt;
        }
        if (file.isDirectory()) {
            out.push_back({path, 0, 0, "is a folder, not a scenario file"});
            return std::nullopt;
        }
    } catch (const Poco::Exception& e) {
        out.push_back({path, 0, 0, "cannot read scenario file: " + e.displayText()});
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        out.push_back(
            {path, 0, 0, std::string("cannot read scenario file: ") + std::strerror(errno)});
        return std::nullopt;
    }
    std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) {
        out.push_back({path, 0, 0, "cannot read scenario file"});
        return std::nullopt;
    }
    return content;
}

} // namespace

Scenario ScenarioLoader::loadString(const std::string& text, const std::string& virtualPath) {
    Scenario scenario;
    auto diagnostics = check(text, virtualPath, scenario);
    if (!diagnostics.empty())
        throw ScenarioError(std::move(diagnostics));
    return scenario;
}

Scenario ScenarioLoader::loadFile(const std::string& path) {
    std::vector<Diagnostic> diagnostics;
    auto text = readFile(path, diagnostics);
    if (!text)
        throw ScenarioError(std::move(diagnostics));
    return loadString(*text, path);
}

std::vector<Diagnostic> ScenarioLoader::validateString(const std::string& text,
                                                       const std::string& virtualPath) {
    Scenario scenario;
    return check(text, virtualPath, scenario);
}

std::vector<Diagnostic> ScenarioLoader::validateFile(const std::string& path) {
    std::vector<Diagnostic> diagnostics;
    auto text = readFile(path, diagnostics);
    if (!text)
        return diagnostics;
    return validateString(*text, path);
}

} // namespace pop3::mock
