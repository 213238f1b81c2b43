#include "pop3/Tls.h"

#include "pop3/Errors.h"

#include <Poco/Net/SSLManager.h>

#include <openssl/ssl.h>

#include <mutex>

namespace pop3 {

namespace {

int toOpenSslVersion(TlsProtocol protocol) {
    switch (protocol) {
    case TlsProtocol::tls1_0:
        return TLS1_VERSION;
    case TlsProtocol::tls1_1:
        return TLS1_1_VERSION;
    case TlsProtocol::tls1_2:
        return TLS1_2_VERSION;
    case TlsProtocol::tls1_3:
        return TLS1_3_VERSION;
    }
    return TLS1_2_VERSION;
}

} // namespace

std::string toString(TlsProtocol protocol) {
    switch (protocol) {
    case TlsProtocol::tls1_0:
        return "TLSv1";
    case TlsProtocol::tls1_1:
        return "TLSv1.1";
    case TlsProtocol::tls1_2:
        return "TLSv1.2";
    case TlsProtocol::tls1_3:
        return "TLSv1.3";
    }
    return "unknown";
}

void applyProtocolRange(Poco::Net::Context& context, TlsProtocol min, TlsProtocol max) {
    if (static_cast<int>(min) > static_cast<int>(max))
        throw UsageError("TLS minimum protocol " + toString(min) + " is above the maximum " +
                         toString(max));
    SSL_CTX* ctx = context.sslContext();
    if (SSL_CTX_set_min_proto_version(ctx, toOpenSslVersion(min)) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, toOpenSslVersion(max)) != 1)
        throw TlsError("cannot restrict TLS versions to " + toString(min) + ".." + toString(max));
    if (min < TlsProtocol::tls1_2) {
        SSL_CTX_set_security_level(ctx, 0);
        SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    }
}

void ensureSslInitialized() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

} // namespace pop3
