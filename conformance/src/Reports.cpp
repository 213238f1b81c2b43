#include "pop3/conformance/Reports.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/SAX/AttributesImpl.h>
#include <Poco/String.h>
#include <Poco/XML/XMLWriter.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <map>
#include <utility>

namespace pop3::conformance {

namespace {

/// `text` as valid UTF-8 without control characters (tab and line feed kept): what a server
/// sent may be anything, and neither XML nor JSON nor a terminal takes everything.
std::string clean(std::string_view text) {
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    auto escapeByte = [&](unsigned char c) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
                escapeByte(c);
            else
                out += static_cast<char>(c);
            ++i;
            continue;
        }
        // A well-formed sequence: lead byte, continuation bytes, no overlong form, no
        // surrogate, at most U+10FFFF, and none of U+FFFE/U+FFFF (not XML characters).
        const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        bool valid = length > 0 && c <= 0xF4 && i + length <= text.size();
        char32_t point = length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
        for (std::size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xC0) == 0x80;
            point = (point << 6) | (next & 0x3F);
        }
        const char32_t smallest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
        valid = valid && point >= smallest && point <= 0x10FFFF &&
                !(point >= 0xD800 && point <= 0xDFFF) && point != 0xFFFE && point != 0xFFFF;
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            escapeByte(c);
            ++i;
        }
    }
    return out;
}

std::string seconds(std::chrono::milliseconds duration) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(duration.count()) / 1000);
    return text;
}

std::string upperVerdict(Verdict verdict) {
    return Poco::toUpper(std::string(toString(verdict)));
}

const char* colourOf(Verdict verdict) {
    switch (verdict) {
    case Verdict::pass:
        return "\033[32m";
    case Verdict::fail:
        return "\033[31m";
    case Verdict::warn:
        return "\033[33m";
    case Verdict::skip:
        return "\033[36m";
    case Verdict::error:
        return "\033[1;31m";
    }
    return "";
}

constexpr Verdict kVerdicts[] = {Verdict::pass, Verdict::fail, Verdict::warn, Verdict::skip,
                                 Verdict::error};

/// Characters, not octets: "§" is one column.
std::size_t columns(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(
        text.begin(), text.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

/// `text` padded with spaces to `width` columns.
std::string padded(std::string_view text, std::size_t width) {
    std::string out(text);
    const std::size_t have = columns(text);
    if (have < width)
        out.append(width - have, ' ');
    return out;
}

/// One line per line of `text`, each after `indent`.
std::string indented(std::string_view indent, const std::string& text) {
    std::string out(indent);
    for (const char c : text) {
        out += c;
        if (c == '\n')
            out += indent;
    }
    return out + "\n";
}

/// The line that heads a result's details and the JUnit failure text.
std::string describeCheck(const CheckInfo& info) {
    return "RFC " + info.rfc + " §" + info.section + ", " + std::string(toString(info.level));
}

/// The details of a fail, warn or error: message, expected and actual, notes, transcript.
std::string details(const CheckResult& result, std::string_view indent) {
    std::string out;
    if (!result.message.empty())
        out += indented(indent, clean(result.message));
    if (!result.expected.empty() || !result.actual.empty()) {
        out += indented(indent, "expected: " + clean(result.expected));
        out += indented(indent, "actual:   " + clean(result.actual));
    }
    out += indented(indent, "requirement: " + clean(result.check->info.requirement));
    for (const std::string& note : result.notes)
        out += indented(indent, "note: " + clean(note));
    if (!result.transcript.empty()) {
        out += indented(indent, "transcript:");
        for (const std::string& line : result.transcript)
            out += indented(std::string(indent) + "  ", clean(line));
    }
    return out;
}

/// The RFCs in the order their first check appears, with their checks.
template <typename Item, typename InfoOf>
std::vector<std::pair<std::string, std::vector<const Item*>>>
groupByRfc(const std::vector<Item>& items, InfoOf infoOf) {
    std::vector<std::pair<std::string, std::vector<const Item*>>> groups;
    for (const Item& item : items) {
        const std::string& rfc = infoOf(item).rfc;
        auto group = std::find_if(groups.begin(), groups.end(),
                                  [&](const auto& entry) { return entry.first == rfc; });
        if (group == groups.end()) {
            groups.emplace_back(rfc, std::vector<const Item*>{});
            group = std::prev(groups.end());
        }
        group->second.push_back(&item);
    }
    return groups;
}

Poco::JSON::Array::Ptr jsonArray(const std::vector<std::string>& lines) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const std::string& line : lines)
        array->add(clean(line));
    return array;
}

Poco::XML::AttributesImpl
attributes(std::initializer_list<std::pair<const char*, std::string>> list) {
    Poco::XML::AttributesImpl attrs;
    for (const auto& [name, value] : list)
        attrs.addAttribute("", "", name, "CDATA", clean(value));
    return attrs;
}

const char* const kNeedNames[] = {"destructive", "secondAccount", "plaintextPort", "implicitTls",
                                  "slow"};

std::vector<std::string> needNames(unsigned needs) {
    std::vector<std::string> names;
    for (unsigned bit = 0; bit < std::size(kNeedNames); ++bit) {
        if (needs & (1U << bit))
            names.emplace_back(kNeedNames[bit]);
    }
    return names;
}

std::string rfcTitle(const std::string& rfc) {
    static const std::map<std::string, std::string> titles = {
        {"1939", "Post Office Protocol - Version 3"},
        {"2449", "POP3 Extension Mechanism"},
        {"2595", "Using TLS with IMAP, POP3 and ACAP"},
        {"3206", "The SYS and AUTH POP Response Codes"},
        {"5034", "The Post Office Protocol (POP3) Simple Authentication and Security Layer "
                 "(SASL) Authentication Mechanism"},
        {"6856", "Post Office Protocol Version 3 (POP3) Support for UTF-8"},
        {"8314", "Cleartext Considered Obsolete: Use of Transport Layer Security (TLS) for Email "
                 "Submission and Access"},
    };
    const auto title = titles.find(rfc);
    return title == titles.end() ? std::string() : title->second;
}

/// Text that Markdown shows as it is (in paragraphs, quotes and table cells).
std::string markdownText(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\' || c == '<' || c == '|' || c == '*' || c == '`' || c == '[')
            out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out;
}

/// The anchor GitHub gives a heading: lower case, punctuation but '-' and '_' dropped, spaces
/// as '-'.
std::string anchor(std::string_view heading) {
    std::string out;
    for (const char c : heading) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_')
            out += static_cast<char>(std::tolower(u));
        else if (c == ' ')
            out += '-';
    }
    return out;
}

bool countsAsMust(Level level) {
    return level == Level::must || level == Level::sec;
}

} // namespace

void writeText(std::ostream& out, const CheckReport& report, bool colour) {
    std::size_t idWidth = 0;
    for (const CheckResult& result : report.results)
        idWidth = std::max(idWidth, result.check->info.id.size());
    auto verdictWord = [&](Verdict verdict) {
        const std::string word = padded(upperVerdict(verdict), 5);
        return colour ? colourOf(verdict) + word + "\033[0m" : word;
    };

    out << "pop3-conform check: " << clean(report.target) << "\n\n";
    for (const CheckResult& result : report.results) {
        const CheckInfo& info = result.check->info;
        out << verdictWord(result.verdict) << "  " << padded(info.id, idWidth) << "  "
            << padded(toString(info.level), 6) << "  " << clean(info.summary) << "\n";
    }

    // An overall error is every result's message: say it once.
    for (const CheckResult& result : report.results) {
        if (result.verdict == Verdict::pass || result.verdict == Verdict::skip)
            continue;
        if (!report.overallError.empty() && result.message == report.overallError &&
            result.transcript.empty())
            continue;
        out << "\n"
            << verdictWord(result.verdict) << " " << result.check->info.id << " ("
            << describeCheck(result.check->info) << ")\n"
            << details(result, "  ");
    }
    if (report.count(Verdict::skip) > 0) {
        out << "\nSkipped:\n";
        for (const CheckResult& result : report.results) {
            if (result.verdict == Verdict::skip)
                out << "  " << result.check->info.id << ": " << clean(result.message) << "\n";
        }
    }
    if (!report.overallError.empty())
        out << "\n" << clean(report.overallError) << "\n";

    out << "\n" << report.results.size() << (report.results.size() == 1 ? " check:" : " checks:");
    const char* separator = " ";
    for (const Verdict verdict : kVerdicts) {
        out << separator << report.count(verdict) << " " << toString(verdict);
        separator = ", ";
    }
    out << " (" << seconds(report.duration) << " s)\n";
}

void writeJson(std::ostream& out, const CheckReport& report) {
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    root.set("target", clean(report.target));
    root.set("passed", report.passed());
    root.set("overallError", clean(report.overallError));
    root.set("durationMs", static_cast<Poco::Int64>(report.duration.count()));

    Poco::JSON::Object::Ptr totals = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    totals->set("checks", report.results.size());
    for (const Verdict verdict : kVerdicts)
        totals->set(std::string(toString(verdict)), report.count(verdict));
    root.set("totals", totals);

    Poco::JSON::Object::Ptr server = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    server->set("greeting", clean(report.discovery.greeting));
    if (report.discovery.capabilities)
        server->set("capabilities", jsonArray(*report.discovery.capabilities));
    else
        server->set("capabilities", Poco::Dynamic::Var());
    root.set("server", server);

    Poco::JSON::Array::Ptr checks = new Poco::JSON::Array;
    for (const CheckResult& result : report.results) {
        const CheckInfo& info = result.check->info;
        Poco::JSON::Object::Ptr check = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        check->set("id", info.id);
        check->set("rfc", info.rfc);
        check->set("section", info.section);
        check->set("level", std::string(toString(info.level)));
        check->set("verdict", std::string(toString(result.verdict)));
        check->set("summary", clean(info.summary));
        check->set("message", clean(result.message));
        check->set("expected", clean(result.expected));
        check->set("actual", clean(result.actual));
        check->set("notes", jsonArray(result.notes));
        check->set("transcript", jsonArray(result.transcript));
        check->set("durationMs", static_cast<Poco::Int64>(result.duration.count()));
        checks->add(check);
    }
    root.set("checks", checks);
    root.stringify(out, 2);
    out << '\n';
}

void writeJunit(std::ostream& out, const CheckReport& report) {
    struct Totals {
        std::size_t failures = 0;
        std::size_t errors = 0;
        std::size_t skipped = 0;
        std::chrono::milliseconds time{0};
        void add(const CheckResult& result) {
            failures += result.verdict == Verdict::fail;
            errors += result.verdict == Verdict::error;
            skipped += result.verdict == Verdict::skip;
            time += result.duration;
        }
    };
    Totals all;
    for (const CheckResult& result : report.results)
        all.add(result);

    Poco::XML::XMLWriter xml(out, Poco::XML::XMLWriter::WRITE_XML_DECLARATION |
                                      Poco::XML::XMLWriter::PRETTY_PRINT);
    xml.startDocument();
    xml.startElement("", "", "testsuites",
                     attributes({{"name", "pop3-conform check " + report.target},
                                 {"tests", std::to_string(report.results.size())},
                                 {"failures", std::to_string(all.failures)},
                                 {"errors", std::to_string(all.errors)},
                                 {"skipped", std::to_string(all.skipped)},
                                 {"time", seconds(report.duration)}}));
    const auto groups = groupByRfc(
        report.results, [](const CheckResult& r) -> const CheckInfo& { return r.check->info; });
    for (const auto& [rfc, results] : groups) {
        Totals suite;
        for (const CheckResult* result : results)
            suite.add(*result);
        const std::string suiteName = "RFC " + rfc;
        xml.startElement("", "", "testsuite",
                         attributes({{"name", suiteName},
                                     {"tests", std::to_string(results.size())},
                                     {"failures", std::to_string(suite.failures)},
                                     {"errors", std::to_string(suite.errors)},
                                     {"skipped", std::to_string(suite.skipped)},
                                     {"time", seconds(suite.time)}}));
        for (const CheckResult* result : results) {
            const CheckInfo& info = result->check->info;
            xml.startElement("", "", "testcase",
                             attributes({{"classname", suiteName},
                                         {"name", info.id},
                                         {"time", seconds(result->duration)}}));
            if (result->verdict == Verdict::fail || result->verdict == Verdict::error) {
                const char* element = result->verdict == Verdict::fail ? "failure" : "error";
                xml.startElement("", "", element,
                                 attributes({{"message", result->message},
                                             {"type", std::string(toString(info.level))}}));
                xml.characters(describeCheck(info) + ": " + clean(info.summary) + "\n" +
                               details(*result, ""));
                xml.endElement("", "", element);
            } else if (result->verdict == Verdict::skip) {
                xml.emptyElement("", "", "skipped", attributes({{"message", result->message}}));
            }
            std::string output;
            if (result->verdict == Verdict::warn)
                output = "warn: " + clean(result->message) + "\n";
            for (const std::string& note : result->notes)
                output += "note: " + clean(note) + "\n";
            if (result->verdict == Verdict::warn) {
                for (const std::string& line : result->transcript)
                    output += clean(line) + "\n";
            }
            if (!output.empty()) {
                xml.startElement("", "", "system-out");
                xml.characters(output);
                xml.endElement("", "", "system-out");
            }
            xml.endElement("", "", "testcase");
        }
        xml.endElement("", "", "testsuite");
    }
    xml.endElement("", "", "testsuites");
    xml.endDocument();
}

void writeCatalogueText(std::ostream& out, const std::vector<Check>& checks) {
    std::size_t idWidth = 0;
    std::size_t whereWidth = 0;
    for (const Check& check : checks) {
        idWidth = std::max(idWidth, check.info.id.size());
        whereWidth =
            std::max(whereWidth, columns("RFC " + check.info.rfc + " §" + check.info.section));
    }
    for (const Check& check : checks) {
        const CheckInfo& info = check.info;
        out << padded(info.id, idWidth) << "  " << padded(toString(info.level), 6) << "  "
            << padded("RFC " + info.rfc + " §" + info.section, whereWidth) << "  " << info.summary;
        const std::vector<std::string> needs = needNames(info.needs);
        if (!needs.empty()) {
            out << " [";
            for (std::size_t i = 0; i < needs.size(); ++i)
                out << (i ? ", " : "") << needs[i];
            out << "]";
        }
        out << "\n";
    }
}

void writeCatalogueJson(std::ostream& out, const std::vector<Check>& checks) {
    const FaultCoverage coverage = faultCoverage(checks);
    Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Object::Ptr faults = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    faults->set("withFault", coverage.withFault);
    faults->set("total", coverage.total);
    root.set("mustFaultCoverage", faults);
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const Check& check : checks) {
        const CheckInfo& info = check.info;
        Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        object->set("id", info.id);
        object->set("rfc", info.rfc);
        object->set("section", info.section);
        object->set("level", std::string(toString(info.level)));
        object->set("summary", info.summary);
        object->set("requirement", info.requirement);
        object->set("needs", jsonArray(needNames(info.needs)));
        object->set("fault", info.fault);
        array->add(object);
    }
    root.set("checks", array);
    root.stringify(out, 2);
    out << '\n';
}

void writeCatalogueMarkdown(std::ostream& out, const std::vector<Check>& checks) {
    const FaultCoverage coverage = faultCoverage(checks);
    out << "# The check catalogue\n"
           "\n"
           "<!-- Generated by `pop3-conform list-checks --markdown`: do not edit by hand. -->\n"
           "\n"
           "Every requirement `pop3-conform check` tests ([check.md](check.md)), RFC by RFC. A "
           "check has a\n"
           "stable id (select checks by id or glob: `pop3-conform check 'rfc1939-5-*'`), the "
           "RFC section\n"
           "it comes from, a level — MUST, SHOULD or MAY as the RFC words the requirement, SEC "
           "for\n"
           "robustness and security practice that no RFC mandates but the checker treats as "
           "MUST — a\n"
           "summary and the RFC's own sentence. *Needs* says what a check takes beyond a "
           "reachable server\n"
           "and one account: `destructive` (deletes mail: `--allow-destructive`), "
           "`secondAccount`\n"
           "(`--user2` or `--target2`), `plaintextPort` (a `pop3://` target), `implicitTls` (a "
           "`pop3s://`\n"
           "target or `--tls-port`), `slow` (minutes of waiting: `--slow`).\n"
           "\n"
           "The *fault* of a check is a scenario fragment ([scenarios.md](scenarios.md)) merged "
           "over the\n"
           "embedded mock ([embedded-mock.yaml](../conformance/embedded-mock.yaml)) so that it "
           "breaks\n"
           "exactly that requirement: `pop3-conform check --self-test` proves that each check "
           "passes\n"
           "against the correct mock and fails against the faulty one.\n"
           "\n"
           "Regenerate this file after changing the catalogue (a test compares it):\n"
           "\n"
           "```sh\n"
           "pop3-conform list-checks --markdown > docs/checks.md\n"
           "```\n"
           "\n"
        << checks.size() << " checks. MUST checks with a fault: " << coverage.withFault << " / "
        << coverage.total << " (SEC counts as MUST).\n";

    const auto groups =
        groupByRfc(checks, [](const Check& c) -> const CheckInfo& { return c.info; });
    out << "\n| RFC | title | checks |\n| --- | --- | --- |\n";
    for (const auto& [rfc, members] : groups) {
        out << "| [RFC " << rfc << "](#" << anchor("RFC " + rfc) << ") | "
            << markdownText(rfcTitle(rfc)) << " | " << members.size() << " |\n";
    }
    for (const auto& [rfc, members] : groups) {
        const std::string title = rfcTitle(rfc);
        out << "\n## RFC " << rfc << "\n\n";
        if (!title.empty())
            out << "[" << markdownText(title) << "](https://www.rfc-editor.org/rfc/rfc" << rfc
                << ")\n\n";
        out << "| id | § | level | summary |\n| --- | --- | --- | --- |\n";
        for (const Check* check : members) {
            const CheckInfo& info = check->info;
            out << "| [" << info.id << "](#" << anchor(info.id) << ") | "
                << markdownText(info.section) << " | " << toString(info.level) << " | "
                << markdownText(info.summary) << " |\n";
        }
        for (const Check* check : members) {
            const CheckInfo& info = check->info;
            out << "\n### " << info.id << "\n\n"
                << "§" << markdownText(info.section) << " · " << toString(info.level);
            const std::vector<std::string> needs = needNames(info.needs);
            if (!needs.empty()) {
                out << " · needs";
                for (std::size_t i = 0; i < needs.size(); ++i)
                    out << (i ? ", `" : " `") << needs[i] << "`";
            }
            out << "\n\n"
                << markdownText(info.summary) << "\n\n"
                << "> " << markdownText(info.requirement) << "\n";
            if (info.fault.empty()) {
                out << "\nFault: none.\n";
            } else {
                out << "\nFault:\n\n```yaml\n" << info.fault;
                if (info.fault.back() != '\n')
                    out << "\n";
                out << "```\n";
            }
        }
    }
}

FaultCoverage faultCoverage(const std::vector<Check>& checks) {
    FaultCoverage coverage;
    for (const Check& check : checks) {
        if (!countsAsMust(check.info.level))
            continue;
        ++coverage.total;
        coverage.withFault += !check.info.fault.empty();
    }
    return coverage;
}

} // namespace pop3::conformance
