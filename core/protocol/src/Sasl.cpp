#include "pop3/Sasl.h"

#include <cstddef>
#include <utility>

namespace pop3 {

namespace {

/// Upper bound on start() plus respond() calls for one exchange; LOGIN without an initial
/// response is the longest (challenge, challenge, done).
constexpr int kMaxSaslSteps = 3;

/// RFC 2195: the CRAM-MD5 digest is 16 octets in hex.
constexpr std::size_t kCramMd5DigestHexLength = 32;

constexpr std::string_view kPlain = "PLAIN";
constexpr std::string_view kLogin = "LOGIN";
constexpr std::string_view kCramMd5 = "CRAM-MD5";

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'a' && x <= 'z')
            x = static_cast<char>(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z')
            y = static_cast<char>(y - 'a' + 'A');
        if (x != y)
            return false;
    }
    return true;
}

bool isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// The state machine every server mechanism shares: step bound, "*" cancel, base64 decoding,
/// refusing calls out of order. Mechanisms see decoded octets only.
class ServerExchangeBase : public SaslServerExchange {
public:
    Step start(std::optional<std::string_view> initialResponse) final {
        if (_state != State::New)
            return failOutOfOrder("exchange already started");
        _state = State::Running;
        ++_steps;
        if (!initialResponse)
            return onStart(std::nullopt);
        // RFC 5034 §4: "=" is the empty initial response; otherwise non-empty base64.
        if (*initialResponse == "=")
            return onStart(std::string());
        if (initialResponse->empty())
            return fail("empty initial response (use \"=\")");
        std::optional<std::string> decoded = decodeBase64(*initialResponse);
        if (!decoded)
            return fail("initial response is not valid base64");
        return onStart(std::move(decoded));
    }

    Step respond(std::string_view line) final {
        if (_state != State::Running)
            return failOutOfOrder(_state == State::New ? "exchange not started"
                                                       : "exchange already finished");
        if (line == "*") {
            Step step = fail("cancelled");
            step.cancelled = true;
            return step;
        }
        if (++_steps > kMaxSaslSteps)
            return fail("too many steps");
        std::optional<std::string> decoded = decodeBase64(line);
        if (!decoded)
            return fail("response is not valid base64");
        return onResponse(*decoded);
    }

protected:
    virtual Step onStart(std::optional<std::string> initialResponse) = 0;
    virtual Step onResponse(const std::string& response) = 0;

    static Step challenge(std::string_view text) {
        Step step;
        step.outcome = Outcome::Challenge;
        step.challenge = encodeBase64(text);
        return step;
    }

    Step done() {
        _state = State::Finished;
        Step step;
        step.outcome = Outcome::Done;
        return step;
    }

    /// Ends the exchange; partial credentials are discarded so nobody checks them.
    Step fail(std::string error) {
        _state = State::Finished;
        _credentials = Credentials{};
        return failOutOfOrder(std::move(error));
    }

private:
    enum class State { New, Running, Finished };

    /// A Failed step that leaves the exchange (and any Done credentials) as it was.
    static Step failOutOfOrder(std::string error) {
        Step step;
        step.outcome = Outcome::Failed;
        step.error = std::move(error);
        return step;
    }

    State _state = State::New;
    int _steps = 0;
};

/// RFC 4616: message = [authzid] NUL authcid NUL passwd.
class PlainServerExchange final : public ServerExchangeBase {
protected:
    Step onStart(std::optional<std::string> initialResponse) override {
        if (!initialResponse) {
            Step step;
            step.outcome = Outcome::Challenge;
            return step;
        }
        return parse(*initialResponse);
    }

    Step onResponse(const std::string& response) override { return parse(response); }

private:
    Step parse(const std::string& message) {
        const std::size_t first = message.find('\0');
        if (first == std::string::npos)
            return fail("PLAIN message lacks NUL separators");
        const std::size_t second = message.find('\0', first + 1);
        if (second == std::string::npos)
            return fail("PLAIN message lacks the second NUL separator");
        if (message.find('\0', second + 1) != std::string::npos)
            return fail("PLAIN message has more than two NUL separators");
        // RFC 4616 §2: authcid = 1*SAFE and passwd = 1*SAFE.
        if (second == first + 1)
            return fail("PLAIN message has an empty authentication identity");
        if (second + 1 == message.size())
            return fail("PLAIN message has an empty password");
        _credentials.method = AuthMethod::SaslPlain;
        _credentials.authorizationId = message.substr(0, first);
        _credentials.username = message.substr(first + 1, second - first - 1);
        _credentials.password = message.substr(second + 1);
        return done();
    }
};

/// draft-murchison-sasl-login: "Username:" then "Password:"; an initial response is the
/// username.
class LoginServerExchange final : public ServerExchangeBase {
protected:
    Step onStart(std::optional<std::string> initialResponse) override {
        if (!initialResponse)
            return challenge("Username:");
        return takeUsername(*initialResponse);
    }

    Step onResponse(const std::string& response) override {
        if (!_haveUsername)
            return takeUsername(response);
        _credentials.method = AuthMethod::SaslLogin;
        _credentials.password = response;
        return done();
    }

private:
    Step takeUsername(const std::string& username) {
        if (username.empty())
            return fail("LOGIN username is empty");
        _credentials.username = username;
        _haveUsername = true;
        return challenge("Password:");
    }

    bool _haveUsername = false;
};

/// RFC 2195: challenge "<nonce@hostname>", answer "user SP hexdigest".
class CramMd5ServerExchange final : public ServerExchangeBase {
public:
    CramMd5ServerExchange(std::string_view nonce, std::string_view hostname) {
        _challenge.reserve(nonce.size() + hostname.size() + 3);
        _challenge.append("<").append(nonce).append("@").append(hostname).append(">");
    }

protected:
    Step onStart(std::optional<std::string> initialResponse) override {
        if (initialResponse)
            return fail("CRAM-MD5 takes no initial response");
        return challenge(_challenge);
    }

    Step onResponse(const std::string& response) override {
        // The digest holds no spaces, so the last one separates it from the username.
        const std::size_t space = response.rfind(' ');
        if (space == std::string::npos)
            return fail("CRAM-MD5 response lacks the space before the digest");
        if (space == 0)
            return fail("CRAM-MD5 response has an empty username");
        const std::string_view digest = std::string_view(response).substr(space + 1);
        if (digest.size() != kCramMd5DigestHexLength)
            return fail("CRAM-MD5 digest is not 32 hex digits");
        std::string lowered;
        lowered.reserve(digest.size());
        for (char c : digest) {
            if (!isHexDigit(c))
                return fail("CRAM-MD5 digest is not 32 hex digits");
            lowered.push_back((c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c);
        }
        _credentials.method = AuthMethod::SaslCramMd5;
        _credentials.username = response.substr(0, space);
        _credentials.challenge = _challenge;
        _credentials.digest = std::move(lowered);
        return done();
    }

private:
    std::string _challenge;
};

/// RFC 4616 client: everything goes in one message, ideally as the initial response.
class PlainClientExchange final : public SaslClientExchange {
public:
    PlainClientExchange(const std::string& username, const std::string& password,
                        const std::string& authorizationId) {
        std::string message;
        message.reserve(authorizationId.size() + username.size() + password.size() + 2);
        message.append(authorizationId).append(1, '\0').append(username).append(1, '\0');
        message.append(password);
        _encoded = encodeBase64(message);
    }

    std::string_view mechanism() const override { return kPlain; }

    std::optional<std::string> initialResponse() const override {
        return _encoded.empty() ? std::string("=") : _encoded;
    }

    /// Answers one empty challenge (a server that did not take the initial response).
    std::optional<std::string> respond(std::string_view challenge) override {
        const std::optional<std::string> decoded = decodeBase64(challenge);
        if (_responded || !decoded || !decoded->empty())
            return std::nullopt;
        _responded = true;
        return _encoded;
    }

private:
    std::string _encoded;
    bool _responded = false;
};

/// LOGIN client: the first challenge gets the username, the second the password, whatever
/// their prompt text says (servers word them differently).
class LoginClientExchange final : public SaslClientExchange {
public:
    LoginClientExchange(std::string username, std::string password)
        : _username(std::move(username)), _password(std::move(password)) {}

    std::string_view mechanism() const override { return kLogin; }
    std::optional<std::string> initialResponse() const override { return std::nullopt; }

    std::optional<std::string> respond(std::string_view challenge) override {
        if (!decodeBase64(challenge) || _step >= 2)
            return std::nullopt;
        return encodeBase64(_step++ == 0 ? _username : _password);
    }

private:
    std::string _username;
    std::string _password;
    int _step = 0;
};

/// RFC 2195 client: one challenge, answered with "user SP hex(HMAC-MD5(challenge, password))".
class CramMd5ClientExchange final : public SaslClientExchange {
public:
    CramMd5ClientExchange(std::string username, std::string password)
        : _username(std::move(username)), _password(std::move(password)) {}

    std::string_view mechanism() const override { return kCramMd5; }
    std::optional<std::string> initialResponse() const override { return std::nullopt; }

    std::optional<std::string> respond(std::string_view challenge) override {
        const std::optional<std::string> decoded = decodeBase64(challenge);
        if (_responded || !decoded || decoded->empty())
            return std::nullopt;
        _responded = true;
        return encodeBase64(_username + " " + cramMd5Digest(*decoded, _password));
    }

private:
    std::string _username;
    std::string _password;
    bool _responded = false;
};

} // namespace

const std::vector<std::string>& supportedSaslMechanisms() {
    static const std::vector<std::string> mechanisms{std::string(kCramMd5), std::string(kPlain),
                                                     std::string(kLogin)};
    return mechanisms;
}

std::unique_ptr<SaslServerExchange> SaslServerExchange::create(std::string_view mechanism,
                                                               std::string_view nonce,
                                                               std::string_view hostname) {
    if (equalsIgnoreCase(mechanism, kPlain))
        return std::make_unique<PlainServerExchange>();
    if (equalsIgnoreCase(mechanism, kLogin))
        return std::make_unique<LoginServerExchange>();
    if (equalsIgnoreCase(mechanism, kCramMd5))
        return std::make_unique<CramMd5ServerExchange>(nonce, hostname);
    return nullptr;
}

std::unique_ptr<SaslClientExchange> SaslClientExchange::create(std::string_view mechanism,
                                                               std::string username,
                                                               std::string password,
                                                               std::string authorizationId) {
    if (equalsIgnoreCase(mechanism, kPlain))
        return std::make_unique<PlainClientExchange>(username, password, authorizationId);
    if (equalsIgnoreCase(mechanism, kLogin))
        return std::make_unique<LoginClientExchange>(std::move(username), std::move(password));
    if (equalsIgnoreCase(mechanism, kCramMd5))
        return std::make_unique<CramMd5ClientExchange>(std::move(username), std::move(password));
    return nullptr;
}

} // namespace pop3
