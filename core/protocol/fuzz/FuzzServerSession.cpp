// fuzz_server_session: a ServerSession over an in-memory maildrop, fed arbitrary client bytes.
//
// Input: nine header bytes, then an extra message and the client's bytes:
//   0 config: APOP off, USER off, STLS available, implicit TLS, refuse plaintext login, UTF8,
//     LANG, messages as streams (bits 0-7)
//   1 start: STLS first, log in, AUTH <mechanism> (bits 0-2), the mechanism (bits 3-4),
//     failed TLS handshakes (5), 3 bad commands allowed (6), 32-octet lines (7)
//   2 maildrop: forced login status (bits 0-2), unreadable (3), refuse DELE (4), failing
//     UPDATE (5), a method throws (6), throws a non-std exception (7)
//   3 the method that throws (bits 0-2), the intercept (bits 3-5)
//   4 the intercepted command's ordinal (0 is the greeting), 5 the intercept's octet count
//   6 chunk seed, 7 output budget, 8 length of the extra message
// The session runs twice: fed line by line, where each complete line must get exactly one
// response that the client decoder accepts (or the connection closes), and fed in chunks,
// which must give the same bytes when nothing chunk-dependent (STLS, discarded input) is on.
// Always: CR and LF come only as CRLF, output stays bounded by the input and the maildrop,
// ended() runs once and UPDATE at most once.

#include "pop3/Auth.h"
#include "pop3/ResponseDecoder.h"
#include "pop3/ServerSession.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "FuzzSupport.h"
#include "support/FakeMailbox.h"

namespace {

using pop3::CommandContext;
using pop3::Intercept;
using pop3::LoginStatus;
using pop3::ResponseDecoder;
using pop3::ResponseKind;
using pop3::ServerSession;
using pop3::ServerSessionConfig;
using pop3::fuzz::Chunker;
using pop3::fuzz::InputReader;
using pop3::test::FakeMailbox;

struct Setup {
    std::uint8_t config = 0;
    std::uint8_t start = 0;
    std::uint8_t maildrop = 0;
    std::uint8_t thrower = 0;
    std::uint8_t interceptAt = 0;
    std::uint8_t interceptOctets = 0;
    std::uint8_t chunkSeed = 0;
    std::uint8_t budget = 0;
    std::string_view extraMessage;
    std::string_view client;

    bool bit(std::uint8_t byte, int n) const { return (byte >> n) & 1u; }
    int interceptKind() const { return (thrower >> 3) & 7; }
    /// Runs whose output legitimately depends on how the input was cut.
    bool chunkDependent() const {
        return bit(config, 2) || interceptKind() == 6 || interceptKind() == 7;
    }
};

constexpr std::string_view kMessages[] = {
    "From: a@example.com\r\nSubject: one\r\n\r\nHello\r\n",
    "Subject: two\n\n.leading dot\nbody 2\n..\n.\nend",
    "Subject: three\r\n\r\nl1\r\nl2\r\nl3\r\n",
    "",
    "no header end\rlone CR\r\n.\r\n",
};

std::size_t budgetFor(std::uint8_t selector) {
    constexpr std::size_t budgets[] = {64 * 1024, 1, 7, 100, 4096};
    return budgets[selector % 5];
}

class Run {
public:
    explicit Run(const Setup& setup) : _setup(setup), _session(config(setup), _mailbox, nonce()) {
        for (std::string_view text : kMessages)
            _mailbox.add("uid-" + std::to_string(_mailbox.stored.size() + 1), std::string(text));
        _mailbox.add("extra", std::string(setup.extraMessage));
        for (const auto& stored : _mailbox.stored)
            _maxMessage = std::max(_maxMessage, stored.text.size());
        _mailbox.streamed = setup.bit(setup.config, 7);
        static constexpr LoginStatus statuses[] = {
            LoginStatus::Accepted,   LoginStatus::Rejected,         LoginStatus::InUse,
            LoginStatus::LoginDelay, LoginStatus::TemporaryFailure, LoginStatus::PermanentFailure};
        if (const int forced = setup.maildrop & 7; forced > 0 && forced <= 6)
            _mailbox.forcedStatus = statuses[forced - 1];
        _mailbox.unreadable = setup.bit(setup.maildrop, 3);
        _mailbox.acceptDelete = !setup.bit(setup.maildrop, 4);
        _mailbox.updateResult = !setup.bit(setup.maildrop, 5);
        if (setup.bit(setup.maildrop, 6)) {
            static const char* methods[] = {"login",  "retrieve", "top",   "markDeleted",
                                            "update", "ended",    "login", "retrieve"};
            _mailbox.throwIn[methods[setup.thrower & 7]] = true;
            _mailbox.throwNonStandard = setup.bit(setup.maildrop, 7);
        }
        _mailbox.interceptor = [this](const CommandContext&) { return intercept(); };
    }

    /// Feeds the client bytes line by line (`byLine`) or in chunks; returns all output.
    std::string run(bool byLine) {
        _session.start();
        drain();
        prefix();
        std::string_view rest = _setup.client;
        Chunker chunker(_setup.chunkSeed);
        while (!rest.empty() && !_session.closeRequested() && !_ended) {
            std::size_t size = chunker.next(rest.size());
            if (byLine) {
                const std::size_t lf = rest.find('\n');
                size = lf == std::string_view::npos ? rest.size() : lf + 1;
            }
            const std::string_view chunk = rest.substr(0, size);
            rest.remove_prefix(size);
            const std::size_t before = _output.size();
            _session.feed(chunk);
            drain();
            if (byLine)
                checkAnswer(chunk, before);
            if (_session.tlsRequested())
                handshake();
        }
        _session.end();
        _session.end();
        POP3_FUZZ_CHECK(_mailbox.endings.size() == 1);
        POP3_FUZZ_CHECK(_mailbox.updates.size() <= 1);
        checkLineEnds();
        const std::size_t perLine = 1024 + 64 * _mailbox.stored.size() + 2 * _maxMessage;
        POP3_FUZZ_CHECK(_output.size() <= 4096 + (_setup.client.size() + 8) * perLine);
        return _output;
    }

private:
    static ServerSessionConfig config(const Setup& setup) {
        ServerSessionConfig config;
        config.apop = !setup.bit(setup.config, 0);
        config.userPass = !setup.bit(setup.config, 1);
        config.tlsAvailable = setup.bit(setup.config, 2);
        config.tlsActive = setup.bit(setup.config, 3);
        config.refusePlaintextLoginWithoutTls = setup.bit(setup.config, 4);
        config.utf8 = setup.bit(setup.config, 5);
        if (setup.bit(setup.config, 6))
            config.languages = {"en English", "de-CH"};
        if (setup.bit(setup.start, 6))
            config.maxBadCommands = 3;
        if (setup.bit(setup.start, 7))
            config.maxCommandLine = 32;
        return config;
    }

    static std::function<std::string()> nonce() {
        return [counter = 0]() mutable { return "nonce" + std::to_string(++counter); };
    }

    Intercept intercept() {
        Intercept result;
        if (_contexts++ != _setup.interceptAt)
            return result;
        switch (_setup.interceptKind()) {
        case 1:
            result.dropBeforeReply = true;
            break;
        case 2:
            result.dropAfterBytes = _setup.interceptOctets;
            _cut = true;
            break;
        case 3:
            result.closeAfterReply = true;
            break;
        case 4:
            result.replaceReply = "-ERR [SYS/TEMP] replaced\r\n";
            break;
        case 5:
            result.rewriteReply = [](std::string reply) { return reply; };
            break;
        case 6:
            result.discardRestOfInput = true;
            break;
        case 7:
            result.keepInputAfterStls = true;
            break;
        default:
            break;
        }
        return result;
    }

    /// Brings the session to the state the start byte asks for, through its own API.
    void prefix() {
        if (_setup.bit(_setup.start, 0))
            send("STLS\r\n");
        if (_setup.bit(_setup.start, 1)) {
            if (!_session.apopTimestamp().empty())
                send("APOP alice " + pop3::apopDigest(_session.apopTimestamp(), "secret") + "\r\n");
            else {
                send("USER alice\r\n");
                send("PASS secret\r\n");
            }
        }
        if (_setup.bit(_setup.start, 2)) {
            static const char* mechanisms[] = {"PLAIN", "LOGIN", "CRAM-MD5", "X-UNKNOWN"};
            send(std::string("AUTH ") + mechanisms[(_setup.start >> 3) & 3] + "\r\n");
        }
    }

    /// Feeds one complete line and checks its answer.
    void send(std::string_view line) {
        if (_session.closeRequested() || _ended)
            return;
        const std::size_t before = _output.size();
        _session.feed(line);
        drain();
        checkAnswer(line, before);
        if (_session.tlsRequested())
            handshake();
    }

    /// The transport's side of STLS: the handshake succeeds unless the start byte says not.
    void handshake() {
        if (_setup.bit(_setup.start, 5)) {
            _session.end();
            _ended = true;
            return;
        }
        _session.tlsStarted();
        drain();
    }

    void drain() {
        const std::size_t budget = budgetFor(_setup.budget);
        while (_session.pullOutput(_output, budget)) {
        }
        POP3_FUZZ_CHECK(!_session.hasOutput());
    }

    /// A complete line fed alone gets exactly one response, unless the connection closes.
    void checkAnswer(std::string_view line, std::size_t before) {
        const std::string_view answer = std::string_view(_output).substr(before);
        const std::size_t perLine = 1024 + 64 * _mailbox.stored.size() + 2 * _maxMessage + 5;
        POP3_FUZZ_CHECK(answer.size() <= perLine);
        if (_cut || line.empty() || line.back() != '\n') {
            _inSasl = false;
            return;
        }
        if (_session.closeRequested() && answer.empty())
            return;
        std::string_view text = line.substr(0, line.size() - 1);
        if (!text.empty() && text.back() == '\r')
            text.remove_suffix(1);
        ResponseDecoder decoder;
        decoder.expect(_inSasl ? ResponseKind::SaslStep : pop3::responseKindOf(text));
        const std::size_t used = decoder.feed(answer);
        POP3_FUZZ_CHECK(decoder.state() == ResponseDecoder::State::Complete);
        POP3_FUZZ_CHECK(used == answer.size());
        _inSasl = decoder.isContinuation();
    }

    void checkLineEnds() const {
        for (std::size_t i = 0; i < _output.size(); ++i) {
            if (_output[i] == '\n')
                POP3_FUZZ_CHECK(i > 0 && _output[i - 1] == '\r');
            if (_output[i] == '\r' && !(_cut && i + 1 == _output.size()))
                POP3_FUZZ_CHECK(i + 1 < _output.size() && _output[i + 1] == '\n');
        }
        if (!_cut && !_output.empty())
            POP3_FUZZ_CHECK(_output.back() == '\n');
    }

    const Setup& _setup;
    FakeMailbox _mailbox;
    ServerSession _session;
    std::string _output;
    std::size_t _maxMessage = 0;
    unsigned _contexts = 0;
    bool _cut = false;
    bool _inSasl = false;
    bool _ended = false;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    InputReader input(data, size);
    Setup setup;
    setup.config = input.byte();
    setup.start = input.byte();
    setup.maildrop = input.byte();
    setup.thrower = input.byte();
    setup.interceptAt = input.byte();
    setup.interceptOctets = input.byte();
    setup.chunkSeed = input.byte();
    setup.budget = input.byte();
    setup.extraMessage = input.take(input.byte());
    setup.client = input.rest().substr(0, 16 * 1024);

    const std::string byLine = Run(setup).run(true);
    const std::string chunked = Run(setup).run(false);
    if (!setup.chunkDependent())
        POP3_FUZZ_CHECK(byLine == chunked);
    return 0;
}
