#include "pop3/Client.h"

#include "pop3/Auth.h"
#include "pop3/Command.h"
#include "pop3/Errors.h"
#include "pop3/Limits.h"
#include "pop3/ResponseDecoder.h"
#include "pop3/Sasl.h"

#include <Poco/File.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pop3 {

namespace {

constexpr std::uint16_t kPop3Port = 110;
constexpr std::uint16_t kPop3sPort = 995;
/// One receive: a large read lets the client catch up in few system calls when it falls behind.
constexpr std::size_t kReadChunk = 256 * 1024;
/// Body pieces shorter than this are gathered before they reach the output stream.
constexpr std::size_t kDirectWrite = 16 * 1024;
/// The most a body writer gathers.
constexpr std::size_t kWriteBatch = 64 * 1024;
constexpr std::size_t kPipelineWindow = 32;
constexpr const char* kMask = "****";

Poco::Timespan toTimespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

Poco::Net::Context::Ptr makeContext(const Client& client) {
    ClientTlsSettings settings;
    settings.serverName = client.host;
    settings.verify = client.verifyServerCertificate;
    settings.caFile = client.caFile;
    settings.caPath = client.caPath;
    settings.minProtocol = client.minProtocol;
    settings.maxProtocol = client.maxProtocol;
    settings.allowUnsafeLegacyRenegotiation = client.allowUnsafeLegacyRenegotiation;
    settings.useLegacyServerConnect = client.useLegacyServerConnect;
    return makeClientContext(settings);
}

std::vector<std::string_view> splitWords(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (text[pos] == ' ') {
            ++pos;
            continue;
        }
        const std::size_t end = std::min(text.find(' ', pos), text.size());
        words.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return words;
}

bool isValidUid(std::string_view uid) {
    return !uid.empty() && uid.size() <= limits::kMaxUniqueIdLength &&
           std::all_of(uid.begin(), uid.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

Capabilities parseCapabilities(const std::string& body) {
    Capabilities capa;
    for (const std::string& line : splitBodyLines(body)) {
        capa.lines.push_back(line);
        const std::vector<std::string_view> words = splitWords(line);
        if (words.empty())
            continue;
        const std::string name = Poco::toUpper(std::string(words[0]));
        const std::string rest =
            words.size() > 1 ? line.substr(static_cast<std::size_t>(words[1].data() - line.data()))
                             : std::string();
        if (name == "TOP")
            capa.top = true;
        else if (name == "UIDL")
            capa.uidl = true;
        else if (name == "USER")
            capa.user = true;
        else if (name == "STLS")
            capa.stls = true;
        else if (name == "RESP-CODES")
            capa.respCodes = true;
        else if (name == "AUTH-RESP-CODE")
            capa.authRespCode = true;
        else if (name == "PIPELINING")
            capa.pipelining = true;
        else if (name == "EXPIRE")
            capa.expire = rest;
        else if (name == "LOGIN-DELAY")
            capa.loginDelay = rest;
        else if (name == "IMPLEMENTATION")
            capa.implementation = rest;
        else if (name == "SASL") {
            for (std::size_t i = 1; i < words.size(); ++i)
                capa.saslMechanisms.push_back(Poco::toUpper(std::string(words[i])));
        }
    }
    return capa;
}

std::string messageCommand(const char* name, std::optional<std::uint64_t> msgNum) {
    return msgNum ? std::string(name) + " " + std::to_string(*msgNum) : std::string(name);
}

/// "+OK 1234 octets" → 1234; 0 when the text does not start with a number.
std::uint64_t announcedSize(const std::string& text) {
    const std::vector<std::string_view> words = splitWords(text);
    if (words.empty())
        return 0;
    return parseDecimal(words[0]).value_or(0);
}

MaildropStat parseStat(const std::string& text) {
    const std::vector<std::string_view> words = splitWords(text);
    const auto count = words.size() >= 2 ? parseDecimal(words[0]) : std::nullopt;
    const auto octets = words.size() >= 2 ? parseDecimal(words[1]) : std::nullopt;
    if (!count || !octets)
        throw ProtocolError("malformed STAT reply '+OK " + text +
                            "' (RFC 1939 §5: +OK count octets)");
    return {*count, *octets};
}

/// "n value" of a LIST or UIDL line (or a single-message reply); throws on anything else.
std::pair<std::uint64_t, std::string_view> parseEntry(std::string_view line, const char* command) {
    const std::vector<std::string_view> words = splitWords(line);
    const auto number = words.size() >= 2 ? parseDecimal(words[0]) : std::nullopt;
    if (!number || *number == 0)
        throw ProtocolError(std::string("malformed ") + command + " line '" + std::string(line) +
                            "'");
    return {*number, words[1]};
}

ListEntry parseListEntry(std::string_view line) {
    const auto [msgNum, size] = parseEntry(line, "LIST");
    const auto octets = parseDecimal(size);
    if (!octets)
        throw ProtocolError("malformed LIST size in '" + std::string(line) + "'");
    return {msgNum, *octets};
}

UidlEntry parseUidlEntry(std::string_view line) {
    const auto [msgNum, uid] = parseEntry(line, "UIDL");
    // Unlike a scan listing (RFC 1939 §5 LIST), a unique-id listing has no room for more text.
    if (!isValidUid(uid) || splitWords(line).size() != 2)
        throw ProtocolError("malformed unique-id in '" + std::string(line) +
                            "' (RFC 1939 §7: 1 to 70 characters 0x21-0x7E)");
    return {msgNum, std::string(uid)};
}

/// Joins the bodies of LIST and UIDL by message number.
std::vector<MessageListing> joinListing(const std::string& listBody, const std::string& uidlBody) {
    std::vector<MessageListing> listing;
    for (const std::string& line : splitBodyLines(listBody)) {
        const ListEntry entry = parseListEntry(line);
        listing.push_back({entry.msgNum, entry.size, {}});
    }
    for (const std::string& line : splitBodyLines(uidlBody)) {
        UidlEntry entry = parseUidlEntry(line);
        const auto it = std::find_if(listing.begin(), listing.end(), [&](const MessageListing& m) {
            return m.msgNum == entry.msgNum;
        });
        if (it == listing.end())
            throw ProtocolError("UIDL lists message " + std::to_string(entry.msgNum) +
                                " which LIST does not");
        it->uid = std::move(entry.id);
    }
    return listing;
}

/// Writes through `write` into a temporary file beside `fileName`, then renames it into
/// place; on any failure the temporary file is removed and the target is left untouched.
std::uint64_t writeFileAtomically(const std::string& fileName,
                                  const std::function<std::uint64_t(std::ostream&)>& write) {
    const Poco::Path target = Poco::Path(fileName).absolute();
    const std::string temporary = Poco::TemporaryFile::tempName(target.parent().toString());
    std::uint64_t octets = 0;
    try {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error("cannot create '" + temporary + "': " + std::strerror(errno));
        octets = write(out);
        out.close();
        if (!out)
            throw Error("cannot write '" + temporary + "': " + std::strerror(errno));
        try {
            Poco::File(temporary).renameTo(target.toString());
        } catch (const Poco::Exception& e) {
            throw Error("cannot move the message into '" + target.toString() +
                        "': " + e.displayText());
        }
    } catch (...) {
        try {
            Poco::File(temporary).remove();
        } catch (const Poco::Exception&) {
            // It was never created.
        }
        throw;
    }
    return octets;
}

/// Passes a message body to its stream. The decoder cuts the body at every stuffed line, so a
/// message with many of them arrives in pieces of a few kilobytes; written one by one, each
/// would cost a file stream a system call. Small pieces are gathered into writes of up to
/// kWriteBatch octets, large ones go straight through.
class BodyWriter {
public:
    explicit BodyWriter(std::ostream& out) : _out(&out) { _pending.reserve(kWriteBatch); }

    void write(std::string_view data) {
        if (_pending.size() + data.size() > kWriteBatch || data.size() >= kDirectWrite)
            flush();
        if (data.size() >= kDirectWrite)
            put(data);
        else
            _pending.append(data);
    }

    /// Writes what is gathered; false once the stream has failed.
    bool flush() {
        put(_pending);
        _pending.clear();
        return !_failed;
    }

private:
    void put(std::string_view data) {
        if (_failed || data.empty())
            return;
        _out->write(data.data(), static_cast<std::streamsize>(data.size()));
        _failed = !*_out;
    }

    std::ostream* _out;
    std::string _pending;
    bool _failed = false;
};

} // namespace

bool Capabilities::has(std::string_view name) const {
    for (const std::string& line : lines) {
        const std::string keyword = line.substr(0, line.find(' '));
        if (Poco::icompare(keyword, std::string(name)) == 0)
            return true;
    }
    return false;
}

/// One connection: the socket (plain or TLS), the bytes read but not yet decoded, and the
/// session facts learned from the server.
class Client::Connection {
public:
    explicit Connection(const Client& settings)
        : _settings(&settings), _port(settings.port != 0                            ? settings.port
                                      : settings.encryptMode == EncryptMode::sslTls ? kPop3sPort
                                                                                    : kPop3Port) {}

    ~Connection() {
        try {
            _socket.close();
        } catch (...) {
            // Closing a dead socket: nothing to report from a destructor.
        }
    }

    void open() {
        const std::string where = endpoint();
        Poco::Net::SocketAddress address;
        try {
            address = Poco::Net::SocketAddress(_settings->host, _port);
        } catch (const Poco::Exception& e) {
            throw ConnectionError("cannot resolve " + where + ": " + e.displayText());
        }
        const Poco::Timespan timeout = toTimespan(_settings->timeout);
        if (_settings->encryptMode == EncryptMode::sslTls) {
            _context = makeContext(*_settings);
            clearVerificationFailure();
            try {
                Poco::Net::SecureStreamSocket secure(_context);
                secure.setPeerHostName(_settings->host);
                secure.connect(address, timeout);
                _socket = secure;
            } catch (const Poco::Net::SSLException& e) {
                throw tlsFailure(e);
            } catch (const Poco::TimeoutException&) {
                throw TimeoutError("no TLS handshake with " + where + " within " +
                                   std::to_string(_settings->timeout.count()) + " ms");
            } catch (const Poco::Exception& e) {
                throw ConnectionError("cannot connect to " + where + ": " + e.displayText());
            }
            _secure = true;
        } else {
            try {
                _socket.connect(address, timeout);
            } catch (const Poco::TimeoutException&) {
                throw TimeoutError("cannot connect to " + where + " within " +
                                   std::to_string(_settings->timeout.count()) + " ms");
            } catch (const Poco::Exception& e) {
                throw ConnectionError("cannot connect to " + where + ": " + e.displayText());
            }
        }
        _socket.setNoDelay(true);
        _socket.setReceiveTimeout(timeout);
        _socket.setSendTimeout(timeout);

        const StatusLine greeting = read(ResponseKind::SingleLine, "greeting");
        if (!greeting.ok())
            throw ServerError("greeting", greeting.code, greeting.text);
        _greeting = greeting.text;
        _apopTimestamp = extractApopTimestamp(greeting.text);
        readCapabilities();
        if (_settings->encryptMode == EncryptMode::startTls)
            startTls();
        if (!_settings->username.empty())
            logIn();
    }

    void quit() {
        const StatusLine status = exchange("QUIT", ResponseKind::SingleLine, "QUIT");
        _socket.close();
        if (!status.ok())
            throw ServerError("QUIT", status.code, status.text);
    }

    /// Sends `line` and reads the reply; -ERR is returned, not thrown.
    StatusLine exchange(const std::string& line, ResponseKind kind, const std::string& traced,
                        ResponseDecoder::BodySink sink = {}) {
        send(line + "\r\n", traced);
        return read(kind, traced, std::move(sink));
    }

    /// Like exchange(), but -ERR throws ServerError.
    StatusLine command(const std::string& line, ResponseKind kind = ResponseKind::SingleLine,
                       ResponseDecoder::BodySink sink = {}) {
        const StatusLine status = exchange(line, kind, line, std::move(sink));
        if (!status.ok())
            throw ServerError(line, status.code, status.text);
        return status;
    }

    std::string multiline(const std::string& line) {
        std::string body;
        command(line, ResponseKind::MultiLine, [&](std::string_view data) { body.append(data); });
        return body;
    }

    /// Sends the lines and returns the replies in order. With PIPELINING (RFC 2449 §6.6) up to
    /// kPipelineWindow commands are in flight, so neither side can block the other on full
    /// socket buffers; without it, one at a time.
    std::vector<StatusLine>
    pipeline(const std::vector<std::string>& lines, ResponseKind kind,
             const std::function<ResponseDecoder::BodySink(std::size_t)>& sinkFor = {}) {
        const std::size_t window = _capabilities.pipelining ? kPipelineWindow : 1;
        std::vector<StatusLine> replies;
        std::size_t sent = 0;
        while (replies.size() < lines.size()) {
            std::string batch;
            for (; sent < lines.size() && sent - replies.size() < window; ++sent) {
                batch += lines[sent] + "\r\n";
                trace(TraceDirection::sent, lines[sent]);
            }
            if (!batch.empty())
                sendRaw(batch, lines[sent - 1]);
            const std::size_t i = replies.size();
            replies.push_back(read(kind, lines[i], sinkFor ? sinkFor(i) : nullptr));
        }
        return replies;
    }

    /// Streams RETR or TOP bodies, pipelined, each to the stream `outFor(i)` gives just before
    /// it arrives; returns the octets of each. A refused command or a failed write is reported
    /// after every reply is read, so the session stays usable.
    std::vector<std::uint64_t> download(const std::vector<std::string>& lines,
                                        const std::function<std::ostream&(std::size_t)>& outFor) {
        std::vector<std::uint64_t> received(lines.size(), 0);
        std::uint64_t expected = 0;
        std::optional<std::size_t> writeFailed;
        std::optional<BodyWriter> writer;
        // The previous body is complete in its stream before the next stream is asked for.
        auto finishBody = [&](std::size_t i) {
            if (writer && !writer->flush() && !writeFailed)
                writeFailed = i;
        };
        _onStatus = [&](const StatusLine& status) { expected = announcedSize(status.text); };
        const std::vector<StatusLine> replies =
            pipeline(lines, ResponseKind::MultiLine, [&](std::size_t i) {
                if (i > 0)
                    finishBody(i - 1);
                expected = 0;
                writer.emplace(outFor(i));
                return [&, i](std::string_view data) {
                    if (!writeFailed)
                        writer->write(data);
                    received[i] += data.size();
                    if (_settings->onProgress)
                        _settings->onProgress(received[i], expected);
                };
            });
        _onStatus = nullptr;
        finishBody(lines.size() - 1);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (!replies[i].ok())
                throw ServerError(lines[i], replies[i].code, replies[i].text);
        }
        if (writeFailed)
            throw Error(lines[*writeFailed] + ": writing the message failed after " +
                        std::to_string(received[*writeFailed]) + " octets");
        return received;
    }

    std::uint64_t download(const std::string& line, std::ostream& out) {
        return download(std::vector<std::string>{line},
                        [&](std::size_t) -> std::ostream& { return out; })[0];
    }

    const std::string& greeting() const { return _greeting; }
    const Capabilities& capabilities() const { return _capabilities; }
    bool secure() const { return _secure; }
    /// After the owning Client moved.
    void rebind(const Client& settings) { _settings = &settings; }

private:
    std::string endpoint() const { return _settings->host + ":" + std::to_string(_port); }

    void trace(TraceDirection direction, std::string_view line) const {
        if (_settings->onTrace)
            _settings->onTrace(direction, line);
    }

    void send(const std::string& bytes, const std::string& traced) {
        trace(TraceDirection::sent, traced);
        sendRaw(bytes, traced);
    }

    void sendRaw(const std::string& bytes, const std::string& what) {
        try {
            std::size_t sent = 0;
            while (sent < bytes.size()) {
                const int n =
                    _socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
                if (n <= 0)
                    throw ConnectionError("connection to " + endpoint() + " closed while sending " +
                                          what);
                sent += static_cast<std::size_t>(n);
            }
        } catch (const Poco::TimeoutException&) {
            throw TimeoutError("sending " + what + " to " + endpoint() + " took over " +
                               std::to_string(_settings->timeout.count()) + " ms");
        } catch (const Poco::Exception& e) {
            throw ConnectionError("connection to " + endpoint() + " lost while sending " + what +
                                  ": " + e.displayText());
        }
    }

    /// Receives into _chunk, waiting at most the timeout; returns the octets received. Waits with
    /// poll() rather than the socket's receive timeout, which Poco 1.11 doubles for TLS.
    std::size_t receive(const std::string& what) {
        int n = 0;
        try {
            if (_socket.available() <= 0 &&
                !_socket.poll(toTimespan(_settings->timeout), Poco::Net::Socket::SELECT_READ))
                throw Poco::TimeoutException();
            n = _socket.receiveBytes(_chunk.data(), static_cast<int>(_chunk.size()));
        } catch (const Poco::TimeoutException&) {
            throw TimeoutError("no reply from " + endpoint() + " to " + what + " within " +
                               std::to_string(_settings->timeout.count()) + " ms");
        } catch (const Poco::Exception& e) {
            throw ConnectionError("connection to " + endpoint() +
                                  " lost while reading the reply to " + what + ": " +
                                  e.displayText());
        }
        if (n <= 0) {
            std::string message =
                "connection closed by " + endpoint() + " while reading the reply to " + what;
            if (_decoder.bodyOctets() > 0)
                message += " after " + std::to_string(_decoder.bodyOctets()) + " octets of it";
            throw ConnectionError(message);
        }
        return static_cast<std::size_t>(n);
    }

    StatusLine read(ResponseKind kind, const std::string& what,
                    ResponseDecoder::BodySink sink = {}) {
        bool statusSeen = false;
        ResponseDecoder::BodySink wrapped;
        if (sink) {
            wrapped = [&, sink = std::move(sink)](std::string_view data) {
                if (!statusSeen) {
                    statusSeen = true;
                    if (_onStatus)
                        _onStatus(_decoder.status());
                }
                sink(data);
            };
        }
        _decoder.expect(kind, std::move(wrapped));
        // The decoder takes all it is given until the reply ends, so bytes received while
        // _buffer is empty are decoded straight from _chunk; only what follows the end of the
        // reply (pipelining) is kept in _buffer.
        std::string_view input = std::string_view(_buffer).substr(_consumed);
        bool buffered = true;
        for (;;) {
            const std::size_t used = _decoder.feed(input);
            input.remove_prefix(used);
            if (buffered) {
                _consumed += used;
                if (_consumed == _buffer.size()) {
                    _buffer.clear();
                    _consumed = 0;
                }
            } else {
                _buffer.assign(input);
            }
            switch (_decoder.state()) {
            case ResponseDecoder::State::Complete:
                if (_decoder.isContinuation())
                    trace(TraceDirection::received, "+ " + _decoder.challenge());
                else
                    traceStatus(_decoder.status());
                return _decoder.status();
            case ResponseDecoder::State::Failed:
                throw ProtocolError("malformed reply from " + endpoint() + " to " + what + ": " +
                                    _decoder.error());
            default: {
                if (_consumed > 0) {
                    _buffer.erase(0, _consumed);
                    _consumed = 0;
                }
                const std::size_t received = receive(what);
                buffered = !_buffer.empty();
                if (buffered) {
                    _buffer.append(_chunk.data(), received);
                    input = _buffer;
                } else {
                    input = std::string_view(_chunk.data(), received);
                }
            }
            }
        }
    }

    void traceStatus(const StatusLine& status) const {
        if (!_settings->onTrace)
            return;
        std::string line = status.ok() ? "+OK" : "-ERR";
        if (!status.code.empty())
            line += " [" + status.code + "]";
        if (!status.text.empty())
            line += " " + status.text;
        trace(TraceDirection::received, line);
    }

    void readCapabilities() {
        std::string body;
        const StatusLine status = exchange("CAPA", ResponseKind::MultiLine, "CAPA",
                                           [&](std::string_view data) { body.append(data); });
        _capabilities = status.ok() ? parseCapabilities(body) : Capabilities{};
    }

    void startTls() {
        if (!_capabilities.stls)
            throw NotSupportedError(endpoint() + " does not offer STLS (not in its CAPA reply); "
                                                 "use encryptMode sslTls or none");
        command("STLS");
        // Anything after the +OK was sent before TLS and cannot be trusted (RFC 2595 §4).
        if (_consumed < _buffer.size())
            trace(TraceDirection::received, "(discarded " +
                                                std::to_string(_buffer.size() - _consumed) +
                                                " octets sent before the TLS handshake)");
        _buffer.clear();
        _consumed = 0;
        _context = makeContext(*_settings);
        clearVerificationFailure();
        try {
            _socket = Poco::Net::SecureStreamSocket::attach(_socket, _settings->host, _context);
        } catch (const Poco::Net::SSLException& e) {
            throw tlsFailure(e);
        } catch (const Poco::TimeoutException&) {
            throw TimeoutError("no TLS handshake with " + endpoint() + " within " +
                               std::to_string(_settings->timeout.count()) + " ms");
        } catch (const Poco::Exception& e) {
            throw ConnectionError("connection to " + endpoint() +
                                  " lost during the TLS handshake: " + e.displayText());
        }
        _secure = true;
        readCapabilities();
    }

    TlsError tlsFailure(const Poco::Exception& e) const {
        if (!lastVerificationFailure().empty())
            return TlsError("certificate of " + endpoint() +
                            " rejected: " + lastVerificationFailure() +
                            " (trust its CA with caFile/caPath, or set "
                            "verifyServerCertificate = false)");
        return TlsError("TLS handshake with " + endpoint() + " failed: " + e.displayText() +
                        " (allowed versions " + toString(_settings->minProtocol) + ".." +
                        toString(_settings->maxProtocol) + ")");
    }

    void logIn() {
        switch (_settings->authMode) {
        case AuthMode::userPass:
            command("USER " + _settings->username);
            passCommand("PASS " + _settings->password, "PASS " + std::string(kMask));
            return;
        case AuthMode::apop:
            if (!_apopTimestamp)
                throw NotSupportedError(endpoint() + " offers no APOP: its greeting has no "
                                                     "<timestamp>");
            // The digest allows offline guessing of the password, like a CRAM-MD5 response.
            passCommand("APOP " + _settings->username + " " +
                            apopDigest(*_apopTimestamp, _settings->password),
                        "APOP " + _settings->username + " " + kMask);
            return;
        case AuthMode::sasl:
            authenticate(chooseMechanism());
            return;
        }
    }

    void passCommand(const std::string& line, const std::string& traced) {
        const StatusLine status = exchange(line, ResponseKind::SingleLine, traced);
        if (!status.ok())
            throw ServerError(traced, status.code, status.text);
    }

    std::string chooseMechanism() const {
        static const std::vector<std::string> strongestFirst = {"CRAM-MD5", "PLAIN", "LOGIN"};
        const std::vector<std::string>& wanted =
            _settings->saslMechanisms.empty() ? strongestFirst : _settings->saslMechanisms;
        const std::vector<std::string>& offered = _capabilities.saslMechanisms;
        for (const std::string& mechanism : wanted) {
            const std::string name = Poco::toUpper(mechanism);
            if (std::find(offered.begin(), offered.end(), name) != offered.end())
                return name;
        }
        std::string offeredText;
        for (const std::string& name : offered)
            offeredText += (offeredText.empty() ? "" : " ") + name;
        throw NotSupportedError(endpoint() + " offers no SASL mechanism we can use (it offers: " +
                                (offeredText.empty() ? std::string("none") : offeredText) + ")");
    }

    void authenticate(const std::string& mechanism) {
        std::unique_ptr<SaslClientExchange> sasl =
            SaslClientExchange::create(mechanism, _settings->username, _settings->password);
        if (!sasl)
            throw NotSupportedError("SASL mechanism " + mechanism + " is not implemented");
        const std::string what = "AUTH " + mechanism;
        std::string line = what;
        std::string traced = what;
        const std::optional<std::string> initial = sasl->initialResponse();
        // RFC 5034 §4: the initial response only fits if the command stays within 255 octets.
        if (initial && line.size() + 1 + initial->size() + 2 <= limits::kMaxCommandLine) {
            line += " " + *initial;
            traced += std::string(" ") + kMask;
        }
        send(line + "\r\n", traced);
        for (unsigned step = 0; step <= limits::kMaxSaslSteps; ++step) {
            const StatusLine status = read(ResponseKind::SaslStep, what);
            if (!_decoder.isContinuation()) {
                if (!status.ok())
                    throw ServerError(what, status.code, status.text);
                return;
            }
            const std::optional<std::string> response = sasl->respond(_decoder.challenge());
            if (!response) {
                send("*\r\n", "*");
                read(ResponseKind::SaslStep, what);
                throw ProtocolError(endpoint() + " sent an unexpected " + mechanism +
                                    " challenge '" + _decoder.challenge() + "'");
            }
            send(*response + "\r\n", kMask);
        }
        throw ProtocolError(endpoint() + " did not finish " + what + " within " +
                            std::to_string(limits::kMaxSaslSteps) + " steps");
    }

    const Client* _settings;
    const std::uint16_t _port;
    Poco::Net::Context::Ptr _context;
    Poco::Net::StreamSocket _socket;
    std::array<char, kReadChunk> _chunk;
    std::string _buffer;
    std::size_t _consumed = 0;
    ResponseDecoder _decoder;
    std::function<void(const StatusLine&)> _onStatus;
    std::string _greeting;
    std::optional<std::string> _apopTimestamp;
    Capabilities _capabilities;
    bool _secure = false;
};

Client::Client() = default;
Client::~Client() = default;

Client::Client(Client&& other) noexcept {
    *this = std::move(other);
}

Client& Client::operator=(Client&& other) noexcept {
    if (this == &other)
        return *this;
    host = std::move(other.host);
    port = other.port;
    timeout = other.timeout;
    username = std::move(other.username);
    password = std::move(other.password);
    authMode = other.authMode;
    encryptMode = other.encryptMode;
    verifyServerCertificate = other.verifyServerCertificate;
    allowUnsafeLegacyRenegotiation = other.allowUnsafeLegacyRenegotiation;
    useLegacyServerConnect = other.useLegacyServerConnect;
    caFile = std::move(other.caFile);
    caPath = std::move(other.caPath);
    minProtocol = other.minProtocol;
    maxProtocol = other.maxProtocol;
    saslMechanisms = std::move(other.saslMechanisms);
    onProgress = std::move(other.onProgress);
    onTrace = std::move(other.onTrace);
    _connection = std::move(other._connection);
    if (_connection)
        _connection->rebind(*this);
    return *this;
}

template <typename Function> auto Client::use(Function&& function) {
    if (!_connection)
        throw UsageError("not connected: call connect() first");
    try {
        return function(*_connection);
    } catch (const TimeoutError&) {
        _connection.reset(); // the reply may still come: the session is out of step
        throw;
    } catch (const ConnectionError&) {
        _connection.reset();
        throw;
    } catch (const ProtocolError&) {
        _connection.reset(); // after garbage, nothing that follows can be trusted
        throw;
    }
}

void Client::connect() {
    if (_connection)
        throw UsageError("already connected to " + host);
    // A line end in a credential would end the command early and start another one.
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string&>{"username", username},
          {"password", password}}) {
        if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
            throw UsageError(std::string(name) + " contains CR, LF or NUL");
    }
    auto connection = std::make_unique<Connection>(*this);
    connection->open();
    _connection = std::move(connection);
}

void Client::disconnect() {
    if (!_connection)
        return;
    std::unique_ptr<Connection> connection = std::move(_connection);
    connection->quit();
}

bool Client::connected() const {
    return _connection != nullptr;
}

const std::string& Client::greeting() const {
    if (!_connection)
        throw UsageError("not connected: call connect() first");
    return _connection->greeting();
}

const Capabilities& Client::capabilities() const {
    if (!_connection)
        throw UsageError("not connected: call connect() first");
    return _connection->capabilities();
}

bool Client::secure() const {
    return _connection && _connection->secure();
}

MaildropStat Client::stat() {
    return use([](Connection& connection) { return parseStat(connection.command("STAT").text); });
}

std::uint64_t Client::count() {
    return stat().count;
}

std::uint64_t Client::size() {
    return stat().octets;
}

std::uint64_t Client::size(std::uint64_t msgNum) {
    return list(msgNum).at(0).size;
}

std::vector<ListEntry> Client::list(std::optional<std::uint64_t> msgNum) {
    return use([&](Connection& connection) {
        const std::string line = messageCommand("LIST", msgNum);
        if (msgNum)
            return std::vector<ListEntry>{parseListEntry(connection.command(line).text)};
        std::vector<ListEntry> entries;
        for (const std::string& entry : splitBodyLines(connection.multiline(line)))
            entries.push_back(parseListEntry(entry));
        return entries;
    });
}

std::vector<UidlEntry> Client::uidl(std::optional<std::uint64_t> msgNum) {
    return use([&](Connection& connection) {
        const std::string line = messageCommand("UIDL", msgNum);
        if (msgNum)
            return std::vector<UidlEntry>{parseUidlEntry(connection.command(line).text)};
        std::vector<UidlEntry> entries;
        for (const std::string& entry : splitBodyLines(connection.multiline(line)))
            entries.push_back(parseUidlEntry(entry));
        return entries;
    });
}

std::vector<MessageListing> Client::listing() {
    return use([](Connection& connection) {
        std::string bodies[2];
        const std::vector<StatusLine> replies =
            connection.pipeline({"LIST", "UIDL"}, ResponseKind::MultiLine, [&](std::size_t i) {
                return [&bodies, i](std::string_view data) { bodies[i].append(data); };
            });
        if (!replies[0].ok())
            throw ServerError("LIST", replies[0].code, replies[0].text);
        if (!replies[1].ok())
            throw ServerError("UIDL", replies[1].code, replies[1].text);
        return joinListing(bodies[0], bodies[1]);
    });
}

std::string Client::retrieve(std::uint64_t msgNum) {
    std::ostringstream out;
    retrieve(msgNum, out);
    return std::move(out).str();
}

std::uint64_t Client::retrieve(std::uint64_t msgNum, std::ostream& out) {
    return use([&](Connection& connection) {
        return connection.download("RETR " + std::to_string(msgNum), out);
    });
}

std::uint64_t Client::retrieve(std::uint64_t msgNum, const std::string& fileName) {
    return writeFileAtomically(fileName, [&](std::ostream& out) { return retrieve(msgNum, out); });
}

std::vector<std::uint64_t>
Client::retrieve(const std::vector<std::uint64_t>& msgNums,
                 const std::function<std::ostream&(std::uint64_t msgNum)>& out) {
    std::vector<std::string> lines;
    for (const std::uint64_t msgNum : msgNums)
        lines.push_back("RETR " + std::to_string(msgNum));
    return use([&](Connection& connection) {
        return connection.download(lines,
                                   [&](std::size_t i) -> std::ostream& { return out(msgNums[i]); });
    });
}

std::string Client::top(std::uint64_t msgNum, std::uint64_t maxLines) {
    std::ostringstream out;
    top(msgNum, maxLines, out);
    return std::move(out).str();
}

std::uint64_t Client::top(std::uint64_t msgNum, std::uint64_t maxLines, std::ostream& out) {
    return use([&](Connection& connection) {
        return connection.download("TOP " + std::to_string(msgNum) + " " + std::to_string(maxLines),
                                   out);
    });
}

std::uint64_t Client::top(std::uint64_t msgNum, std::uint64_t maxLines,
                          const std::string& fileName) {
    return writeFileAtomically(fileName,
                               [&](std::ostream& out) { return top(msgNum, maxLines, out); });
}

bool Client::remove(std::uint64_t msgNum) {
    return remove(std::vector<std::uint64_t>{msgNum})[0];
}

std::vector<bool> Client::remove(const std::vector<std::uint64_t>& msgNums) {
    std::vector<std::string> lines;
    for (const std::uint64_t msgNum : msgNums)
        lines.push_back("DELE " + std::to_string(msgNum));
    return use([&](Connection& connection) {
        std::vector<bool> results;
        for (const StatusLine& status : connection.pipeline(lines, ResponseKind::SingleLine))
            results.push_back(status.ok());
        return results;
    });
}

void Client::noop() {
    use([](Connection& connection) { connection.command("NOOP"); });
}

void Client::reset() {
    use([](Connection& connection) { connection.command("RSET"); });
}

} // namespace pop3
