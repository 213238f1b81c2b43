#include "pop3/SelfSignedCertificate.h"

#include "pop3/Errors.h"

#include <Poco/File.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Path.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <functional>
#include <memory>

namespace pop3 {

namespace {

template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, std::integral_constant<decltype(Free), Free>>;

void require(bool ok, const char* what) {
    if (!ok)
        throw CertificateError(std::string("cannot generate a certificate: ") + what);
}

void addExtension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    Owned<X509_EXTENSION, X509_EXTENSION_free> extension(
        X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    require(extension && X509_add_ext(cert, extension.get(), -1) == 1, "extension");
}

void writePem(const std::string& path, const std::function<int(FILE*)>& write) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "w"), &std::fclose);
    if (!file || write(file.get()) != 1)
        throw CertificateError("cannot write '" + path + "'");
}

} // namespace

CertificateFiles generateSelfSignedCertificate(const std::string& hostname,
                                               const std::string& directory) {
    Owned<EVP_PKEY, EVP_PKEY_free> key(EVP_EC_gen("P-256"));
    require(key != nullptr, "key");
    Owned<X509, X509_free> cert(X509_new());
    require(cert && X509_set_version(cert.get(), 2) == 1, "certificate");
    unsigned char serial[16];
    require(RAND_bytes(serial, sizeof serial) == 1, "serial");
    serial[0] &= 0x7f;
    Owned<BIGNUM, BN_free> serialNumber(BN_bin2bn(serial, sizeof serial, nullptr));
    require(serialNumber && BN_to_ASN1_INTEGER(serialNumber.get(),
                                               X509_get_serialNumber(cert.get())) != nullptr,
            "serial");
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
    require(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
    require(X509_set_pubkey(cert.get(), key.get()) == 1, "public key");

    Poco::Net::IPAddress ip;
    std::string altNames = "DNS:localhost,IP:127.0.0.1,IP:::1";
    if (hostname != "localhost")
        altNames = (Poco::Net::IPAddress::tryParse(hostname, ip) ? "IP:" : "DNS:") + hostname +
                   "," + altNames;
    addExtension(cert.get(), NID_subject_alt_name, altNames);
    addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    addExtension(cert.get(), NID_ext_key_usage, "serverAuth");
    require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signature");

    try {
        Poco::File(directory).createDirectories();
    } catch (const Poco::Exception& e) {
        throw CertificateError("cannot create the folder '" + directory + "': " + e.displayText());
    }
    CertificateFiles files;
    files.certFile = Poco::Path(Poco::Path::forDirectory(directory), "server.pem").toString();
    files.keyFile = Poco::Path(Poco::Path::forDirectory(directory), "server.key").toString();
    writePem(files.keyFile, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    writePem(files.certFile, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
    return files;
}

} // namespace pop3
