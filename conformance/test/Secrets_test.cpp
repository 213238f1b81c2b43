// Passwords and SASL secrets never reach the conformance reports, their failed-check transcripts
// or the checker's errors: checks that fail against the embedded mock, logging in with every
// method.

#include "pop3/Auth.h"
#include "pop3/Errors.h"
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"
#include "pop3/conformance/CheckRunner.h"
#include "pop3/conformance/EmbeddedMock.h"
#include "pop3/conformance/Reports.h"

#include <gtest/gtest.h>

#include <sstream>

#include "support/Secrets.h"

namespace pop3::conformance {
namespace {

using test::holdsNoSecret;
using test::kSecret;
using test::secretForms;

/// The mock accepts any password, so the checks log in with the secret, and a wrong password
/// (the secret with "-wrong" appended) is accepted too. STAT fails, so every check that logs in
/// and looks fails, with its transcript.
constexpr const char* kAnyPasswordAndNoStat = R"(
server:
  auth:
    acceptAnyPassword: true
rules:
  - {command: STAT, reply: "-ERR [SYS/TEMP] storage offline"}
)";

/// The embedded mock's target, both accounts logging in with the secret.
Target secretTarget(const EmbeddedMock& mock) {
    Target target = mock.target();
    target.account.password = kSecret;
    target.secondAccount->password = kSecret;
    return target;
}

/// The text, JSON and JUnit reports, one after the other.
std::string allReports(const CheckReport& report) {
    std::ostringstream out;
    writeText(out, report);
    writeJson(out, report);
    writeJunit(out, report);
    return out.str();
}

/// What a client holding the secret (or the secret with "-wrong") would send for the APOP
/// timestamps and CRAM-MD5 challenges in `text`: the digests and CRAM-MD5 responses.
std::vector<std::string> digestsFor(const std::string& text) {
    std::vector<std::string> found;
    for (const std::string& secret : {kSecret, kSecret + "-wrong"}) {
        for (const std::string& form : secretForms("alice", secret))
            found.push_back(form);
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            if (const auto timestamp = extractApopTimestamp(line))
                found.push_back(apopDigest(*timestamp, secret));
            const std::size_t challenge = line.find("S: + ");
            if (challenge == std::string::npos)
                continue;
            const std::string digest =
                cramMd5Digest(decodeBase64(line.substr(challenge + 5)).value_or(""), secret);
            found.push_back(digest);
            found.push_back(encodeBase64("alice " + digest));
        }
    }
    return found;
}

TEST(SecretsNeverLeak, FailedCheckTranscriptsMaskEveryLoginMethod) {
    EmbeddedMock mock(kAnyPasswordAndNoStat);
    RunOptions options;
    options.strict = true;
    const CheckReport report =
        runChecks(secretTarget(mock),
                  selectChecks({"rfc1939-4-wrong-password-refused", "rfc1939-7-user-pass-login",
                                "rfc1939-7-apop-login", "rfc5034-4-*"}),
                  options);
    ASSERT_EQ(report.overallError, "");
    std::string transcripts;
    for (const CheckResult& result : report.results) {
        for (const std::string& line : result.transcript)
            transcripts += line + "\n";
    }
    for (const char* shown : {"C: PASS ****", "C: AUTH PLAIN ****", "C: AUTH LOGIN", "C: ****",
                              "C: AUTH CRAM-MD5", "C: APOP alice ****"})
        EXPECT_NE(transcripts.find(shown), std::string::npos) << shown << " in\n" << transcripts;
    const std::vector<std::string> digests = digestsFor(transcripts);
    EXPECT_GT(digests.size(), 2 * secretForms("alice").size())
        << "no APOP timestamp or CRAM-MD5 challenge in\n"
        << transcripts;
    const std::string reports = allReports(report);
    EXPECT_TRUE(holdsNoSecret(reports, "alice", digests));
    EXPECT_TRUE(holdsNoSecret(reports, "bob"));
}

TEST(SecretsNeverLeak, ProbeTranscriptMasksPipelinedSaslDataAndUnfinishedLines) {
    EmbeddedMock mock(kAnyPasswordAndNoStat);
    const Target target = secretTarget(mock);
    const Discovery discovery;
    CheckContext context(target, discovery);
    {
        Probe probe = context.connect();
        probe.send("AUTH LOGIN\r\n" + encodeBase64("alice") + "\r\n" + encodeBase64(kSecret) +
                   "\r\n");
        EXPECT_TRUE(probe.read(ResponseKind::SaslStep).continuation);
        EXPECT_TRUE(probe.read(ResponseKind::SaslStep).continuation);
        EXPECT_TRUE(probe.read(ResponseKind::SaslStep).ok());
        probe.quit();
    }
    {
        Probe probe = context.connect();
        probe.command("USER alice");
        probe.send("PASS " + kSecret);
        probe.close();
    }
    std::string transcript;
    for (const std::string& line : context.transcript())
        transcript += line + "\n";
    EXPECT_TRUE(holdsNoSecret(transcript, "alice"));
    EXPECT_NE(transcript.find("C: PASS **** (no CRLF)"), std::string::npos) << transcript;
}

TEST(SecretsNeverLeak, RefusedDiscoveryLoginNamesNoPassword) {
    EmbeddedMock mock; // alice's password is not the secret
    const CheckReport report =
        runChecks(secretTarget(mock), selectChecks({"rfc1939-7-user-pass-login"}));
    EXPECT_NE(report.overallError, "");
    EXPECT_TRUE(holdsNoSecret(report.overallError + allReports(report), "alice"));
}

TEST(SecretsNeverLeak, UrlGivenAsCheckPatternIsNotEchoed) {
    try {
        selectChecks({"pop3://alice:" + kSecret + "@127.0.0.1:1100"});
        FAIL() << "a URL matched a check id";
    } catch (const UsageError& e) {
        EXPECT_TRUE(holdsNoSecret(e.what(), "alice"));
    }
}

} // namespace
} // namespace pop3::conformance
