#include "pop3/ServerSession.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <utility>

namespace pop3 {

/// One segment of output: bytes ready to send, or a message body streamed on demand.
struct ServerSession::Body {
    std::string bytes;
    bool streamed = false;
    /// A marker, not output: from here on, send only this many more octets, then close.
    std::optional<std::uint64_t> cutAfter;
    MessageContent content;
    std::size_t textOffset = 0;
    std::optional<TopFilter> top;
    MultilineEncoder encoder;
};

namespace {

constexpr std::size_t kStreamChunk = 64 * 1024;
constexpr std::string_view kMasked = "****";

std::string upper(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return result;
}

std::string lower(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

bool isPlaintextMechanism(std::string_view mechanism) {
    return mechanism == "PLAIN" || mechanism == "LOGIN";
}

/// RFC 4647 §3.3.1 basic filtering, as LANG uses it (RFC 6856 §3): the range equals the tag or
/// is a prefix of it ending at a "-", case-insensitively.
bool languageMatches(std::string_view range, std::string_view tag) {
    const std::string r = lower(range);
    const std::string t = lower(tag);
    return t == r || (t.size() > r.size() && t.compare(0, r.size(), r) == 0 && t[r.size()] == '-');
}

} // namespace

ServerSession::ServerSession(ServerSessionConfig config, ServerSessionHandler& handler,
                             std::function<std::string()> nonce)
    : _config(std::move(config)), _handler(handler), _nonce(std::move(nonce)),
      _framer(_config.maxCommandLine) {
    // RFC 6856 §3: "A server MUST include "i-default" as one of its supported languages."
    auto isDefault = [](const std::string& language) {
        return lower(language.substr(0, language.find(' '))) == "i-default";
    };
    if (!_config.languages.empty() &&
        std::none_of(_config.languages.begin(), _config.languages.end(), isDefault))
        _config.languages.emplace_back("i-default Default language");
}

ServerSession::~ServerSession() = default;

ResponseWriter ServerSession::writer() {
    if (_output.empty() || _output.back()->streamed || _output.back()->cutAfter)
        _output.push_back(std::make_unique<Body>());
    return ResponseWriter(_output.back()->bytes);
}

void ServerSession::start() {
    std::string text = _config.greeting;
    if (_config.apop) {
        _apopTimestamp = "<" + _nonce() + "@" + _config.hostname + ">";
        text += " " + _apopTimestamp;
    }
    intercepted({}, "greeting", true, [&] { writer().ok(text); });
}

void ServerSession::intercepted(std::string_view line, std::string_view shown, bool greeting,
                                const std::function<void()>& reply) {
    CommandContext context;
    context.line = line;
    context.greeting = greeting;
    context.state = _state;
    context.tlsActive = _config.tlsActive;
    context.username = _username;
    Intercept intercept;
    try {
        intercept = _handler.intercept(context);
    } catch (const std::exception& e) {
        return handlerFailed(shown, e.what());
    } catch (...) {
        return handlerFailed(shown, "unknown exception");
    }
    // Replies to the commands pipelined before this one are still sent.
    if (intercept.dropBeforeReply)
        return close();
    if (intercept.dropAfterBytes) {
        auto marker = std::make_unique<Body>();
        marker->cutAfter = intercept.dropAfterBytes;
        _output.push_back(std::move(marker));
    }
    if (intercept.replaceReply) {
        writer().raw(*intercept.replaceReply);
        // A continuation ("+ ...", not "+OK") asks the client for SASL data, whatever the command.
        const std::string_view sent = *intercept.replaceReply;
        _saslDataNext = !greeting && sent.substr(0, 1) == "+" && sent.substr(0, 3) != "+OK";
    } else if (intercept.rewriteReply)
        writer().raw(intercept.rewriteReply(replyBytes(reply)));
    else
        reply();
    if (!intercept.appendAfterReply.empty())
        writer().raw(intercept.appendAfterReply);
    if (intercept.closeAfterReply)
        close();
    if (intercept.discardRestOfInput)
        _framer.discardBuffered();
    _keepInputAfterStls = intercept.keepInputAfterStls;
}

std::string ServerSession::replyBytes(const std::function<void()>& reply) {
    // A fresh segment so that the reply does not join output queued before it.
    _output.push_back(std::make_unique<Body>());
    const std::size_t first = _output.size() - 1;
    reply();
    std::string bytes;
    for (std::size_t i = first; i < _output.size(); ++i) {
        Body& body = *_output[i];
        if (!body.streamed) {
            bytes += body.bytes;
            continue;
        }
        while (pullBody(body, bytes) == BodyProgress::More) {
        }
    }
    _output.erase(_output.begin() + static_cast<std::ptrdiff_t>(first), _output.end());
    return bytes;
}

void ServerSession::feed(std::string_view bytes) {
    if (_tlsRequested || _closeRequested || _ended)
        return;
    _framer.feed(bytes);
    processLines();
}

bool ServerSession::outputBacklogged() const {
    std::size_t octets = 0;
    for (const auto& body : _output) {
        if (body->streamed)
            return true;
        octets += body->bytes.size();
    }
    return octets >= kStreamChunk;
}

void ServerSession::processLines() {
    // Pipelined commands wait in the framer while output is queued, so that a flood of RETR
    // holds one message at a time; pullOutput() resumes them as the output drains.
    while (!_tlsRequested && !_closeRequested && !_ended && !outputBacklogged()) {
        std::optional<LineFramer::Line> line = _framer.next();
        if (!line)
            break;
        if (line->error) {
            if (_sasl) {
                _sasl.reset();
                _framer.setMaxLine(_config.maxCommandLine);
                writer().err("Authentication failed: " + *line->error, codes::kAuth);
                continue;
            }
            _pendingUser.reset(); // a refused line is a command between USER and PASS too
            badCommand(*line->error);
            continue;
        }
        handleLine(line->text);
    }
    if (_tlsRequested && !_keepInputAfterStls)
        _framer.discardBuffered(); // RFC 2595 §4: nothing sent before the handshake counts
}

void ServerSession::handleLine(const std::string& line) {
    if (_sasl) {
        _handler.trace(TraceDirection::received, kMasked);
        handleSaslLine(line);
        return;
    }
    const std::string shown =
        std::exchange(_saslDataNext, false) ? std::string(kMasked) : maskSecrets(line);
    _handler.trace(TraceDirection::received, shown);
    intercepted(line, shown, false, [&] { handleCommandLine(line); });
}

void ServerSession::handleCommandLine(const std::string& line) {
    // RFC 1939 §7: PASS counts only immediately after a successful USER.
    std::optional<std::string> pendingUser = std::move(_pendingUser);
    _pendingUser.reset();
    auto parsed = parseCommand(line);
    if (auto* error = std::get_if<CommandError>(&parsed)) {
        badCommand(error->message);
        return;
    }
    const Command& command = std::get<Command>(parsed);
    if (!command.spec->allowedIn(_state)) {
        badCommand(std::string(command.spec->name) + " is not valid in this state");
        return;
    }
    if (command.id() == CommandId::Pass)
        _pendingUser = std::move(pendingUser);
    handleCommand(command);
}

void ServerSession::badCommand(std::string_view text) {
    if (++_badCommands >= _config.maxBadCommands) {
        writer().err("Too many bad commands, closing the connection");
        close();
        return;
    }
    writer().err(text);
}

void ServerSession::handleCommand(const Command& command) {
    switch (command.id()) {
    case CommandId::User:
        return doUser(command);
    case CommandId::Pass:
        return doPass(command);
    case CommandId::Apop:
        return doApop(command);
    case CommandId::Auth:
        return doAuth(command);
    case CommandId::Stls:
        return doStls();
    case CommandId::Capa:
        return doCapa();
    case CommandId::Stat:
        return doStat();
    case CommandId::List:
    case CommandId::Uidl:
        return doListing(command);
    case CommandId::Retr:
    case CommandId::Top:
        return doRetrieve(command);
    case CommandId::Dele:
        return doDele(command);
    case CommandId::Noop:
        return writer().ok();
    case CommandId::Rset:
        return doRset();
    case CommandId::Quit:
        return doQuit();
    case CommandId::Utf8:
        return doUtf8();
    case CommandId::Lang:
        return doLang(command);
    }
}

bool ServerSession::plaintextLoginAllowed() const {
    return _config.tlsActive || !_config.refusePlaintextLoginWithoutTls;
}

bool ServerSession::mechanismOffered(std::string_view mechanism) const {
    if (isPlaintextMechanism(mechanism) && !plaintextLoginAllowed())
        return false;
    return std::find(_config.saslMechanisms.begin(), _config.saslMechanisms.end(), mechanism) !=
           _config.saslMechanisms.end();
}

void ServerSession::doUser(const Command& command) {
    if (!_config.userPass)
        return writer().err("USER is not supported");
    if (!plaintextLoginAllowed())
        return writer().err("Plaintext authentication is not allowed before STLS", codes::kAuth);
    _pendingUser = command.arguments[0];
    writer().ok();
}

void ServerSession::doPass(const Command& command) {
    if (!_pendingUser)
        return badCommand("PASS must follow a successful USER");
    Credentials credentials;
    credentials.method = AuthMethod::UserPass;
    credentials.username = *_pendingUser;
    credentials.password = command.arguments[0];
    _pendingUser.reset();
    login(credentials, "PASS");
}

void ServerSession::doApop(const Command& command) {
    if (!_config.apop)
        return writer().err("APOP is not supported");
    Credentials credentials;
    credentials.method = AuthMethod::Apop;
    credentials.username = command.arguments[0];
    credentials.challenge = _apopTimestamp;
    credentials.digest = lower(command.arguments[1]);
    login(credentials, "APOP");
}

void ServerSession::doAuth(const Command& command) {
    if (command.arguments.empty()) {
        // RFC 1734 form: list the mechanisms.
        ResponseWriter out = writer();
        out.ok("Supported mechanisms follow");
        for (const std::string& mechanism : _config.saslMechanisms) {
            if (mechanismOffered(mechanism))
                out.bodyLine(mechanism);
        }
        return out.endBody();
    }
    const std::string mechanism = upper(command.arguments[0]);
    if (!mechanismOffered(mechanism)) {
        if (isPlaintextMechanism(mechanism) && !plaintextLoginAllowed())
            return writer().err("Plaintext authentication is not allowed before STLS",
                                codes::kAuth);
        return writer().err("Unsupported authentication mechanism");
    }
    _sasl = SaslServerExchange::create(mechanism, _nonce(), _config.hostname);
    if (!_sasl)
        return writer().err("Unsupported authentication mechanism");
    _saslSteps = 0;
    _framer.setMaxLine(limits::kMaxSaslLine);
    std::optional<std::string_view> initial;
    if (command.arguments.size() == 2)
        initial = command.arguments[1];
    continueSasl(_sasl->start(initial));
}

void ServerSession::handleSaslLine(const std::string& line) {
    if (++_saslSteps > limits::kMaxSaslSteps) {
        _sasl.reset();
        _framer.setMaxLine(_config.maxCommandLine);
        return writer().err("Authentication exchange too long", codes::kAuth);
    }
    continueSasl(_sasl->respond(line));
}

void ServerSession::continueSasl(const SaslServerExchange::Step& step) {
    switch (step.outcome) {
    case SaslServerExchange::Outcome::Challenge:
        return writer().continuation(step.challenge);
    case SaslServerExchange::Outcome::Failed:
        _sasl.reset();
        _framer.setMaxLine(_config.maxCommandLine);
        if (step.cancelled)
            return writer().err("Authentication cancelled");
        return writer().err("Authentication failed: " + step.error, codes::kAuth);
    case SaslServerExchange::Outcome::Done: {
        const Credentials credentials = _sasl->credentials();
        _sasl.reset();
        _framer.setMaxLine(_config.maxCommandLine);
        if (!credentials.authorizationId.empty() &&
            credentials.authorizationId != credentials.username)
            return writer().err("Authorization identity not supported", codes::kAuth);
        return login(credentials, "AUTH");
    }
    }
}

void ServerSession::login(const Credentials& credentials, std::string_view command) {
    LoginResult result;
    try {
        result = _handler.login(credentials);
    } catch (const std::exception& e) {
        return handlerFailed(command, e.what());
    } catch (...) {
        return handlerFailed(command, "unknown exception");
    }
    auto reply = [&](std::string_view fallback, std::string_view code) {
        writer().err(result.text.empty() ? fallback : std::string_view(result.text), code);
    };
    switch (result.status) {
    case LoginStatus::Accepted: {
        _state = SessionState::Transaction;
        _username = credentials.username;
        _messages = std::move(result.messages);
        std::uint64_t octets = 0;
        for (const MessageInfo& message : _messages)
            octets += message.size;
        writer().ok(result.text.empty() ? "Logged in, " + std::to_string(_messages.size()) +
                                              " messages (" + std::to_string(octets) + " octets)"
                                        : result.text);
        return;
    }
    case LoginStatus::Rejected:
        return reply("Authentication failed", codes::kAuth);
    case LoginStatus::InUse:
        return reply("Mailbox is locked by another session", codes::kInUse);
    case LoginStatus::LoginDelay:
        return reply("Logged in too recently, try again later", codes::kLoginDelay);
    case LoginStatus::TemporaryFailure:
        return reply("Mailbox temporarily unavailable", codes::kSysTemp);
    case LoginStatus::PermanentFailure:
        return reply("Mailbox unavailable", codes::kSysPerm);
    }
}

void ServerSession::doStls() {
    if (_config.tlsActive)
        return writer().err("TLS is already active");
    if (!_config.tlsAvailable)
        return writer().err("STLS is not available");
    writer().ok("Begin TLS negotiation");
    _tlsRequested = true;
}

void ServerSession::tlsStarted() {
    _tlsRequested = false;
    _config.tlsActive = true;
    if (!_keepInputAfterStls) {
        _framer.discardBuffered();
        return;
    }
    _keepInputAfterStls = false;
    feed({}); // the injected commands, now answered inside TLS
}

std::vector<std::string> ServerSession::capabilities() const {
    std::vector<std::string> lines{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"};
    if (_config.userPass && plaintextLoginAllowed())
        lines.emplace_back("USER");
    std::string sasl = "SASL";
    for (const std::string& mechanism : _config.saslMechanisms) {
        if (mechanismOffered(mechanism))
            sasl += " " + mechanism;
    }
    if (sasl.size() > 4)
        lines.push_back(sasl);
    if (_config.tlsAvailable && !_config.tlsActive && _state == SessionState::Authorization)
        lines.emplace_back("STLS");
    if (_config.utf8)
        lines.emplace_back("UTF8 USER");
    if (!_config.languages.empty())
        lines.emplace_back("LANG");
    if (!_config.implementation.empty())
        lines.push_back("IMPLEMENTATION " + _config.implementation);
    lines.insert(lines.end(), _config.extraCapabilities.begin(), _config.extraCapabilities.end());
    return lines;
}

void ServerSession::doCapa() {
    ResponseWriter out = writer();
    out.ok("Capability list follows");
    for (const std::string& line : capabilities())
        out.bodyLine(line);
    out.endBody();
}

void ServerSession::doUtf8() {
    if (!_config.utf8)
        return writer().err("UTF8 is not supported");
    _utf8Mode = true;
    writer().ok("UTF8 mode enabled");
}

void ServerSession::doLang(const Command& command) {
    if (_config.languages.empty())
        return writer().err("LANG is not supported");
    if (command.arguments.empty()) {
        ResponseWriter out = writer();
        out.ok("Language listing follows");
        for (const std::string& language : _config.languages)
            out.bodyLine(language);
        return out.endBody();
    }
    const std::string& range = command.arguments[0];
    for (const std::string& language : _config.languages) {
        const std::string tag = language.substr(0, language.find(' '));
        if (range == "*" || languageMatches(range, tag)) {
            _language = tag;
            return writer().ok(tag + " Language changed");
        }
    }
    writer().err("Invalid language " + range);
}

void ServerSession::doStat() {
    std::uint64_t count = 0;
    std::uint64_t octets = 0;
    for (const MessageInfo& message : _messages) {
        if (!message.deleted) {
            ++count;
            octets += message.size;
        }
    }
    writer().ok(std::to_string(count) + " " + std::to_string(octets));
}

const MessageInfo* ServerSession::lookUp(const Command& command) {
    const MessageNumber number = *command.message;
    if (number.value > _messages.size()) {
        writer().err("No such message");
        return nullptr;
    }
    const MessageInfo& message = _messages[number.toIndex()];
    if (message.deleted) {
        writer().err("Message " + std::to_string(number.value) + " is deleted");
        return nullptr;
    }
    return &message;
}

void ServerSession::doListing(const Command& command) {
    const bool uidl = command.id() == CommandId::Uidl;
    auto entry = [uidl](MessageNumber number, const MessageInfo& message) {
        return std::to_string(number.value) + " " +
               (uidl ? message.uid : std::to_string(message.size));
    };
    if (command.message) {
        if (const MessageInfo* message = lookUp(command))
            writer().ok(entry(*command.message, *message));
        return;
    }
    ResponseWriter out = writer();
    out.ok(uidl ? "Unique-ID listing follows" : "Scan listing follows");
    for (MessageIndex index = 0; index < _messages.size(); ++index) {
        if (!_messages[index].deleted)
            out.bodyLine(entry(MessageNumber::fromIndex(index), _messages[index]));
    }
    out.endBody();
}

void ServerSession::doRetrieve(const Command& command) {
    const MessageInfo* message = lookUp(command);
    if (message == nullptr)
        return;
    const bool top = command.id() == CommandId::Top;
    const MessageIndex index = command.message->toIndex();
    MessageContent content;
    try {
        content =
            top ? _handler.top(index, *message, command.lines) : _handler.retrieve(index, *message);
    } catch (const std::exception& e) {
        return handlerFailed(command.spec->name, e.what());
    } catch (...) {
        return handlerFailed(command.spec->name, "unknown exception");
    }
    if (!content.available)
        return writer().err("Message could not be read", codes::kSysTemp);
    if (top)
        writer().ok("Top of message follows");
    else
        writer().ok(std::to_string(message->size) + " octets");
    queueBody(std::move(content), top ? std::optional<std::uint64_t>(command.lines) : std::nullopt);
}

void ServerSession::queueBody(MessageContent content, std::optional<std::uint64_t> topLines) {
    auto body = std::make_unique<Body>();
    body->streamed = true;
    body->content = std::move(content);
    if (topLines)
        body->top.emplace(*topLines);
    _output.push_back(std::move(body));
}

void ServerSession::doDele(const Command& command) {
    const MessageInfo* message = lookUp(command);
    if (message == nullptr)
        return;
    const MessageIndex index = command.message->toIndex();
    bool accepted = false;
    try {
        accepted = _handler.markDeleted(index, *message);
    } catch (const std::exception& e) {
        return handlerFailed("DELE", e.what());
    } catch (...) {
        return handlerFailed("DELE", "unknown exception");
    }
    if (!accepted)
        return writer().err("Message " + std::to_string(command.message->value) +
                            " cannot be deleted");
    _messages[index].deleted = true;
    writer().ok("Message " + std::to_string(command.message->value) + " deleted");
}

void ServerSession::doRset() {
    std::uint64_t octets = 0;
    for (MessageInfo& message : _messages) {
        message.deleted = false;
        octets += message.size;
    }
    writer().ok("Maildrop has " + std::to_string(_messages.size()) + " messages (" +
                std::to_string(octets) + " octets)");
}

void ServerSession::doQuit() {
    close();
    if (_state != SessionState::Transaction)
        return writer().ok("Bye");
    _state = SessionState::Update;
    bool removed = false;
    try {
        removed = _handler.update(_messages);
        _updated = true;
    } catch (const std::exception& e) {
        _handler.handlerFailed("QUIT", e.what());
    } catch (...) {
        _handler.handlerFailed("QUIT", "unknown exception");
    }
    if (!removed)
        return writer().err("Some deleted messages were not removed", codes::kSysTemp);
    writer().ok("Bye");
}

void ServerSession::handlerFailed(std::string_view command, const char* what) {
    _handler.handlerFailed(command, what);
    writer().err("Internal server error", codes::kSysTemp);
}

void ServerSession::end() {
    if (_ended)
        return;
    _ended = true;
    _sasl.reset();
    try {
        _handler.ended(_messages, _updated);
    } catch (const std::exception& e) {
        _handler.handlerFailed("disconnect", e.what());
    } catch (...) {
        _handler.handlerFailed("disconnect", "unknown exception");
    }
}

bool ServerSession::pullOutput(std::string& out, std::size_t budget) {
    const std::size_t start = out.size();
    while (out.size() - start < budget) {
        if (_output.empty()) {
            processLines();
            if (_output.empty())
                break;
        }
        Body& body = *_output.front();
        if (body.cutAfter) {
            _cutRemaining = body.cutAfter;
            _output.pop_front();
            continue;
        }
        const std::size_t before = out.size();
        const bool streamed = body.streamed;
        bool finished = true;
        if (!streamed) {
            out += body.bytes;
            _output.pop_front();
        } else {
            const BodyProgress progress = pullBody(body, out);
            finished = progress != BodyProgress::More;
            if (progress == BodyProgress::Failed) {
                // The +OK is out; the only honest signal left is a body without terminator.
                _output.clear();
                close();
            } else if (progress == BodyProgress::Done) {
                _output.pop_front();
            }
        }
        if (_cutRemaining) {
            const std::size_t added = out.size() - before;
            if (added >= *_cutRemaining) {
                out.resize(before + *_cutRemaining);
                _output.clear();
                _cutRemaining.reset();
                close();
            } else {
                *_cutRemaining -= added;
            }
        }
        if (!streamed) {
            traceSent(std::string_view(out).substr(before));
        } else {
            _bodyOctetsSent += out.size() - before;
            if (finished || _closeRequested) {
                _handler.trace(TraceDirection::sent,
                               "[message data: " + std::to_string(_bodyOctetsSent) + " octets]");
                _bodyOctetsSent = 0;
            }
        }
    }
    return out.size() > start;
}

ServerSession::BodyProgress ServerSession::pullBody(Body& body, std::string& out) {
    std::string chunk;
    bool exhausted = false;
    if (body.content.stream) {
        chunk.resize(kStreamChunk);
        std::istream& stream = *body.content.stream;
        stream.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        chunk.resize(static_cast<std::size_t>(stream.gcount()));
        if (stream.bad() || (stream.fail() && !stream.eof()))
            return BodyProgress::Failed;
        exhausted = stream.eof();
    } else {
        const std::string& text = body.content.text;
        const std::size_t n = std::min(kStreamChunk, text.size() - body.textOffset);
        chunk.assign(text, body.textOffset, n);
        body.textOffset += n;
        exhausted = body.textOffset == text.size();
    }
    if (body.top) {
        std::string view;
        if (!body.top->feed(chunk, view))
            exhausted = true;
        if (exhausted)
            body.top->finish(view);
        chunk.swap(view);
    }
    body.encoder.encode(chunk, out);
    if (!exhausted)
        return BodyProgress::More;
    body.encoder.finish(out);
    return BodyProgress::Done;
}

void ServerSession::traceSent(std::string_view sent) {
    std::size_t pos = 0;
    while (pos < sent.size()) {
        const std::size_t end = sent.find("\r\n", pos);
        if (end == std::string_view::npos) {
            _handler.trace(TraceDirection::sent, sent.substr(pos));
            return;
        }
        _handler.trace(TraceDirection::sent, sent.substr(pos, end - pos));
        pos = end + 2;
    }
}

} // namespace pop3
