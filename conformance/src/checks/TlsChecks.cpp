// RFC 2595 (STLS, the plaintext login policy) and RFC 8314 (implicit TLS, TLS versions, the
// server certificate).
#include "pop3/Auth.h"
#include "pop3/Errors.h"
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/X509Certificate.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <functional>
#include <set>

#include "CheckSupport.h"

namespace pop3::conformance {

namespace {

/// A certificate expiring within this many days gets a warning.
constexpr int kExpiryWarningDays = 30;

/// Whether the CAPA body's SASL line names `mechanism`.
bool listsSasl(const std::vector<std::string>& capabilities, std::string_view mechanism) {
    const std::string* sasl = lineWithTag(capabilities, "SASL");
    if (sasl == nullptr)
        return false;
    const std::vector<std::string> offered = saslMechanisms(*sasl);
    return std::find(offered.begin(), offered.end(), mechanism) != offered.end();
}

/// Nothing arrived: the read ran out of time with no byte.
bool silent(const Reply& reply) {
    return reply.outcome == Reply::Outcome::timeout && reply.received.empty();
}

/// A context for checks about the TLS mechanics rather than the certificate: the target's
/// versions, no verification (rfc8314-4.4-certificate-valid judges the certificate).
Poco::Net::Context::Ptr mechanicsContext(CheckContext& c) {
    return c.tlsContext(std::min(c.target().minimumTlsVersion, TlsProtocol::tls1_2),
                        TlsProtocol::tls1_3, false);
}

/// A plaintext connection to a server that announces STLS, with its CAPA lines; skips when
/// CAPA does not list STLS.
Probe plainOfferingStls(CheckContext& c, std::vector<std::string>* capabilities = nullptr) {
    Probe probe = c.connectPlain();
    const Reply capa = probe.command("CAPA");
    if (!capa.ok() || lineWithTag(capa.body, "STLS") == nullptr)
        c.skip("CAPA on the plaintext port does not list STLS (" +
               (capa.ok() ? joined(capa.body) : capa.describe()) + ")");
    if (capabilities)
        *capabilities = capa.body;
    return probe;
}

/// The TLS handshake after the +OK to STLS; a failed one fails the check.
void handshakeAfterStls(CheckContext& c, Probe& probe) {
    try {
        probe.handshake(mechanicsContext(c));
    } catch (const Error& e) {
        c.fail("no TLS handshake after the +OK to STLS",
               "a TLS handshake right after the CRLF of the +OK", e.what());
    }
}

/// STLS and the handshake on `probe`; a refusal or a failed handshake fails the check.
void upgrade(CheckContext& c, Probe& probe) {
    c.expectOk(probe.command("STLS"), "STLS in the AUTHORIZATION state");
    handshakeAfterStls(c, probe);
}

std::string describeSession(const WireConnection::TlsSession& session) {
    return session.protocol + " with " + session.cipher;
}

/// Notes who the certificate names and how long it is valid; returns the days it has left.
std::optional<long> noteCertificate(CheckContext& c, const WireConnection::TlsSession& session) {
    if (!session.certificate) {
        c.note("the server sent no certificate");
        return std::nullopt;
    }
    const Poco::Net::X509Certificate& certificate = *session.certificate;
    std::string commonName;
    std::set<std::string> names;
    certificate.extractNames(commonName, names);
    c.note("certificate subject: " + certificate.subjectName());
    c.note("certificate issuer: " + certificate.issuerName());
    c.note("certificate names: " + joined(std::vector<std::string>(names.begin(), names.end())));
    const Poco::DateTime expires = certificate.expiresOn();
    c.note("certificate valid until " +
           Poco::DateTimeFormatter::format(expires, Poco::DateTimeFormat::ISO8601_FORMAT));
    const Poco::Timespan left = expires - Poco::DateTime();
    // Whole days, counting a started day: "expires in 30 days" until 29 days are left.
    return (left.totalSeconds() + 86399) / 86400;
}

/// The session a handshake with exactly `version` settles, or nullopt and why it failed.
std::optional<WireConnection::TlsSession> tryVersion(CheckContext& c, TlsProtocol version,
                                                     std::string& why) {
    Poco::Net::Context::Ptr context = c.tlsContext(version, version, false);
    try {
        Probe probe = c.connectTls(context);
        WireConnection::TlsSession session = probe.wire().tlsSession();
        probe.quit();
        return session;
    } catch (const Error& e) {
        why = e.what();
        return std::nullopt;
    }
}

std::vector<TlsProtocol> allVersions() {
    return {TlsProtocol::tls1_0, TlsProtocol::tls1_1, TlsProtocol::tls1_2, TlsProtocol::tls1_3};
}

// RFC 2595 §2.3

/// The AUTH LOGIN exchange (user name, then password, each base64); its final reply.
Reply saslLogin(Probe& probe, const Account& who) {
    Reply reply = probe.command("AUTH LOGIN");
    if (reply.complete() && reply.continuation)
        reply = probe.command(encodeBase64(who.user), ResponseKind::SaslStep);
    if (reply.complete() && reply.continuation)
        reply = probe.command(encodeBase64(who.password), ResponseKind::SaslStep);
    if (reply.complete() && reply.continuation)
        reply = probe.command("*", ResponseKind::SingleLine);
    return reply;
}

void plaintextLoginPolicy(CheckContext& c) {
    std::vector<std::string> capabilities;
    plainOfferingStls(c, &capabilities).quit();
    const Account& who = c.account();
    struct Method {
        const char* name;
        bool listed;
        std::function<Reply(Probe&)> login;
    };
    const std::vector<Method> methods{
        {"USER/PASS", lineWithTag(capabilities, "USER") != nullptr,
         [&](Probe& probe) { return c.authenticate(probe, LoginMethod::userPass, who); }},
        {"AUTH PLAIN", listsSasl(capabilities, "PLAIN"),
         [&](Probe& probe) { return c.authenticate(probe, LoginMethod::saslPlain, who); }},
        {"AUTH LOGIN", listsSasl(capabilities, "LOGIN"),
         [&](Probe& probe) { return saslLogin(probe, who); }},
    };
    std::vector<std::string> accepted;
    std::vector<std::string> refused;
    for (const Method& method : methods) {
        Probe probe = c.connectPlain();
        const Reply reply = method.login(probe);
        probe.quit();
        const std::string name = method.name;
        const std::string listing =
            method.listed ? "CAPA before TLS lists it" : "CAPA before TLS leaves it out";
        if (reply.ok()) {
            accepted.push_back(name);
            c.expect(method.listed, name + " works before TLS although CAPA leaves it out",
                     "-ERR (" + listing + ")", reply.describe());
        } else {
            refused.push_back(name + ": " + reply.describe());
            c.expect(!method.listed, name + " is refused before TLS although CAPA lists it",
                     "+OK with the account's credentials (" + listing + ")", reply.describe());
            if (reply.err() && reply.code() != "AUTH")
                c.note(name + " refused without the [AUTH] response code (RFC 3206)");
        }
    }
    c.note("before TLS the server accepts " + joined(accepted));
    c.note("before TLS the server refuses " + joined(refused, "; "));
}

// RFC 2595 §4

void stlsListedInCapa(CheckContext& c) {
    Probe probe = c.connectPlain();
    const Reply capa = probe.command("CAPA");
    const Reply stls = probe.command("STLS");
    probe.close();
    if (!stls.ok())
        c.skip("the server does not offer STLS (" + stls.describe() + ")");
    c.expect(capa.ok(), "the server accepts STLS but has no CAPA",
             "+OK and a capability list that names STLS", capa.describe());
    c.expect(lineWithTag(capa.body, "STLS") != nullptr,
             "the server accepts STLS but CAPA does not list it", "a CAPA line STLS",
             joined(capa.body));
}

void stlsStartsTls(CheckContext& c) {
    Probe probe = plainOfferingStls(c);
    upgrade(c, probe);
    c.expect(probe.secure(), "the connection is not secure after STLS", "TLS", "plaintext");
    c.note("STLS negotiated " + describeSession(probe.wire().tlsSession()));
    const Reply login = c.authenticate(probe, c.server().loginMethod, c.account());
    c.expectOk(login, "the login over TLS (the session stays in AUTHORIZATION after STLS)");
    probe.quit();
}

void stlsNothingBeforeHandshake(CheckContext& c) {
    Probe probe = plainOfferingStls(c);
    c.expectOk(probe.command("STLS"), "STLS in the AUTHORIZATION state");
    const Reply extra = probe.read(ResponseKind::SingleLine, std::chrono::milliseconds(1));
    c.expect(silent(extra), "the server sent more after the +OK to STLS, before the handshake",
             "nothing between the CRLF of the +OK and the TLS handshake", extra.describe());
    handshakeAfterStls(c, probe);
    probe.quit();
}

void stlsDiscardsPipelinedCommands(CheckContext& c) {
    Probe probe = plainOfferingStls(c);
    probe.send("STLS\r\nCAPA\r\n");
    c.expectOk(probe.read(ResponseKind::SingleLine), "STLS");
    c.expect(probe.wire().discardBuffered() == 0,
             "the server answered the CAPA sent with STLS before the handshake",
             "only the +OK to STLS, then the TLS handshake", "more plaintext after the +OK");
    try {
        probe.handshake(mechanicsContext(c));
    } catch (const Error& e) {
        // Dovecot reads the pipelined bytes as the start of the handshake and gives up: nothing
        // injected is executed, though a client that pipelines after STLS cannot connect.
        c.note(std::string("the server refused the TLS handshake after pipelined bytes, so "
                           "nothing injected was answered: ") +
               e.what());
        return;
    }
    const Reply injected = probe.read(ResponseKind::MultiLine, kQuietWait);
    c.expect(silent(injected),
             "the CAPA sent in plaintext with STLS was answered inside TLS (CVE-2011-0411)",
             "nothing until the client's first command over TLS", injected.describe());
    const Reply noop = probe.command("NOOP", ResponseKind::SingleLine);
    c.expect(noop.complete() && !noop.continuation, "NOOP over TLS got no reply of its own",
             "+OK or -ERR", noop.describe());
    probe.quit();
}

void stlsAfterLoginRefused(CheckContext& c) {
    plainOfferingStls(c).quit();
    Probe probe = c.login();
    c.expectErr(probe.command("STLS", ResponseKind::SingleLine), "STLS in the TRANSACTION state");
    probe.quit();
}

void stlsWhenTlsActive(CheckContext& c) {
    Probe probe = plainOfferingStls(c);
    upgrade(c, probe);
    const Reply capa = probe.command("CAPA");
    if (capa.ok() && lineWithTag(capa.body, "STLS") != nullptr)
        c.warn("CAPA over TLS still lists STLS, which announces it as permitted in this state");
    c.expectErr(probe.command("STLS", ResponseKind::SingleLine), "a second STLS");
    probe.quit();
    if (const auto port = c.target().implicitTlsPort) {
        Probe implicit = c.connectTcp(*port);
        implicit.handshake(mechanicsContext(c));
        c.expectOk(implicit.read(ResponseKind::SingleLine),
                   "the greeting on the implicit-TLS port");
        c.expectErr(implicit.command("STLS", ResponseKind::SingleLine),
                    "STLS on the implicit-TLS port");
        implicit.quit();
    }
}

void capaAfterStls(CheckContext& c) {
    std::vector<std::string> before;
    Probe probe = plainOfferingStls(c, &before);
    upgrade(c, probe);
    const Reply after = probe.command("CAPA");
    probe.quit();
    if (!after.ok()) {
        c.warn("CAPA over TLS is refused: " + after.describe());
        return;
    }
    std::vector<std::string> added;
    std::vector<std::string> dropped;
    for (const std::string& line : after.body) {
        if (std::find(before.begin(), before.end(), line) == before.end())
            added.push_back(line);
    }
    for (const std::string& line : before) {
        if (std::find(after.body.begin(), after.body.end(), line) == after.body.end())
            dropped.push_back(line);
    }
    if (added.empty() && dropped.empty())
        c.note("CAPA after STLS is the same as before");
    else
        c.note("CAPA after STLS adds " + joined(added) + " and drops " + joined(dropped));
}

// RFC 8314 §3

void implicitTlsHandshakeFirst(CheckContext& c) {
    Probe probe = c.connectTcp(*c.target().implicitTlsPort);
    const Reply early = probe.read(ResponseKind::SingleLine, kQuietWait);
    c.expect(silent(early), "the implicit-TLS port sent data before any TLS handshake",
             "nothing until the client starts the TLS handshake", early.describe());
    try {
        probe.handshake(mechanicsContext(c));
    } catch (const Error& e) {
        c.fail("the TLS handshake on the implicit-TLS port failed",
               "a TLS handshake, then the +OK greeting", e.what());
    }
    c.note("implicit TLS negotiated " + describeSession(probe.wire().tlsSession()));
    c.expectOk(probe.read(ResponseKind::SingleLine), "the greeting over TLS");
    probe.quit();
}

void implicitTlsAuthorization(CheckContext& c) {
    Probe probe = c.connectTcp(*c.target().implicitTlsPort);
    probe.handshake(mechanicsContext(c));
    c.expectOk(probe.read(ResponseKind::SingleLine), "the greeting over TLS");
    c.expectErr(probe.command("STAT"), "STAT before login over implicit TLS");
    const Reply login = c.authenticate(probe, c.server().loginMethod, c.account());
    c.expectOk(login, "the login over implicit TLS");
    probe.quit();
}

void tlsCloseAlert(CheckContext& c) {
    Poco::Net::Context::Ptr context = mechanicsContext(c);
    // An end of the connection without close_notify must show as an error, not as a close.
    SSL_CTX_clear_options(context->sslContext(), SSL_OP_IGNORE_UNEXPECTED_EOF);
    Probe probe = c.connectTls(context);
    c.expectOk(probe.quit(), "QUIT");
    const WireConnection::CloseWait wait = probe.wire().waitForClose(c.timeout());
    switch (wait.outcome) {
    case WireConnection::CloseWait::Outcome::closed:
        return;
    case WireConnection::CloseWait::Outcome::failed:
        c.fail("the server ended the connection without a TLS close alert",
               "close_notify before the TCP connection closes", wait.detail);
    case WireConnection::CloseWait::Outcome::data:
        c.fail("the server sent more after the +OK to QUIT",
               "close_notify, then the end of the connection", wait.detail);
    case WireConnection::CloseWait::Outcome::timeout:
        c.fail("the server kept the connection open after QUIT", "the connection closed",
               "still open after " + std::to_string(c.timeout().count()) + " ms");
    }
}

// RFC 8314 §4

void oldTlsRefused(CheckContext& c) {
    const TlsProtocol minimum = c.target().minimumTlsVersion;
    std::vector<std::string> accepted;
    bool tried = false;
    for (const TlsProtocol version : allVersions()) {
        if (version >= minimum)
            continue;
        tried = true;
        std::string why;
        if (const auto session = tryVersion(c, version, why)) {
            accepted.push_back(toString(version));
            c.note(toString(version) + " accepted: " + describeSession(*session));
        } else {
            c.note(toString(version) + " refused: " + why);
        }
    }
    if (!tried)
        c.skip("the declared minimum is " + toString(minimum) + ": no older version to try");
    c.expect(accepted.empty(), "the server accepts TLS versions below " + toString(minimum),
             "handshakes with older versions refused", "accepted " + joined(accepted));
}

void currentTlsAccepted(CheckContext& c) {
    const TlsProtocol minimum = c.target().minimumTlsVersion;
    std::vector<std::string> refused;
    bool anyAccepted = false;
    for (const TlsProtocol version : allVersions()) {
        if (version < minimum)
            continue;
        std::string why;
        if (const auto session = tryVersion(c, version, why)) {
            c.note(toString(version) + " accepted: " + describeSession(*session));
            anyAccepted = true;
            continue;
        }
        refused.push_back(toString(version));
        // RFC 8314 and RFC 8997 call for TLS 1.2; TLS 1.3 is reported, not required.
        if (version <= TlsProtocol::tls1_2)
            c.warn(toString(version) + " is refused: " + why);
        else
            c.note(toString(version) + " refused: " + why);
    }
    c.expect(anyAccepted, "no TLS version from " + toString(minimum) + " up is accepted",
             "a handshake with " + toString(minimum) + " or later", "refused " + joined(refused));
}

void certificateValid(CheckContext& c) {
    const Target& target = c.target();
    const TlsProtocol low = std::min(target.minimumTlsVersion, TlsProtocol::tls1_2);
    Poco::Net::Context::Ptr unverified = c.tlsContext(low, TlsProtocol::tls1_3, false);
    if (!target.verifyCertificate) {
        Probe probe = c.connectTls(unverified);
        noteCertificate(c, probe.wire().tlsSession());
        probe.quit();
        c.skip("certificate verification is off for this target");
    }
    Poco::Net::Context::Ptr verified = c.tlsContext(low, TlsProtocol::tls1_3, true);
    std::string failure;
    WireConnection::TlsSession session;
    try {
        Probe probe = c.connectTls(verified);
        session = probe.wire().tlsSession();
        probe.quit();
    } catch (const Error& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        try {
            Probe probe = c.connectTls(unverified);
            noteCertificate(c, probe.wire().tlsSession());
            probe.quit();
        } catch (const Error& e) {
            c.note(std::string("no certificate without verification either: ") + e.what());
        }
        c.fail("the certificate does not verify for '" + target.serverName() + "'",
               "a chain to " + (target.caFile.empty() ? "a system CA" : target.caFile) +
                   ", valid now, naming " + target.serverName(),
               failure);
    }
    const std::optional<long> days = noteCertificate(c, session);
    if (days && *days < kExpiryWarningDays)
        c.warn("the certificate expires in " + std::to_string(*days) + " days");
}

} // namespace

std::vector<Check> tlsChecks() {
    return {
        {{"rfc2595-2.3-plaintext-login-policy", "2595", "2.3", Level::must,
          "Before TLS, USER/PASS and SASL PLAIN/LOGIN work exactly when CAPA lists them",
          "Clients and servers which implement STARTTLS MUST be configurable to refuse all "
          "clear-text login commands or mechanisms (including both standards-track and "
          "nonstandard mechanisms) unless an encryption layer of adequate strength is active.",
          needsPlaintextPort,
          "server:\n"
          "  auth: {refusePlaintextLoginWithoutTls: true}\n"
          "  capabilities:\n"
          "    plain: [TOP, UIDL, USER, SASL PLAIN LOGIN CRAM-MD5, STLS]\n"},
         plaintextLoginPolicy},
        {{"rfc2595-4-stls-listed-in-capa", "2595", "4", Level::must,
          "A server that accepts STLS has CAPA and lists STLS in it",
          "The POP3 STARTTLS extension adds the STLS command to POP3 servers. If this is "
          "implemented, the POP3 extension mechanism [POP3EXT] MUST also be implemented to "
          "avoid the need for client probing of multiple commands. The capability name "
          "\"STLS\" indicates this command is present and permitted in the current state.",
          needsPlaintextPort,
          "server:\n"
          "  capabilities:\n"
          "    plain: [TOP, UIDL, USER, SASL PLAIN LOGIN CRAM-MD5]\n"},
         stlsListedInCapa},
        {{"rfc2595-4-stls-starts-tls", "2595", "4", Level::must,
          "STLS gets +OK, the TLS handshake follows, and the login then works over TLS",
          "A TLS negotiation begins immediately after the CRLF at the end of the +OK response "
          "from the server. The STLS command is only permitted in AUTHORIZATION state and the "
          "server remains in AUTHORIZATION state, even if client credentials are supplied "
          "during the TLS negotiation.",
          needsPlaintextPort,
          "rules:\n"
          "  - {command: STLS, fault: stlsWithoutTls}\n"},
         stlsStartsTls},
        {{"rfc2595-4-stls-nothing-before-handshake", "2595", "4", Level::must,
          "Nothing follows the +OK to STLS before the TLS handshake",
          "A TLS negotiation begins immediately after the CRLF at the end of the +OK response "
          "from the server.",
          needsPlaintextPort,
          "rules:\n"
          "  - {command: STLS, fault: stlsInjectedLines}\n"},
         stlsNothingBeforeHandshake},
        {{"rfc2595-4-stls-discards-pipelined-commands", "2595", "4", Level::sec,
          "Commands sent in plaintext behind STLS are discarded, not answered inside TLS",
          "Bytes the client sent after STLS and before the TLS handshake are discarded: "
          "nothing received in plaintext is executed or answered inside the TLS session "
          "(plaintext command injection, CVE-2011-0411).",
          needsPlaintextPort,
          "rules:\n"
          "  - {command: STLS, fault: stlsCommandInjection}\n"},
         stlsDiscardsPipelinedCommands},
        {{"rfc2595-4-stls-after-login-refused", "2595", "4", Level::must,
          "STLS after login gets -ERR",
          "The STLS command is only permitted in AUTHORIZATION state and the server remains "
          "in AUTHORIZATION state, even if client credentials are supplied during the TLS "
          "negotiation.",
          needsPlaintextPort,
          "rules:\n"
          "  - {command: STLS, reply: \"+OK Begin TLS negotiation\"}\n"},
         stlsAfterLoginRefused},
        {{"rfc2595-4-stls-when-tls-active",
          "2595",
          "4",
          Level::may,
          "STLS over TLS (a second STLS, STLS on the implicit-TLS port) gets -ERR, and CAPA "
          "over TLS leaves STLS out",
          "A -ERR response MAY result if a security layer is already active.",
          needsPlaintextPort,
          {}},
         stlsWhenTlsActive},
        {{"rfc2595-4-capa-after-stls",
          "2595",
          "4",
          Level::may,
          "CAPA works after STLS; how it differs from CAPA before is reported",
          "The server MAY advertise different capabilities after STLS.",
          needsPlaintextPort,
          {}},
         capaAfterStls},
        {{"rfc8314-3.1-implicit-tls-handshake-first", "8314", "3.1", Level::must,
          "The implicit-TLS port sends nothing before the TLS handshake, then the +OK greeting",
          "When a TCP connection is established for the \"pop3s\" service (default port 995), "
          "a TLS handshake begins immediately.",
          needsImplicitTls,
          "rules:\n"
          "  - {command: greeting, fault: noImplicitTls}\n"},
         implicitTlsHandshakeFirst},
        {{"rfc8314-3.1-implicit-tls-authorization", "8314", "3.1", Level::must,
          "After the greeting over implicit TLS the session is in AUTHORIZATION: STAT gets "
          "-ERR, the login works",
          "After the server sends an +OK greeting, the server and client MUST enter the "
          "AUTHORIZATION state, even if a client certificate was supplied during the TLS "
          "handshake.",
          needsImplicitTls,
          "rules:\n"
          "  - {command: STAT, reply: \"+OK 0 0\"}\n"},
         implicitTlsAuthorization},
        {{"rfc8314-3.4-tls-close-alert",
          "8314",
          "3.4",
          Level::should,
          "After QUIT the server sends a TLS close alert before closing the connection",
          "When a client or server wishes to close the connection, it SHOULD initiate the "
          "exchange of TLS close alerts before TCP connection termination.",
          0,
          {}},
         tlsCloseAlert},
        {{"rfc8314-4.1-old-tls-refused", "8314", "4.1", Level::sec,
          "TLS versions below the declared minimum (default TLS 1.2) are refused",
          "The server refuses TLS versions below the declared minimum, TLS 1.2 unless told "
          "otherwise: RFC 8314 §4.1 (\"As soon as practicable, MSPs currently supporting "
          "Secure Sockets Layer (SSL) 2.x, SSL 3.0, or TLS 1.0 SHOULD transition their users to "
          "TLS 1.1 or later and discontinue support for those earlier versions of SSL and "
          "TLS.\"), raised to TLS 1.2 by RFC 8997; RFC 8996 deprecates TLS 1.0 and 1.1.",
          0,
          "server:\n"
          "  tls: {minProtocol: TLSv1.0}\n"},
         oldTlsRefused},
        {{"rfc8314-4.1-current-tls-accepted", "8314", "4.1", Level::should,
          "TLS from the declared minimum up is accepted; the version and cipher are reported",
          "As soon as practicable, MSPs currently supporting Secure Sockets Layer (SSL) 2.x, "
          "SSL 3.0, or TLS 1.0 SHOULD transition their users to TLS 1.1 or later and "
          "discontinue support for those earlier versions of SSL and TLS.",
          0,
          "server:\n"
          "  tls: {minProtocol: TLSv1.0, maxProtocol: TLSv1.1}\n"},
         currentTlsAccepted},
        {{"rfc8314-4.4-certificate-valid", "8314", "4.4", Level::must,
          "The certificate chains to a trusted CA, is valid now and names the server",
          "MSPs MUST maintain valid server certificates for all servers.", 0,
          "rules:\n"
          "  - {command: greeting, fault: untrustedCertificate}\n"},
         certificateValid},
    };
}

} // namespace pop3::conformance
