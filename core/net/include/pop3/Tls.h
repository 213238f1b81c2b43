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

} // namespace pop3
