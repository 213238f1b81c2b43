#pragma once

#include "pop3/Auth.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3 {

/// Upper-case names of the SASL mechanisms this library implements, strongest first.
const std::vector<std::string>& supportedSaslMechanisms();

/// The server side of one AUTH exchange (RFC 5034 §4) for PLAIN (RFC 4616), LOGIN
/// (draft-murchison-sasl-login) or CRAM-MD5 (RFC 2195). Works on the wire text: challenges come
/// out base64-encoded, client lines go in as sent.
class SaslServerExchange {
public:
    enum class Outcome {
        /// Send `+ challenge` and pass the client's next line to respond().
        Challenge,
        /// The exchange is complete: check credentials().
        Done,
        /// Cancelled by the client ("*") or malformed (bad base64, bad PLAIN message, ...).
        Failed,
    };

    struct Step {
        Outcome outcome = Outcome::Failed;
        /// Base64 challenge, for Outcome::Challenge (may be empty).
        std::string challenge;
        /// Why, for Outcome::Failed; "cancelled" when the client sent "*".
        std::string error;
        bool cancelled = false;
    };

    virtual ~SaslServerExchange() = default;

    /// Creates the exchange for `mechanism` (case-insensitive), or nullptr when unsupported.
    /// `nonce` makes the CRAM-MD5 challenge unique (the caller owns randomness and clocks):
    /// the challenge is "<nonce@hostname>".
    static std::unique_ptr<SaslServerExchange>
    create(std::string_view mechanism, std::string_view nonce, std::string_view hostname);

    /// Starts with the AUTH command's initial response, if any: base64 text, "=" meaning an
    /// empty response (RFC 5034 §4). CRAM-MD5 refuses an initial response.
    virtual Step start(std::optional<std::string_view> initialResponse) = 0;
    /// Feeds the client's next line (without CRLF): base64, or "*" to cancel.
    virtual Step respond(std::string_view line) = 0;
    /// The presented credentials, valid after Outcome::Done.
    const Credentials& credentials() const { return _credentials; }

protected:
    Credentials _credentials;
};

/// The client side of an AUTH exchange, for the same mechanisms.
class SaslClientExchange {
public:
    virtual ~SaslClientExchange() = default;

    /// nullptr when `mechanism` is unsupported.
    static std::unique_ptr<SaslClientExchange> create(std::string_view mechanism,
                                                      std::string username, std::string password,
                                                      std::string authorizationId = {});

    /// The mechanism's upper-case name.
    virtual std::string_view mechanism() const = 0;
    /// Base64 initial response to send with AUTH ("=" when empty), or nullopt when the
    /// mechanism must wait for a challenge.
    virtual std::optional<std::string> initialResponse() const = 0;
    /// The base64 line answering a base64 challenge, or nullopt when the challenge is malformed
    /// or unexpected (the caller then cancels with "*").
    virtual std::optional<std::string> respond(std::string_view challenge) = 0;
};

} // namespace pop3
