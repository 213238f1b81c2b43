#pragma once

#include "pop3/Tls.h"
#include "pop3/mock/Scenario.h"
#include "pop3/mock/Step.h"
#include "pop3/mock/StepReport.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pop3::mock {

/// How long a step waits when the scenario says nothing (connect, TLS handshake, send, expect).
inline constexpr std::chrono::milliseconds kDefaultStepTimeout{5000};

/// The largest multi-line body an `expect` step accepts before it fails.
inline constexpr std::uint64_t kDefaultMaxResponseOctets = 64 * 1024 * 1024;

/// Plays a scenario's `steps` (docs/scenarios.md) as a client against one server: the mock, or
/// any POP3 server given with `--target`.
///
/// Each `connect` opens a named connection to host:port (with `implicitTls`, TLS first). `send`
/// writes a command and CRLF, or raw bytes as written. `expect` reads one response with the
/// strict pop3::ResponseDecoder; whether it has a multi-line body follows Step.h: the step's
/// `multiline`, else `true` with `lines`, else the command line the response answers (LIST and
/// UIDL without argument, RETR, TOP, CAPA, AUTH without mechanism). Responses are matched to
/// command lines in order, so a raw send of several commands is answered by as many `expect`
/// steps; the greeting is the first response of a connection. After an AUTH continuation
/// ("+ ..."), the next line sent is a SASL response and its answer may be a continuation too.
///
/// The run stops at the first failing step. It never waits beyond a step's timeout, never
/// throws for anything the server does, and reports a connection or TLS failure as a failed
/// step with the reason.
class StepRunner {
public:
    struct Options {
        /// Where to connect.
        std::string host = "127.0.0.1";
        std::uint16_t port = 110;
        /// The name the server's certificate must carry (and sent as SNI); empty: `host`.
        /// An IP address is checked against the certificate's IP addresses.
        std::string tlsServerName;
        /// Verify the server's certificate chain and name; false accepts any certificate.
        bool verifyCertificate = true;
        /// PEM file of the CAs to trust; empty: the system's default CAs.
        std::string caFile;
        TlsProtocol minProtocol = TlsProtocol::tls1_2;
        TlsProtocol maxProtocol = TlsProtocol::tls1_3;
        /// Timeout of steps that give none.
        std::chrono::milliseconds timeout = kDefaultStepTimeout;
        /// A longer multi-line body fails the step.
        std::uint64_t maxResponseOctets = kDefaultMaxResponseOctets;
    };

    StepRunner();
    explicit StepRunner(Options options);

    /// Runs `scenario.steps`; failures point into `scenario.sourceFile`.
    StepReport run(const Scenario& scenario) const;
    /// Runs `steps`; `sourceFile` names the file their locations refer to.
    StepReport run(const std::vector<Step>& steps, const std::string& sourceFile = {}) const;

    const Options& options() const { return _options; }

private:
    Options _options;
};

} // namespace pop3::mock
