#include "pop3/mock/StepRunner.h"

#include "pop3/Command.h"
#include "pop3/Errors.h"
#include "pop3/WireConnection.h"
#include "pop3/mock/Variables.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>
#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <memory>
#include <thread>
#include <utility>

namespace pop3::mock {

namespace {

/// Body lines of one response shown in the transcript; the rest is summarised.
constexpr std::size_t kTranscriptBodyLines = 100;
/// Octets of one transcript line shown; the rest is summarised.
constexpr std::size_t kTranscriptLineOctets = 1024;
/// Octets of a response shown in a failure's `received`.
constexpr std::size_t kReportedOctets = 4096;

/// Length of the well-formed UTF-8 sequence at the start of `text`, or 0.
std::size_t utf8Sequence(std::string_view text) {
    const auto lead = static_cast<unsigned char>(text[0]);
    std::size_t length = 0;
    unsigned char min = 0x80;
    unsigned char max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        min = lead == 0xE0 ? 0xA0 : 0x80;
        max = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        min = lead == 0xF0 ? 0x90 : 0x80;
        max = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (text.size() < length)
        return 0;
    for (std::size_t i = 1; i < length; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < (i == 1 ? min : 0x80) || c > (i == 1 ? max : 0xBF))
            return 0;
    }
    return length;
}

/// Text safe for any report: \r, \n and other control characters, and bytes that are not
/// UTF-8, become escapes (\xNN); a tab and well-formed UTF-8 stay.
std::string escape(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u >= 0x80) {
            if (const std::size_t n = utf8Sequence(text.substr(i))) {
                out.append(text.substr(i, n));
                i += n;
                continue;
            }
        }
        if (u == '\r')
            out += "\\r";
        else if (u == '\n')
            out += "\\n";
        else if ((u < 0x20 && u != '\t') || u >= 0x7F)
            out += std::string("\\x") + hex[u >> 4] + hex[u & 0xF];
        else
            out += static_cast<char>(u);
        ++i;
    }
    return out;
}

/// Each LF-separated line escaped on its own; the LFs stay.
std::string escapeLines(std::string_view text) {
    std::string out;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t lf = text.find('\n', pos);
        out += escape(text.substr(pos, lf == std::string_view::npos ? lf : lf - pos));
        if (lf == std::string_view::npos)
            return out;
        out += '\n';
        pos = lf + 1;
    }
}

std::string quote(std::string_view text) {
    return "'" + escape(text) + "'";
}

/// Raw bytes as lines: split after each LF, CRLF removed, anything else escaped.
std::vector<std::string> wireLines(std::string_view bytes, bool markMissingLineEnd) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t lf = bytes.find('\n', pos);
        if (lf == std::string_view::npos) {
            lines.push_back(escape(bytes.substr(pos)) + (markMissingLineEnd ? " [no CRLF]" : ""));
            break;
        }
        std::string_view line = bytes.substr(pos, lf + 1 - pos);
        if (line.size() >= 2 && line[line.size() - 2] == '\r')
            line.remove_suffix(2);
        lines.push_back(escape(line));
        pos = lf + 1;
    }
    return lines;
}

/// True for "AUTH mechanism ...": the lines after it are SASL data until its final reply.
bool opensSaslExchange(std::string_view line) {
    const std::size_t start = std::min(line.find_first_not_of(' '), line.size());
    const std::size_t space = std::min(line.find(' ', start), line.size());
    return Poco::icompare(std::string(line.substr(start, space - start)), "AUTH") == 0 &&
           line.find_first_not_of(' ', space) != std::string_view::npos;
}

/// One line the script sends.
struct SentLine {
    /// What this send gave of the line as reports show it, without its line end: secrets masked
    /// by maskSecrets(), SASL data as "****".
    std::string shown;
    /// The whole line (with what earlier sends gave of it), masked the same way.
    std::string line;
    /// The line end as sent: CRLF, LF, or nothing for an unfinished line.
    std::string end;
    /// The line is the AUTH command or SASL data, so its reply may end the exchange.
    bool sasl = false;
};

/// `bytes` split after each LF, with secrets masked; `unfinished` is what was sent of the first
/// line before. `saslOpen` says whether an AUTH exchange is under way before the first line; it
/// follows each complete line.
std::vector<SentLine> sentLines(std::string_view bytes, std::string_view unfinished,
                                bool& saslOpen) {
    std::vector<SentLine> lines;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t lf = std::min(bytes.find('\n', pos), bytes.size());
        std::string_view text = bytes.substr(pos, lf - pos);
        SentLine line;
        if (lf < bytes.size()) {
            line.end = "\n";
            if (!text.empty() && text.back() == '\r') {
                text.remove_suffix(1);
                line.end = "\r\n";
            }
        }
        const std::string whole = std::string(pos == 0 ? unfinished : "") + std::string(text);
        if (saslOpen) {
            line.shown = whole == "*" ? std::string(text) : "****";
            line.line = whole == "*" ? whole : "****";
            line.sasl = true;
        } else {
            const std::string masked = maskSecrets(whole);
            line.line = masked;
            // The rest of a line whose secret began in an earlier send is secret all through.
            line.shown = masked == whole ? std::string(text) : whole == text ? masked : "****";
            line.sasl = opensSaslExchange(whole);
            if (!line.end.empty())
                saslOpen = line.sasl;
        }
        lines.push_back(std::move(line));
        pos = lf + 1;
    }
    return lines;
}

std::string truncated(std::string text, std::size_t limit = kReportedOctets) {
    if (text.size() <= limit)
        return text;
    // Cut at a character boundary, so the text stays UTF-8.
    while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80)
        --limit;
    const std::size_t more = text.size() - limit;
    text.resize(limit);
    return text + "... (" + std::to_string(more) + " more octets)";
}

const char* kindName(const Step::Action& action) {
    static const char* names[] = {"connect", "send", "expect", "stls", "sleep", "close"};
    return names[action.index()];
}

/// A step failed: carries the report's fields up to the step loop.
struct Failed {
    std::string message;
    std::string sent;
    std::string expected;
    std::string received;
};

/// A response the script still has to read: the command line it answers (secrets masked).
struct Awaited {
    std::string line;
    bool greeting = false;
    /// The line is part of an AUTH exchange: a final reply to it ends the exchange.
    bool sasl = false;
};

/// One named connection and what the script has sent on it.
struct Channel {
    std::unique_ptr<WireConnection> connection;
    std::deque<Awaited> awaited;
    /// Raw bytes sent after the last LF.
    std::string partialLine;
    /// The last response was an AUTH continuation: the next line is a SASL response.
    bool inSasl = false;
    /// An AUTH exchange is under way: lines sent are SASL data (masked in reports) until the
    /// final reply to one of them.
    bool saslOpen = false;
};

/// The state of one run: connections, variables, transcript.
class Execution {
public:
    Execution(const StepRunner::Options& options, StepReport& report)
        : _options(options), _report(report) {}

    /// Runs one step; throws Failed.
    void run(const Step& step) {
        std::visit([this](const auto& action) { perform(action); }, step.action);
    }

    /// What the failing step's report shows as `sent` for an expect on `connection`.
    std::string pendingCommand(const std::string& connection) const {
        const auto found = _channels.find(connection);
        if (found == _channels.end() || found->second.awaited.empty())
            return "(nothing)";
        const Awaited& next = found->second.awaited.front();
        return next.greeting ? "(greeting)" : escape(next.line);
    }

private:
    std::string endpoint() const { return _options.host + ":" + std::to_string(_options.port); }

    std::string serverName() const {
        return _options.tlsServerName.empty() ? _options.host : _options.tlsServerName;
    }

    std::chrono::milliseconds timeoutOf(const ExpectStep& expect) const {
        return expect.timeout.value_or(_options.timeout);
    }

    void note(const std::string& connection, TranscriptLine::Source source, std::string text) {
        _report.transcript.push_back(
            {connection, source, truncated(std::move(text), kTranscriptLineOctets)});
    }

    Channel& channel(const std::string& name, const std::string& sent = {}) {
        const auto found = _channels.find(name);
        if (found == _channels.end())
            throw Failed{"connection " + quote(name) + " is not open", sent, {}, {}};
        return found->second;
    }

    Poco::Net::Context::Ptr context() {
        if (!_context) {
            try {
                ClientTlsSettings settings;
                settings.serverName =
                    _options.tlsServerName.empty() ? _options.host : _options.tlsServerName;
                settings.verify = _options.verifyCertificate;
                settings.caFile = _options.caFile;
                settings.minProtocol = _options.minProtocol;
                settings.maxProtocol = _options.maxProtocol;
                _context = makeClientContext(settings);
            } catch (const Error& e) {
                throw Failed{e.what(), {}, "a TLS client context", {}};
            }
        }
        return _context;
    }

    std::string expand(const std::string& text, bool quoteForRegex = false) const {
        try {
            return Variables::expand(text, _report.variables, quoteForRegex);
        } catch (const Variables::SyntaxError& e) {
            throw Failed{std::string("bad variable reference: ") + e.what(), {}, {}, {}};
        } catch (const std::out_of_range& e) {
            throw Failed{std::string("no value for a variable: ") + e.what(), {}, {}, {}};
        }
    }

    void perform(const ConnectStep& step) {
        const std::string expected =
            "a connection to " + endpoint() + (step.implicitTls ? " with a TLS handshake" : "");
        if (_channels.count(step.connection))
            throw Failed{
                "connection " + quote(step.connection) + " is already open", {}, expected, {}};
        Poco::Net::Context::Ptr tls = step.implicitTls ? context() : nullptr;
        auto connection = std::make_unique<WireConnection>(endpoint());
        try {
            connection->connect(_options.host, _options.port, _options.timeout, tls, serverName());
        } catch (const Error& e) {
            note(step.connection, TranscriptLine::Source::runner, e.what());
            throw Failed{e.what(), {}, expected, "(no connection)"};
        }
        note(step.connection, TranscriptLine::Source::runner,
             "connected to " + endpoint() + (step.implicitTls ? " with TLS" + tlsNote() : ""));
        Channel& channel = _channels[step.connection];
        channel.connection = std::move(connection);
        channel.awaited.push_back({{}, true});
    }

    std::string tlsNote() const {
        return _options.verifyCertificate ? " (certificate verified for '" + serverName() + "')"
                                          : " (certificate not verified)";
    }

    void perform(const SendStep& step) {
        const std::string text = expand(step.text);
        const std::string bytes = step.raw ? text : text + "\r\n";
        const auto found = _channels.find(step.connection);
        const std::string unfinished = found == _channels.end() ? "" : found->second.partialLine;
        bool saslOpen = found != _channels.end() && found->second.saslOpen;
        const std::vector<SentLine> lines = sentLines(bytes, unfinished, saslOpen);
        std::string shown;
        for (const SentLine& line : lines)
            shown += line.shown + line.end;
        // As written in the step: without the CRLF a command gets.
        const std::string sent = escape(shown.substr(0, shown.size() - (step.raw ? 0 : 2)));
        Channel& target = channel(step.connection, sent);
        for (std::string& line : wireLines(shown, true))
            note(step.connection, TranscriptLine::Source::client, std::move(line));
        try {
            target.connection->send(bytes, _options.timeout);
        } catch (const Error& e) {
            throw Failed{e.what(), sent, {}, {}};
        }
        target.saslOpen = saslOpen;
        // Each complete line sent is a command (or SASL line) waiting for its response.
        for (const SentLine& line : lines) {
            if (!line.end.empty())
                target.awaited.push_back({line.line, false, line.sasl});
        }
        const std::string all = unfinished + bytes;
        target.partialLine = all.substr(all.rfind('\n') + 1);
    }

    ResponseKind kindFor(const Channel& target, const ExpectStep& step) const {
        ResponseKind kind = ResponseKind::SingleLine;
        if (target.inSasl)
            kind = ResponseKind::SaslStep;
        else if (!target.awaited.empty() && !target.awaited.front().greeting)
            kind = responseKindOf(target.awaited.front().line);
        if (step.multiline)
            return *step.multiline                  ? ResponseKind::MultiLine
                   : kind == ResponseKind::SaslStep ? ResponseKind::SaslStep
                                                    : ResponseKind::SingleLine;
        return step.lines ? ResponseKind::MultiLine : kind;
    }

    /// "status ok; code IN-USE; line '...'" with variables expanded.
    std::string describe(const ExpectStep& step) {
        std::vector<std::string> parts;
        if (step.closed)
            parts.push_back("the server closes the connection");
        if (step.status)
            parts.push_back(std::string("status ") + (*step.status == Status::Ok ? "ok" : "err"));
        if (step.code)
            parts.push_back("code " + expand(*step.code));
        if (step.line)
            parts.push_back("line " + quote(expand(*step.line)));
        if (step.regex)
            parts.push_back("regex " + quote(expand(*step.regex, true)));
        if (step.lines) {
            std::string list;
            for (const std::string& line : *step.lines)
                list += (list.empty() ? "" : ", ") + quote(expand(line));
            parts.push_back("lines [" + list + "]");
        }
        for (const auto& [name, pattern] : step.captures)
            parts.push_back("capture " + name + " by " + quote(expand(pattern, true)));
        std::string text;
        for (const std::string& part : parts)
            text += (text.empty() ? "" : "; ") + part;
        return text;
    }

    void perform(const ExpectStep& step) {
        Channel& target = channel(step.connection, pendingCommand(step.connection));
        const std::string sent = pendingCommand(step.connection);
        const std::string expected = describe(step);
        const std::chrono::milliseconds timeout = timeoutOf(step);
        if (step.closed) {
            expectClosed(step.connection, target, sent, expected, timeout);
            return;
        }
        const ResponseKind kind = kindFor(target, step);
        WireConnection::Response response =
            target.connection->read(kind, timeout, _options.maxResponseOctets);
        const bool answersSasl = !target.awaited.empty() && target.awaited.front().sasl;
        if (!target.awaited.empty())
            target.awaited.pop_front();
        transcribe(step.connection, response, kind);

        using Outcome = WireConnection::Response::Outcome;
        const std::string partial =
            response.received.empty() ? "(nothing)" : truncated(escape(response.received));
        switch (response.outcome) {
        case Outcome::complete:
            break;
        case Outcome::malformed:
            throw Failed{"malformed response: " + response.error, sent, expected, partial};
        case Outcome::closed:
            note(step.connection, TranscriptLine::Source::runner, "closed by the server");
            throw Failed{response.octets == 0
                             ? "the server closed the connection instead of answering"
                             : "the server closed the connection after " +
                                   std::to_string(response.octets) + " octets of the response",
                         sent, expected, partial};
        case Outcome::timeout:
            throw Failed{response.octets == 0
                             ? "no response within " + std::to_string(timeout.count()) + " ms"
                             : "the response was incomplete after " +
                                   std::to_string(timeout.count()) + " ms (" +
                                   std::to_string(response.octets) + " octets)",
                         sent, expected, partial};
        case Outcome::tooLarge:
            throw Failed{response.error, sent, expected, truncated(escape(response.received))};
        case Outcome::failed:
            throw Failed{"connection to " + target.connection->endpoint() +
                             " failed: " + response.error,
                         sent, expected, partial};
        }
        target.inSasl = response.continuation;
        if (response.continuation)
            target.saslOpen = true;
        else if (answersSasl)
            target.saslOpen = false;
        check(step, response, sent, expected);
    }

    void expectClosed(const std::string& name, Channel& target, const std::string& sent,
                      const std::string& expected, std::chrono::milliseconds timeout) {
        const WireConnection::CloseWait wait = target.connection->waitForClose(timeout);
        using Outcome = WireConnection::CloseWait::Outcome;
        switch (wait.outcome) {
        case Outcome::closed:
            note(name, TranscriptLine::Source::runner, "closed by the server");
            _channels.erase(name);
            return;
        case Outcome::data:
            for (std::string& line : wireLines(wait.detail, false))
                note(name, TranscriptLine::Source::server, std::move(line));
            throw Failed{"expected the server to close the connection, but it sent data", sent,
                         expected, truncated(escape(wait.detail))};
        case Outcome::timeout:
            throw Failed{"the connection is still open after " + std::to_string(timeout.count()) +
                             " ms",
                         sent, expected, "(nothing)"};
        case Outcome::failed:
            throw Failed{"connection to " + target.connection->endpoint() +
                             " failed: " + wait.detail,
                         sent, expected, "(nothing)"};
        }
    }

    void transcribe(const std::string& connection, const WireConnection::Response& response,
                    ResponseKind kind) {
        if (response.outcome != WireConnection::Response::Outcome::complete) {
            for (std::string& line : wireLines(response.received, false))
                note(connection, TranscriptLine::Source::server, std::move(line));
            return;
        }
        note(connection, TranscriptLine::Source::server, escape(response.statusLine));
        const std::size_t shown = std::min(response.body.size(), kTranscriptBodyLines);
        for (std::size_t i = 0; i < shown; ++i)
            note(connection, TranscriptLine::Source::server, escape(response.body[i]));
        if (response.body.size() > shown)
            note(connection, TranscriptLine::Source::runner,
                 "(" + std::to_string(response.body.size() - shown) + " more body lines)");
        if (kind == ResponseKind::MultiLine && response.status.ok() && !response.continuation)
            note(connection, TranscriptLine::Source::server, ".");
    }

    /// The status line, then the body lines, joined by LF.
    static std::string responseText(const WireConnection::Response& response) {
        std::string text = response.statusLine;
        for (const std::string& line : response.body)
            text += "\n" + line;
        return text;
    }

    static Poco::RegularExpression compile(const std::string& pattern) {
        try {
            return Poco::RegularExpression(pattern, Poco::RegularExpression::RE_MULTILINE);
        } catch (const Poco::Exception& e) {
            throw Failed{
                "invalid regular expression " + quote(pattern) + ": " + e.message(), {}, {}, {}};
        }
    }

    void check(const ExpectStep& step, const WireConnection::Response& response,
               const std::string& sent, const std::string& expected) {
        const std::string text = responseText(response);
        const std::string got = response.continuation ? "continuation " + quote(response.statusLine)
                                                      : quote(response.statusLine);
        std::vector<std::string> problems;
        if (step.status) {
            const bool ok = !response.continuation && response.status.status == *step.status;
            if (!ok)
                problems.push_back(std::string("status: expected ") +
                                   (*step.status == Status::Ok ? "ok" : "err") + ", got " + got);
        }
        if (step.code) {
            const std::string code = expand(*step.code);
            if (response.continuation || response.status.code != code)
                problems.push_back("code: expected [" + code + "], got " +
                                   (response.status.code.empty()
                                        ? std::string("none")
                                        : "[" + response.status.code + "]"));
        }
        if (step.line) {
            const std::string line = expand(*step.line);
            if (response.statusLine != line)
                problems.push_back("line: expected " + quote(line) + ", got " +
                                   quote(response.statusLine));
        }
        if (step.regex) {
            const std::string pattern = expand(*step.regex, true);
            Poco::RegularExpression::Match match;
            if (compile(pattern).match(text, 0, match) == 0)
                problems.push_back("regex " + quote(pattern) + " does not match");
        }
        if (step.lines)
            checkLines(*step.lines, response, problems);
        for (const auto& [name, pattern] : step.captures) {
            const std::string expanded = expand(pattern, true);
            std::vector<std::string> groups;
            if (compile(expanded).split(text, groups) == 0 || groups.empty()) {
                problems.push_back("capture " + name + ": " + quote(expanded) + " does not match");
                continue;
            }
            std::string value = groups.size() > 1 ? groups[1] : groups[0];
            note(step.connection, TranscriptLine::Source::runner,
                 "captured " + name + " = " + quote(value));
            _report.variables[name] = std::move(value);
        }
        if (problems.empty())
            return;
        std::string message;
        for (const std::string& problem : problems)
            message += (message.empty() ? "" : "; ") + problem;
        throw Failed{message, sent, expected, truncated(escapeLines(text))};
    }

    void checkLines(const std::vector<std::string>& wanted,
                    const WireConnection::Response& response, std::vector<std::string>& problems) {
        if (response.continuation || !response.status.ok()) {
            problems.push_back("lines: expected a multi-line body, got " +
                               quote(response.statusLine));
            return;
        }
        std::vector<std::string> lines;
        for (const std::string& line : wanted)
            lines.push_back(expand(line));
        if (lines == response.body)
            return;
        std::string problem = "lines: expected " + std::to_string(lines.size()) + " line" +
                              (lines.size() == 1 ? "" : "s") + ", got " +
                              std::to_string(response.body.size());
        for (std::size_t i = 0; i < std::max(lines.size(), response.body.size()); ++i) {
            const std::string want = i < lines.size() ? quote(lines[i]) : "nothing";
            const std::string have = i < response.body.size() ? quote(response.body[i]) : "nothing";
            if (want != have) {
                problem +=
                    "; line " + std::to_string(i + 1) + ": expected " + want + ", got " + have;
                break;
            }
        }
        problems.push_back(problem);
    }

    void perform(const StlsStep& step) {
        const std::string expected = "+OK, then a TLS handshake";
        Channel& target = channel(step.connection, "STLS");
        if (!target.awaited.empty())
            throw Failed{"the response to " + pendingCommand(step.connection) +
                             " has not been read; add an 'expect' step before 'stls'",
                         "STLS",
                         expected,
                         {}};
        if (target.connection->secure())
            throw Failed{
                "connection " + quote(step.connection) + " already uses TLS", "STLS", expected, {}};
        note(step.connection, TranscriptLine::Source::client, "STLS");
        try {
            target.connection->send("STLS\r\n", _options.timeout);
        } catch (const Error& e) {
            throw Failed{e.what(), "STLS", expected, {}};
        }
        const WireConnection::Response response = target.connection->read(
            ResponseKind::SingleLine, _options.timeout, _options.maxResponseOctets);
        transcribe(step.connection, response, ResponseKind::SingleLine);
        if (response.outcome != WireConnection::Response::Outcome::complete) {
            const std::string why =
                response.outcome == WireConnection::Response::Outcome::timeout
                    ? "no response to STLS within " + std::to_string(_options.timeout.count()) +
                          " ms"
                : response.outcome == WireConnection::Response::Outcome::closed
                    ? "the server closed the connection instead of answering STLS"
                    : "no valid response to STLS: " + response.error;
            throw Failed{why, "STLS", expected,
                         response.received.empty() ? "(nothing)"
                                                   : truncated(escape(response.received))};
        }
        if (!response.status.ok())
            throw Failed{"STLS refused", "STLS", expected, escape(response.statusLine)};
        // Bytes sent before the handshake cannot be trusted (RFC 2595 §4).
        if (const std::size_t discarded = target.connection->discardBuffered())
            note(step.connection, TranscriptLine::Source::runner,
                 "discarded " + std::to_string(discarded) +
                     " octets received before the TLS handshake");
        target.partialLine.clear();
        target.inSasl = false;
        target.saslOpen = false;
        Poco::Net::Context::Ptr tls = context();
        try {
            target.connection->startTls(tls, serverName(), _options.timeout);
        } catch (const Error& e) {
            note(step.connection, TranscriptLine::Source::runner, e.what());
            throw Failed{e.what(), "STLS", expected, escape(response.statusLine)};
        }
        note(step.connection, TranscriptLine::Source::runner, "TLS started" + tlsNote());
    }

    void perform(const SleepStep& step) { std::this_thread::sleep_for(step.duration); }

    void perform(const CloseStep& step) {
        Channel& target = channel(step.connection);
        target.connection->close();
        note(step.connection, TranscriptLine::Source::runner, "closed by the client");
        _channels.erase(step.connection);
    }

    const StepRunner::Options& _options;
    StepReport& _report;
    std::map<std::string, Channel> _channels;
    Poco::Net::Context::Ptr _context;
};

} // namespace

StepRunner::StepRunner() : StepRunner(Options{}) {}

StepRunner::StepRunner(Options options) : _options(std::move(options)) {}

StepReport StepRunner::run(const Scenario& scenario) const {
    return run(scenario.steps, scenario.sourceFile);
}

StepReport StepRunner::run(const std::vector<Step>& steps, const std::string& sourceFile) const {
    StepReport report;
    report.sourceFile = sourceFile;
    report.steps = steps.size();
    Execution execution(_options, report);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const Step& step = steps[i];
        report.stepsRun = i + 1;
        try {
            execution.run(step);
        } catch (Failed& failed) {
            report.failure = StepFailure{i,
                                         kindName(step.action),
                                         step.location,
                                         std::move(failed.message),
                                         std::move(failed.sent),
                                         std::move(failed.expected),
                                         std::move(failed.received)};
            break;
        } catch (const std::exception& e) {
            // Not expected from the server's side; reported rather than thrown all the same.
            report.failure = StepFailure{i,
                                         kindName(step.action),
                                         step.location,
                                         std::string("internal error: ") + e.what(),
                                         {},
                                         {},
                                         {}};
            break;
        }
    }
    return report;
}

} // namespace pop3::mock
