#include "ServerSpecParser.h"

#include "pop3/Sasl.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <limits>

namespace pop3::mock::detail {

namespace {

bool hasControl(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

const std::vector<std::string_view> kTlsModes{"none", "stls", "implicit"};
const std::vector<std::string_view> kTlsVersions{"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};

/// A language tag (RFC 5646 shape: letters first, then letters, digits and "-"), optionally
/// followed by a space and a description without control characters.
bool isLanguageLine(std::string_view line) {
    const std::string_view tag = line.substr(0, line.find(' '));
    if (tag.empty() || !std::isalpha(static_cast<unsigned char>(tag[0])) || hasControl(line))
        return false;
    return std::all_of(tag.begin(), tag.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
    });
}

} // namespace

ServerSpec ServerSpecParser::parse(const Entry& server) {
    ServerSpec spec;
    auto fields = _reader.map(server, "server");
    if (!fields)
        return spec;

    if (const Entry* greeting = fields->find("greeting")) {
        if (auto value = _reader.string(*greeting)) {
            if (hasControl(*value))
                _reader.error(*greeting, "'greeting' must be one line without control "
                                         "characters (a 'greeting' rule can reply anything)");
            else
                spec.greeting = *value;
        }
    }
    if (const Entry* entry = fields->find("apopTimestamp"))
        spec.apopTimestamp = _reader.boolean(*entry);
    if (const Entry* hostname = fields->find("hostname")) {
        if (auto value = _reader.nonEmptyString(*hostname)) {
            if (value->find_first_of(" <>@") != std::string::npos || hasControl(*value))
                _reader.error(*hostname, "'hostname' must be a host name (no spaces, '<', '>' "
                                         "or '@')");
            else
                spec.hostname = *value;
        }
    }
    if (const Entry* address = fields->find("address"))
        spec.address = _reader.nonEmptyString(*address);
    if (const Entry* port = fields->find("port")) {
        if (auto value = _reader.number(*port, 0, 65535))
            spec.port = static_cast<std::uint16_t>(*value);
    }
    if (const Entry* entry = fields->find("capabilities"))
        parseCapabilities(*entry, spec.capabilities);
    if (const Entry* entry = fields->find("auth"))
        parseAuth(*entry, spec.auth);
    if (const Entry* entry = fields->find("tls"))
        parseTls(*entry, spec.tls);
    if (const Entry* entry = fields->find("limits"))
        parseLimits(*entry, spec.limits);
    if (const Entry* entry = fields->find("mailboxLock"))
        spec.mailboxLock = _reader.boolean(*entry);
    if (const Entry* entry = fields->find("utf8"))
        spec.utf8 = _reader.boolean(*entry);
    if (const Entry* entry = fields->find("languages")) {
        if (auto items = _reader.sequence(*entry)) {
            std::vector<std::string> lines;
            for (const YAML::Node& item : *items) {
                auto line = _reader.string(item, "an item of 'languages'");
                if (line && !isLanguageLine(*line))
                    _reader.error(item, "a language is a language tag, optionally followed by a "
                                        "space and a description ('en English')");
                else if (line)
                    lines.push_back(std::move(*line));
            }
            if (lines.size() == items->size())
                spec.languages = std::move(lines);
        }
    }
    if (const Entry* entry = fields->find("expire")) {
        if (auto value = _reader.string(*entry)) {
            if (*value == "NEVER" || (value->size() <= 9 && !value->empty() &&
                                      std::all_of(value->begin(), value->end(), [](char c) {
                                          return std::isdigit(static_cast<unsigned char>(c));
                                      })))
                spec.expire = *value;
            else
                _reader.error(*entry, "'expire' is NEVER or a number of days");
        }
    }

    // APOP needs the timestamp: a greeting without one cannot offer it.
    if (spec.apopTimestamp == false && spec.auth.apop == true) {
        if (const Entry* entry = fields->find("apopTimestamp"))
            _reader.error(*entry, "'apopTimestamp: false' leaves APOP without a timestamp, but "
                                  "'auth.apop' is true");
    }
    return spec;
}

std::optional<std::vector<std::string>> ServerSpecParser::capabilityLines(const Entry& entry) {
    auto items = _reader.sequence(entry);
    if (!items)
        return std::nullopt;
    std::vector<std::string> lines;
    bool ok = true;
    for (const YAML::Node& item : *items) {
        auto line = _reader.string(item, "an item of " + YamlReader::quote(entry.key));
        if (line && (line->empty() || hasControl(*line))) {
            _reader.error(item, "a capability line must be non-empty text without line breaks");
            line.reset();
        }
        ok = ok && line;
        if (line)
            lines.push_back(std::move(*line));
    }
    if (!ok)
        return std::nullopt;
    return lines;
}

void ServerSpecParser::parseCapabilities(const Entry& entry, CapabilityOverrides& out) {
    if (entry.value.IsSequence()) {
        auto lines = capabilityLines(entry);
        out.plainBeforeLogin = out.plainAfterLogin = out.tlsBeforeLogin = out.tlsAfterLogin = lines;
        return;
    }
    auto fields = _reader.map(entry, "capabilities");
    if (!fields)
        return;
    for (const Entry& transport : fields->entries) {
        auto& before = transport.key == "plain" ? out.plainBeforeLogin : out.tlsBeforeLogin;
        auto& after = transport.key == "plain" ? out.plainAfterLogin : out.tlsAfterLogin;
        if (transport.value.IsSequence()) {
            before = after = capabilityLines(transport);
            continue;
        }
        auto states = _reader.map(transport, "capabilityStates");
        if (!states)
            continue;
        if (const Entry* lines = states->find("beforeLogin"))
            before = capabilityLines(*lines);
        if (const Entry* lines = states->find("afterLogin"))
            after = capabilityLines(*lines);
    }
}

void ServerSpecParser::parseAuth(const Entry& entry, AuthSpec& out) {
    auto fields = _reader.map(entry, "auth");
    if (!fields)
        return;
    if (const Entry* mechanisms = fields->find("mechanisms")) {
        std::vector<std::string_view> supported;
        for (const std::string& name : supportedSaslMechanisms())
            supported.push_back(name);
        if (auto items = _reader.sequence(*mechanisms)) {
            std::vector<std::string> names;
            bool ok = true;
            for (const YAML::Node& item : *items) {
                auto name = _reader.string(item, "an item of 'mechanisms'");
                if (!name) {
                    ok = false;
                    continue;
                }
                const std::string upper = Poco::toUpper(*name);
                if (std::find(supported.begin(), supported.end(), upper) == supported.end()) {
                    _reader.choice(item, "an item of 'mechanisms'", supported, "SASL mechanism");
                    ok = false;
                    continue;
                }
                if (std::find(names.begin(), names.end(), upper) == names.end())
                    names.push_back(upper);
            }
            if (ok)
                out.mechanisms = std::move(names);
        }
    }
    if (const Entry* value = fields->find("userPass"))
        out.userPass = _reader.boolean(*value);
    if (const Entry* value = fields->find("apop"))
        out.apop = _reader.boolean(*value);
    if (const Entry* value = fields->find("acceptAnyPassword"))
        out.acceptAnyPassword = _reader.boolean(*value).value_or(false);
    if (const Entry* value = fields->find("refusePlaintextLoginWithoutTls"))
        out.refusePlaintextLoginWithoutTls = _reader.boolean(*value);
}

std::optional<std::string> ServerSpecParser::existingFile(const Entry& entry) {
    auto path = _reader.nonEmptyString(entry);
    if (!path)
        return std::nullopt;
    const std::string resolved = _reader.resolvePath(*path);
    bool regular = false;
    try {
        Poco::File file(resolved);
        regular = file.exists() && file.isFile();
    } catch (const Poco::Exception&) {
    }
    if (!regular) {
        _reader.error(entry, YamlReader::quote(entry.key) + " file " + YamlReader::quote(*path) +
                                 " not found (looked at " + YamlReader::quote(resolved) + ")");
        return std::nullopt;
    }
    return resolved;
}

std::optional<CertificateSpec> ServerSpecParser::parseCertificate(const Entry& entry) {
    auto fields = _reader.map(entry, "certificate");
    if (!fields)
        return std::nullopt;
    CertificateSpec certificate;
    const Entry* generate = fields->find("generate");
    const Entry* cert = fields->find("cert");
    const Entry* key = fields->find("key");
    if (generate) {
        auto value = _reader.boolean(*generate);
        if (!value)
            return std::nullopt;
        certificate.generate = *value;
    }
    if (certificate.generate) {
        if (cert || key) {
            _reader.errorAtKey(cert ? *cert : *key,
                               "'generate: true' cannot be combined with 'cert' and 'key'");
            return std::nullopt;
        }
        return certificate;
    }
    if (!cert || !key) {
        if (fields->misspelt({"cert", "key", "generate"}))
            return std::nullopt;
        _reader.error(entry, "'certificate' needs 'cert' and 'key' files, or 'generate: true'");
        return std::nullopt;
    }
    auto certFile = existingFile(*cert);
    auto keyFile = existingFile(*key);
    if (!certFile || !keyFile)
        return std::nullopt;
    certificate.certFile = *certFile;
    certificate.keyFile = *keyFile;
    return certificate;
}

void ServerSpecParser::parseTls(const Entry& entry, TlsSpec& out) {
    auto fields = _reader.map(entry, "tls");
    if (!fields)
        return;
    const Entry* mode = fields->find("mode");
    bool modeOk = true;
    if (mode) {
        auto index = _reader.choice(*mode, kTlsModes, "TLS mode");
        modeOk = index.has_value();
        if (index)
            out.mode = static_cast<TlsMode>(*index);
    }
    const Entry* certificate = fields->find("certificate");
    bool certificateGiven = false;
    if (certificate) {
        certificateGiven = certificate->value.IsDefined() && !certificate->value.IsNull();
        out.certificate = parseCertificate(*certificate);
    }
    if (modeOk && out.mode != TlsMode::None && !certificateGiven) {
        _reader.error(mode ? *mode : entry,
                      "TLS mode '" + std::string(toString(out.mode)) +
                          "' needs a certificate: add 'certificate: {cert: FILE, key: FILE}' or "
                          "'certificate: {generate: true}'");
    }
    if (modeOk && out.mode == TlsMode::None && certificateGiven) {
        _reader.errorAtKey(*certificate, "a certificate is given but the TLS mode is 'none'; set "
                                         "'mode: stls' or 'mode: implicit'");
    }
    const Entry* minimum = fields->find("minProtocol");
    const Entry* maximum = fields->find("maxProtocol");
    if (minimum) {
        if (auto index = _reader.choice(*minimum, kTlsVersions, "TLS version"))
            out.minProtocol = static_cast<TlsVersion>(*index + 2);
    }
    if (maximum) {
        if (auto index = _reader.choice(*maximum, kTlsVersions, "TLS version"))
            out.maxProtocol = static_cast<TlsVersion>(*index + 2);
    }
    if (out.minProtocol && out.maxProtocol && *out.minProtocol > *out.maxProtocol)
        _reader.error(*minimum, "'minProtocol' " + YamlReader::quote(toString(*out.minProtocol)) +
                                    " is above 'maxProtocol' " +
                                    YamlReader::quote(toString(*out.maxProtocol)));
}

void ServerSpecParser::parseLimits(const Entry& entry, LimitsSpec& out) {
    auto fields = _reader.map(entry, "limits");
    if (!fields)
        return;
    constexpr std::uint64_t kIntMax = std::numeric_limits<int>::max();
    if (const Entry* value = fields->find("maxConnections")) {
        if (auto n = _reader.number(*value, 1, kIntMax))
            out.maxConnections = static_cast<int>(*n);
    }
    if (const Entry* value = fields->find("poolSize")) {
        if (auto n = _reader.number(*value, 1, 10000))
            out.poolSize = static_cast<int>(*n);
    }
    if (const Entry* value = fields->find("idleTimeoutMs")) {
        if (auto n = _reader.number(*value, 1, kIntMax))
            out.idleTimeout = std::chrono::milliseconds(*n);
    }
    if (const Entry* value = fields->find("loginDelaySeconds")) {
        if (auto n = _reader.number(*value, 0, kIntMax))
            out.loginDelay = std::chrono::seconds(*n);
    }
    if (const Entry* value = fields->find("maxCommandLine")) {
        // Long enough for "QUIT" and CRLF.
        if (auto n = _reader.number(*value, 6, 1 << 20))
            out.maxCommandLine = static_cast<std::size_t>(*n);
    }
    if (const Entry* value = fields->find("maxBadCommands")) {
        if (auto n = _reader.number(*value, 1, kIntMax))
            out.maxBadCommands = static_cast<unsigned>(*n);
    }
}

} // namespace pop3::mock::detail
