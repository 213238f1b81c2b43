#pragma once

#include "pop3/mock/ServerSpec.h"

#include "YamlReader.h"

namespace pop3::mock::detail {

/// Reads `server:`: greeting, capabilities, auth, TLS, limits, locking.
class ServerSpecParser {
public:
    explicit ServerSpecParser(YamlReader& reader) : _reader(reader) {}

    ServerSpec parse(const Entry& server);

private:
    void parseCapabilities(const Entry& entry, CapabilityOverrides& out);
    std::optional<std::vector<std::string>> capabilityLines(const Entry& entry);
    void parseAuth(const Entry& entry, AuthSpec& out);
    void parseTls(const Entry& entry, TlsSpec& out);
    std::optional<CertificateSpec> parseCertificate(const Entry& entry);
    std::optional<std::string> existingFile(const Entry& entry);
    void parseLimits(const Entry& entry, LimitsSpec& out);

    YamlReader& _reader;
};

} // namespace pop3::mock::detail
