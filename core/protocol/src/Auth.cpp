#include "pop3/Auth.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/DigestEngine.h>
#include <Poco/HMACEngine.h>
#include <Poco/MD5Engine.h>

#include <cstddef>
#include <exception>
#include <istream>
#include <iterator>
#include <sstream>

namespace pop3 {

namespace {

char asciiLower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string toLowerAscii(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = asciiLower(c);
    return result;
}

// Index of `c` in the RFC 4648 §4 alphabet, or -1.
int base64Value(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

// Control characters and space end an RFC 1939 §7 timestamp candidate.
bool isTimestampChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f && c != '<';
}

} // namespace

std::string_view toString(AuthMethod method) {
    switch (method) {
    case AuthMethod::UserPass:
        return "USER/PASS";
    case AuthMethod::Apop:
        return "APOP";
    case AuthMethod::SaslPlain:
        return "PLAIN";
    case AuthMethod::SaslLogin:
        return "LOGIN";
    case AuthMethod::SaslCramMd5:
        return "CRAM-MD5";
    }
    return "UNKNOWN";
}

// Digests are compared case-insensitively (the stored one is lower-cased first), so a digest
// that skipped normalisation still matches. An empty challenge never matches: APOP without a
// greeting timestamp, or CRAM-MD5 without a challenge, proves nothing.
bool Credentials::matches(std::string_view secret) const {
    switch (method) {
    case AuthMethod::UserPass:
    case AuthMethod::SaslPlain:
    case AuthMethod::SaslLogin:
        return constantTimeEquals(password, secret);
    case AuthMethod::Apop:
        if (challenge.empty())
            return false;
        return constantTimeEquals(toLowerAscii(digest), apopDigest(challenge, secret));
    case AuthMethod::SaslCramMd5:
        if (challenge.empty())
            return false;
        return constantTimeEquals(toLowerAscii(digest), cramMd5Digest(challenge, secret));
    }
    return false;
}

std::string apopDigest(std::string_view timestamp, std::string_view secret) {
    Poco::MD5Engine md5;
    if (!timestamp.empty())
        md5.update(timestamp.data(), timestamp.size());
    if (!secret.empty())
        md5.update(secret.data(), secret.size());
    return Poco::DigestEngine::digestToHex(md5.digest());
}

std::string cramMd5Digest(std::string_view challenge, std::string_view secret) {
    // The std::string overload keeps a non-null key pointer even for an empty secret.
    Poco::HMACEngine<Poco::MD5Engine> hmac{std::string(secret)};
    if (!challenge.empty())
        hmac.update(challenge.data(), challenge.size());
    return Poco::DigestEngine::digestToHex(hmac.digest());
}

// Takes the first "<...>" candidate that qualifies, so stray brackets earlier in the greeting
// text do not hide a later timestamp. Returned with its angle brackets, as APOP hashes it.
std::optional<std::string> extractApopTimestamp(std::string_view greeting) {
    std::size_t open = greeting.find('<');
    while (open != std::string_view::npos) {
        std::size_t pos = open + 1;
        while (pos < greeting.size() && isTimestampChar(greeting[pos]) && greeting[pos] != '>')
            ++pos;
        if (pos < greeting.size() && greeting[pos] == '>') {
            const std::string_view inner = greeting.substr(open + 1, pos - open - 1);
            const std::size_t firstAt = inner.find('@');
            const std::size_t lastAt = inner.rfind('@');
            if (firstAt != std::string_view::npos && firstAt > 0 && lastAt + 1 < inner.size())
                return std::string(greeting.substr(open, pos - open + 1));
        }
        open = greeting.find('<', open + 1);
    }
    return std::nullopt;
}

std::string encodeBase64(std::string_view data) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(data.data(), static_cast<std::streamsize>(data.size()));
    encoder.close();
    return out.str();
}

// Canonical encodings only: besides the alphabet, length and padding rules, the unused low
// bits of the last symbol before padding must be zero (RFC 4648 §3.5), so each byte string has
// exactly one accepted spelling.
std::optional<std::string> decodeBase64(std::string_view text) {
    if (text.empty())
        return std::string();
    if (text.size() % 4 != 0)
        return std::nullopt;

    std::size_t padding = 0;
    while (padding < text.size() && text[text.size() - 1 - padding] == '=')
        ++padding;
    if (padding > 2)
        return std::nullopt;

    const std::size_t dataChars = text.size() - padding;
    for (std::size_t i = 0; i < dataChars; ++i) {
        if (base64Value(text[i]) < 0)
            return std::nullopt;
    }
    if (padding > 0) {
        const int last = base64Value(text[dataChars - 1]);
        const int unusedBitsMask = padding == 1 ? 0x03 : 0x0f;
        if ((last & unusedBitsMask) != 0)
            return std::nullopt;
    }

    try {
        std::istringstream in{std::string(text)};
        Poco::Base64Decoder decoder(in);
        std::string decoded{std::istreambuf_iterator<char>(decoder),
                            std::istreambuf_iterator<char>()};
        if (decoded.size() != dataChars * 3 / 4)
            return std::nullopt;
        return decoded;
    } catch (const std::exception&) { // Poco::DataFormatException and kin
        return std::nullopt;
    }
}

// Runs over all of `a` whatever `b` holds; only the lengths (not secret in practice) and the
// length of `a` influence timing.
bool constantTimeEquals(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t bSize = b.size();
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(i < bSize ? b[i] : 0);
        diff = static_cast<unsigned char>(diff | (x ^ y));
    }
    return diff == 0;
}

} // namespace pop3
