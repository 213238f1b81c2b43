#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pop3 {

/// How a client proved its identity.
enum class AuthMethod { UserPass, Apop, SaslPlain, SaslLogin, SaslCramMd5 };

/// Returns "USER/PASS", "APOP", "PLAIN", "LOGIN" or "CRAM-MD5".
std::string_view toString(AuthMethod method);

/// What a client presented to log in. Plaintext methods (USER/PASS, PLAIN, LOGIN) carry the
/// password; APOP and CRAM-MD5 carry a challenge and the client's digest instead, so checking
/// them needs the shared secret: matches() covers every method the same way.
struct Credentials {
    AuthMethod method = AuthMethod::UserPass;
    std::string username;
    /// The password, for plaintext methods; empty for APOP and CRAM-MD5.
    std::string password;
    /// SASL PLAIN authorization identity, empty when the client sent none.
    std::string authorizationId;
    /// APOP greeting timestamp or CRAM-MD5 challenge, as sent by the server.
    std::string challenge;
    /// The client's lower-case hex digest, for APOP and CRAM-MD5.
    std::string digest;

    /// True when these credentials prove knowledge of `secret`: an equal password, or a digest
    /// that equals the one computed from the challenge and `secret`. Compares in constant time.
    bool matches(std::string_view secret) const;
};

/// RFC 1939 §7: lower-case hex MD5 of the greeting timestamp followed by the secret.
std::string apopDigest(std::string_view timestamp, std::string_view secret);

/// RFC 2195: lower-case hex HMAC-MD5 of the challenge keyed with the secret.
std::string cramMd5Digest(std::string_view challenge, std::string_view secret);

/// The APOP timestamp of a greeting's text: the first "<...>" that contains "@" and no spaces
/// (RFC 1939 §7 uses msg-id syntax). nullopt when there is none.
std::optional<std::string> extractApopTimestamp(std::string_view greeting);

/// Base64 without line breaks (RFC 4648 §4).
std::string encodeBase64(std::string_view data);

/// Strict base64: only the RFC 4648 §4 alphabet, length a multiple of 4, correct padding, no
/// whitespace. The empty string decodes to empty. nullopt on anything else.
std::optional<std::string> decodeBase64(std::string_view text);

/// True when `a` and `b` are equal, in time that does not depend on where they differ.
bool constantTimeEquals(std::string_view a, std::string_view b);

} // namespace pop3
