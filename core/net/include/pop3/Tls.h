#pragma once

#include <Poco/Net/Context.h>

#include <string>

namespace pop3 {

/// TLS protocol versions, numbered as in the infinity.pop3 API.
enum class TlsProtocol { tls1_0 = 2, tls1_1 = 3, tls1_2 = 4, tls1_3 = 5 };

/// "TLSv1.2" and so on.
std::string toString(TlsProtocol protocol);

/// Restricts `context` to versions min..max. Poco 1.11 has a minimum API only, so this sets
/// both bounds on the OpenSSL context directly. OpenSSL 3 refuses TLS 1.0 and 1.1 at its
/// default security level; a minimum below 1.2 lowers the level to 0 so the versions asked for
/// really work. Throws UsageError when min > max.
void applyProtocolRange(Poco::Net::Context& context, TlsProtocol min, TlsProtocol max);

/// Calls Poco::Net::initializeSSL() once per process (thread-safe); safe to call often.
void ensureSslInitialized();

/// What a client's TLS context checks and allows.
struct ClientTlsSettings {
    /// The name (or IP address) the server's certificate must carry.
    std::string serverName;
    /// Verify the chain and the name; false accepts any certificate.
    bool verify = true;
    /// PEM file and/or hashed directory of CAs to trust; both empty: the system's CAs.
    std::string caFile;
    std::string caPath;
    TlsProtocol minProtocol = TlsProtocol::tls1_2;
    TlsProtocol maxProtocol = TlsProtocol::tls1_3;
    /// OpenSSL's SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION and SSL_OP_LEGACY_SERVER_CONNECT.
    bool allowUnsafeLegacyRenegotiation = false;
    bool useLegacyServerConnect = false;
};

/// A client context whose chain and name checks are OpenSSL's own, so loopback names are
/// checked too (Poco skips them). Throws CertificateError naming an unreadable CA file.
Poco::Net::Context::Ptr makeClientContext(const ClientTlsSettings& settings);

/// Why certificate verification failed in the last handshake on this thread ("self-signed
/// certificate", "hostname mismatch"...), empty when it did not. Clear it before a handshake.
const std::string& lastVerificationFailure();
void clearVerificationFailure();

} // namespace pop3
