#include "pop3/Tls.h"

#include "pop3/Errors.h"

#include <Poco/File.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SSLManager.h>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

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

/// The first certificate verification failure of the handshake running on this thread.
/// OpenSSL calls the verify callback synchronously inside the handshake.
thread_local std::string verificationFailure;

int recordVerificationFailure(int preverifyOk, X509_STORE_CTX* store) {
    if (!preverifyOk && verificationFailure.empty())
        verificationFailure = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
    return preverifyOk;
}

void requireReadable(const std::string& path, const char* what) {
    if (path.empty())
        return;
    Poco::File file(path);
    if (!file.exists() || !file.canRead())
        throw CertificateError(std::string("cannot read the ") + what + " '" + path + "'");
}

} // namespace

const std::string& lastVerificationFailure() {
    return verificationFailure;
}

void clearVerificationFailure() {
    verificationFailure.clear();
}

Poco::Net::Context::Ptr makeClientContext(const ClientTlsSettings& settings) {
    ensureSslInitialized();
    requireReadable(settings.caFile, "CA file");
    requireReadable(settings.caPath, "CA directory");
    Poco::Net::Context::Params params;
    params.verificationMode =
        settings.verify ? Poco::Net::Context::VERIFY_RELAXED : Poco::Net::Context::VERIFY_NONE;
    params.caLocation = settings.caFile.empty() ? settings.caPath : settings.caFile;
    params.loadDefaultCAs = settings.verify && settings.caFile.empty() && settings.caPath.empty();
    params.cipherList = "DEFAULT";
    Poco::Net::Context::Ptr context;
    try {
        context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    } catch (const Poco::Exception& e) {
        throw CertificateError("cannot load the CAs from '" + params.caLocation +
                               "': " + e.displayText());
    }
    SSL_CTX* ctx = context->sslContext();
    if (!settings.caFile.empty() && !settings.caPath.empty() &&
        SSL_CTX_load_verify_locations(ctx, nullptr, settings.caPath.c_str()) != 1)
        throw CertificateError("cannot load the CA directory '" + settings.caPath + "'");
    context->enableExtendedCertificateVerification(false);
    if (settings.verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &recordVerificationFailure);
        X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
        const std::string& name = settings.serverName;
        Poco::Net::IPAddress ip;
        const int set = Poco::Net::IPAddress::tryParse(name, ip)
                            ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                            : X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
        if (set != 1)
            throw TlsError("cannot verify certificates against the name '" + name + "'");
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    }
    applyProtocolRange(*context, settings.minProtocol, settings.maxProtocol);
    long options = SSL_OP_IGNORE_UNEXPECTED_EOF; // POP3 framing detects truncation itself
    if (settings.allowUnsafeLegacyRenegotiation)
        options |= SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION;
    if (settings.useLegacyServerConnect)
        options |= SSL_OP_LEGACY_SERVER_CONNECT;
    SSL_CTX_set_options(ctx, options);
    return context;
}

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
