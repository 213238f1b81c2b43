#include "pop3/conformance/CheckContext.h"

#include "pop3/Auth.h"
#include "pop3/Command.h"
#include "pop3/Errors.h"
#include "pop3/Tls.h"

#include <Poco/String.h>

#include <algorithm>

namespace pop3::conformance {

namespace {

/// Body lines of one reply shown in a transcript; the rest are counted.
constexpr std::size_t kTranscriptBodyLines = 12;
/// Octets of one transcript line.
constexpr std::size_t kTranscriptLineOctets = 300;

std::string firstWord(std::string_view line) {
    return Poco::toUpper(std::string(line.substr(0, line.find(' '))));
}

/// Control bytes made visible, long lines cut.
std::string printable(std::string_view text) {
    std::string out;
    for (const unsigned char c : text) {
        if (out.size() >= kTranscriptLineOctets) {
            out += "...";
            break;
        }
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c < 0x20 || c == 0x7F)
            out += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                   std::string(1, "0123456789abcdef"[c & 15]);
        else
            out += static_cast<char>(c);
    }
    return out;
}

/// The line as the transcript shows it: secrets of PASS, APOP and AUTH masked, SASL data as
/// "****" (a cancelling "*" stays).
std::string masked(std::string_view line, bool saslData) {
    if (saslData)
        return line == "*" ? "*" : "****";
    return maskSecrets(line);
}

/// "AUTH mechanism ...": the lines after it are SASL data until the final reply.
bool opensSaslExchange(std::string_view line) {
    const std::size_t space = line.find(' ');
    return firstWord(line) == "AUTH" && space != std::string_view::npos &&
           line.find_first_not_of(' ', space) != std::string_view::npos;
}

} // namespace

std::string Reply::code() const {
    return complete() ? status.code : std::string();
}

std::string Reply::describe() const {
    switch (outcome) {
    case Outcome::complete: {
        std::string text = printable(statusLine);
        if (!body.empty())
            text += " (+" + std::to_string(body.size()) + " lines)";
        return text;
    }
    case Outcome::malformed:
        return "malformed reply (" + error + "): " + printable(received);
    case Outcome::closed:
        return received.empty() ? "the connection closed"
                                : "the connection closed after " + printable(received);
    case Outcome::timeout:
        return received.empty() ? "no reply in time"
                                : "an incomplete reply: " + printable(received);
    case Outcome::tooLarge:
        return "a reply too large (" + error + ")";
    case Outcome::failed:
        return "a connection failure (" + error + ")";
    }
    return "?";
}

Probe::Probe(CheckContext& context, std::unique_ptr<WireConnection> wire, std::string name)
    : _context(&context), _wire(std::move(wire)), _name(std::move(name)) {}

Probe::Probe(Probe&&) noexcept = default;
Probe& Probe::operator=(Probe&&) noexcept = default;
Probe::~Probe() = default;

void Probe::record(std::string_view direction, std::string_view text) {
    _context->_transcript.push_back(_name + " " + std::string(direction) + " " + printable(text));
}

void Probe::send(std::string_view bytes) {
    std::string_view rest = bytes;
    while (!rest.empty()) {
        const std::size_t end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, end);
        if (end == std::string_view::npos) {
            record("C:", masked(line, _inSasl) + " (no CRLF)");
            break;
        }
        record("C:", masked(line, _inSasl));
        _inSasl = _inSasl || opensSaslExchange(line);
        rest.remove_prefix(end + 2);
    }
    try {
        _wire->send(bytes, _context->timeout());
    } catch (const Error& e) {
        _context->fail(std::string("could not send: ") + e.what());
    }
}

Reply Probe::read(ResponseKind kind, std::optional<std::chrono::milliseconds> timeout) {
    Reply reply(_wire->read(kind, timeout.value_or(_context->timeout()), 64 * 1024 * 1024));
    _inSasl = reply.complete() && reply.continuation;
    if (reply.complete()) {
        record("S:", reply.statusLine);
        for (std::size_t i = 0; i < reply.body.size() && i < kTranscriptBodyLines; ++i)
            record("S:", reply.body[i]);
        if (reply.body.size() > kTranscriptBodyLines)
            record("S:", "... " + std::to_string(reply.body.size() - kTranscriptBodyLines) +
                             " more lines");
        if (kind == ResponseKind::MultiLine && reply.status.ok())
            record("S:", ".");
    } else {
        record("S:", "[" + reply.describe() + "]");
    }
    return reply;
}

Reply Probe::command(const std::string& line) {
    return command(line, responseKindOf(line));
}

Reply Probe::command(const std::string& line, ResponseKind kind) {
    send(line + "\r\n");
    return read(kind);
}

bool Probe::closedByServer(std::optional<std::chrono::milliseconds> timeout) {
    const WireConnection::CloseWait wait =
        _wire->waitForClose(timeout.value_or(_context->timeout()));
    switch (wait.outcome) {
    case WireConnection::CloseWait::Outcome::closed:
        record("S:", "[connection closed]");
        return true;
    case WireConnection::CloseWait::Outcome::data:
        record("S:", wait.detail);
        return false;
    case WireConnection::CloseWait::Outcome::timeout:
        record("S:", "[still open]");
        return false;
    case WireConnection::CloseWait::Outcome::failed:
        record("S:", "[" + wait.detail + "]");
        return true;
    }
    return false;
}

void Probe::startTls() {
    const Reply reply = command("STLS");
    _context->expectOk(reply, "STLS");
    handshake();
}

void Probe::handshake() {
    handshake(_context->tlsContext());
}

void Probe::handshake(Poco::Net::Context::Ptr context) {
    record("C:", "[TLS handshake]");
    _wire->startTls(context, _context->target().serverName(), _context->timeout());
    record("C:", "[TLS " + _wire->tlsSession().protocol + " established]");
}

Reply Probe::quit() {
    return command("QUIT");
}

void Probe::close() {
    _wire->close();
}

bool Probe::secure() const {
    return _wire->secure();
}

CheckContext::CheckContext(const Target& target, const Discovery& discovery)
    : _target(target), _discovery(discovery) {}

CheckContext::~CheckContext() = default;

Probe CheckContext::open(std::uint16_t port, Poco::Net::Context::Ptr implicitTls,
                         std::string_view name, bool readGreeting) {
    auto wire = std::make_unique<WireConnection>(_target.host + ":" + std::to_string(port));
    std::string label = "#" + std::to_string(++_connections);
    _transcript.push_back(label + " connect " + std::string(name) + " " + wire->endpoint());
    wire->connect(_target.host, port, timeout(), implicitTls, _target.serverName());
    Probe probe(*this, std::move(wire), label);
    if (readGreeting)
        probe._greeting = probe.read(ResponseKind::SingleLine);
    return probe;
}

Probe CheckContext::connectPlain() {
    if (!_target.plainPort)
        skip("the target has no plaintext port");
    Probe probe = open(*_target.plainPort, nullptr, "plain");
    expectOk(probe.greeting(), "the greeting");
    return probe;
}

Probe CheckContext::connectImplicitTls() {
    if (!_target.implicitTlsPort)
        skip("the target has no implicit-TLS port (give a pop3s:// target or --tls-port)");
    Probe probe = open(*_target.implicitTlsPort, tlsContext(), "implicit TLS");
    expectOk(probe.greeting(), "the greeting");
    return probe;
}

Probe CheckContext::connectTls(Poco::Net::Context::Ptr context) {
    if (_target.implicitTlsPort) {
        Probe probe = open(*_target.implicitTlsPort, context, "implicit TLS");
        expectOk(probe.greeting(), "the greeting");
        return probe;
    }
    if (!_target.plainPort)
        skip("the target has no port");
    Probe probe = connectPlain();
    const Reply reply = probe.command("STLS");
    if (!reply.ok())
        skip("the target has no implicit-TLS port and refuses STLS (" + reply.describe() + ")");
    probe.handshake(context);
    return probe;
}

Probe CheckContext::connectTcp(std::uint16_t port) {
    return open(port, nullptr, "TCP", false);
}

Probe CheckContext::connect() {
    if (!_target.plainPort)
        return connectImplicitTls();
    Probe probe = connectPlain();
    if (_target.startTls)
        probe.startTls();
    return probe;
}

const Account& CheckContext::account(bool secondAccount) {
    if (!secondAccount)
        return _target.account;
    if (!_target.secondAccount)
        skip("needs a second account (--user2)");
    return *_target.secondAccount;
}

const std::vector<ListedMessage>& CheckContext::messages(bool secondAccount) const {
    return secondAccount ? _discovery.secondMessages : _discovery.messages;
}

Probe CheckContext::login(bool secondAccount) {
    const Account& who = account(secondAccount);
    Probe probe = connect();
    const Reply reply = authenticate(probe, _discovery.loginMethod, who);
    expectOk(reply, "the login as " + who.user);
    return probe;
}

Reply CheckContext::authenticate(Probe& probe, LoginMethod method, const Account& who) {
    switch (method) {
    case LoginMethod::userPass: {
        const Reply user = probe.command("USER " + who.user);
        if (!user.ok())
            return user;
        return probe.command("PASS " + who.password);
    }
    case LoginMethod::saslPlain:
        return probe.command("AUTH PLAIN " + encodeBase64(std::string(1, '\0') + who.user +
                                                          std::string(1, '\0') + who.password));
    case LoginMethod::apop: {
        const std::optional<std::string> timestamp =
            extractApopTimestamp(probe.greeting().statusLine);
        if (!timestamp)
            skip("the greeting has no APOP timestamp");
        return probe.command("APOP " + who.user + " " + apopDigest(*timestamp, who.password));
    }
    }
    return {};
}

std::optional<std::string> CheckContext::capability(std::string_view name) const {
    if (!_discovery.capabilities)
        return std::nullopt;
    const std::string wanted = Poco::toUpper(std::string(name));
    for (const std::string& line : *_discovery.capabilities) {
        if (firstWord(line) == wanted)
            return line;
    }
    return std::nullopt;
}

bool CheckContext::hasCapability(std::string_view name) const {
    return capability(name).has_value();
}

void CheckContext::requireCapability(std::string_view name) {
    if (!_discovery.capabilities)
        skip("the server has no CAPA, so it does not announce " + std::string(name));
    if (!hasCapability(name))
        skip("CAPA does not list " + std::string(name));
}

void CheckContext::requireMessages(std::size_t count, bool secondAccount) {
    const Account& who = account(secondAccount);
    const std::size_t have = messages(secondAccount).size();
    if (have < count)
        skip("needs " + std::to_string(count) + " messages in " + who.user + "'s mailbox, found " +
             std::to_string(have));
}

void CheckContext::fail(std::string message, std::string expected, std::string actual) {
    throw CheckFailed{std::move(message), std::move(expected), std::move(actual)};
}

void CheckContext::skip(std::string reason) {
    throw CheckSkipped{std::move(reason)};
}

void CheckContext::expect(bool condition, std::string message, std::string expected,
                          std::string actual) {
    if (!condition)
        fail(std::move(message), std::move(expected), std::move(actual));
}

void CheckContext::expectOk(const Reply& reply, std::string_view what) {
    if (!reply.ok())
        fail(std::string(what) + " was not accepted", "+OK", reply.describe());
}

void CheckContext::expectErr(const Reply& reply, std::string_view what) {
    if (!reply.err())
        fail(std::string(what) + " was not refused", "-ERR", reply.describe());
}

void CheckContext::warn(std::string message) {
    _warnings.push_back(std::move(message));
}

void CheckContext::note(std::string text) {
    _notes.push_back(std::move(text));
}

Poco::Net::Context::Ptr CheckContext::tlsContext(TlsProtocol min, TlsProtocol max, bool verify) {
    ClientTlsSettings settings;
    settings.serverName = _target.serverName();
    settings.verify = verify;
    settings.caFile = _target.caFile;
    settings.minProtocol = min;
    settings.maxProtocol = max;
    return makeClientContext(settings);
}

Poco::Net::Context::Ptr CheckContext::tlsContext() {
    if (!_context)
        _context = tlsContext(std::min(_target.minimumTlsVersion, TlsProtocol::tls1_2),
                              TlsProtocol::tls1_3, _target.verifyCertificate);
    return _context;
}

} // namespace pop3::conformance
