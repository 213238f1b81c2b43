// End to end: the built pop3-conform binary against pop3::Server on loopback.

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/Files.h"
#include "support/ServerFixture.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using test::SubprocessResult;
using test::wireForm;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

using test::readFile;

std::string inFolder(const std::string& folder, const std::string& name) {
    return Poco::Path(Poco::Path::forDirectory(folder), name).toString();
}

SubprocessResult pop3Conform(const std::vector<std::string>& args) {
    return test::runSubprocess(POP3_CONFORM_BINARY, args, {}, std::chrono::seconds(30));
}

class FetchCommandTest : public test::ServerFixture {
protected:
    void SetUp() override {
        ServerFixture::SetUp();
        _dir.createDirectories();
        std::ofstream(passwordFile()) << "alice-pw\n";
    }

    std::string url(const std::string& scheme = "pop3", const std::string& host = "127.0.0.1") {
        return scheme + "://alice@" + host + ":" + std::to_string(server->port());
    }

    std::string out() const { return inFolder(_dir.path(), "mail"); }
    std::string passwordFile() const { return inFolder(_dir.path(), "password"); }
    std::string stateFile() const { return inFolder(_dir.path(), "uidls"); }

private:
    Poco::TemporaryFile _dir;
};

TEST_F(FetchCommandTest, FetchesEveryMessageAndPrintsTheSummary) {
    startServer();
    const SubprocessResult result =
        pop3Conform({"fetch", url(), "--out", out(), "--password-file", passwordFile()});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    const std::uint64_t octets =
        wireForm(test::kFirstMessage).size() + wireForm(test::kSecondMessage).size();
    EXPECT_EQ(result.out,
              "fetched 2 of 2 messages (" + std::to_string(octets) + " octets) from 127.0.0.1\n");
    EXPECT_EQ(result.err, "") << "no progress bar when stderr is not a terminal";
    EXPECT_EQ(readFile(inFolder(out(), "uid-1.eml")), wireForm(test::kFirstMessage));
    EXPECT_EQ(readFile(inFolder(out(), "uid-2.eml")), wireForm(test::kSecondMessage));
    EXPECT_EQ(mailbox.uids("alice").size(), 2u);
}

TEST_F(FetchCommandTest, ImplicitTlsPasswordFromEnvironmentAndDelete) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    ::setenv("POP3_CONFORM_E2E_PASSWORD", "alice-pw", 1);
    const SubprocessResult result = pop3Conform(
        {"fetch", url("pop3s", "localhost"), "--out", out(), "--ca", test::TestPki::get().caCert,
         "--password-env", "POP3_CONFORM_E2E_PASSWORD", "--delete"});
    ::unsetenv("POP3_CONFORM_E2E_PASSWORD");
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_THAT(result.out, MatchesRegex("fetched 2 of 2 messages \\([0-9]+ octets\\) from "
                                         "localhost, deleted 2\n"));
    EXPECT_TRUE(mailbox.uids("alice").empty());
    EXPECT_EQ(readFile(inFolder(out(), "uid-2.eml")), wireForm(test::kSecondMessage));
}

TEST_F(FetchCommandTest, StartTlsMaildirAndUidlStateAcrossRuns) {
    startServer();
    const std::vector<std::string> args = {"fetch",
                                           url("pop3", "localhost"),
                                           "--out",
                                           out(),
                                           "--starttls",
                                           "--ca",
                                           test::TestPki::get().caCert,
                                           "--maildir",
                                           "--uidl-state",
                                           stateFile(),
                                           "--password-file",
                                           passwordFile()};
    SubprocessResult result = pop3Conform(args);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    mailbox.addMessage("alice", "uid-3", "Subject: three\r\n\r\nthird\r\n");
    result = pop3Conform(args);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_THAT(result.out, MatchesRegex("fetched 1 of 3 messages \\(25 octets\\) from "
                                         "localhost, 2 already fetched\n"));
    std::size_t delivered = 0;
    for (Poco::DirectoryIterator it(inFolder(out(), "new")), end; it != end; ++it)
        ++delivered;
    EXPECT_EQ(delivered, 3u);
    EXPECT_EQ(readFile(stateFile()), "uid-1\nuid-2\nuid-3\n");
}

TEST_F(FetchCommandTest, VerboseTracesTheSessionWithThePasswordMasked) {
    startServer();
    const SubprocessResult result = pop3Conform(
        {"fetch", url(), "--out", out(), "--password-file", passwordFile(), "--verbose"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_THAT(result.err, HasSubstr("C: USER alice\nS: +OK\nC: PASS ****\n"));
    EXPECT_THAT(result.err, HasSubstr("C: RETR 2\n"));
    EXPECT_THAT(result.err, HasSubstr("C: QUIT\n"));
    EXPECT_THAT(result.err, Not(HasSubstr("alice-pw")));
}

TEST_F(FetchCommandTest, UsageErrorsExitTwo) {
    startServer();
    const std::string pop3Url = url();
    const std::vector<std::vector<std::string>> cases = {
        {},
        {"frobnicate"},
        {"fetch"},
        {"fetch", pop3Url},
        {"fetch", pop3Url, "--out", out(), "--bogus"},
        {"fetch", pop3Url, "--out", out(), "--timeout", "0"},
        {"fetch", pop3Url, "--out", out(), "--ca", "/nonexistent/ca.pem"},
        {"fetch", "imap://alice@127.0.0.1", "--out", out(), "--password-file", passwordFile()},
        {"fetch", "pop3s://alice@localhost", "--starttls", "--out", out(), "--password-file",
         passwordFile()},
        {"fetch", "pop3://alice:pw@localhost", "--out", out(), "--password-file", passwordFile()},
        {"fetch", pop3Url, "--out", out()},
        {"fetch", pop3Url, "--out", out(), "--auth", "kerberos", "--password-file", passwordFile()},
    };
    for (const std::vector<std::string>& args : cases) {
        const SubprocessResult result = pop3Conform(args);
        const std::string shown = ::testing::PrintToString(args);
        EXPECT_EQ(result.exitCode, 2) << shown << "\n" << result.err;
        EXPECT_THAT(result.err, Not(IsEmpty())) << shown;
        EXPECT_EQ(result.out, "") << shown;
    }
    EXPECT_FALSE(Poco::File(out()).exists()) << "nothing written on a usage error";
    EXPECT_EQ(mailbox.disconnects(), 0) << "no connection on a usage error";
}

TEST_F(FetchCommandTest, HelpAndVersionExitZero) {
    SubprocessResult result = pop3Conform({"fetch", "--help"});
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_THAT(result.out, HasSubstr("--uidl-state"));
    result = pop3Conform({"--version"});
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_THAT(result.out, MatchesRegex("pop3-conform [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

TEST_F(FetchCommandTest, WrongPasswordExitsOne) {
    startServer();
    std::ofstream(passwordFile()) << "wrong\n";
    const SubprocessResult result =
        pop3Conform({"fetch", url(), "--out", out(), "--password-file", passwordFile()});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_THAT(result.err, StartsWith("pop3-conform fetch: "));
    EXPECT_THAT(result.err, HasSubstr("PASS ****"));
    EXPECT_EQ(result.out, "");
}

TEST_F(FetchCommandTest, ConnectionRefusedExitsOne) {
    std::uint16_t port = 0;
    {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = socket.address().port();
    } // closed: nothing listens there now
    const SubprocessResult result =
        pop3Conform({"fetch", "pop3://alice@127.0.0.1:" + std::to_string(port), "--out", out(),
                     "--password-file", passwordFile(), "--timeout", "5000"});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_THAT(result.err, StartsWith("pop3-conform fetch: "));
    EXPECT_EQ(result.out, "");
}

TEST_F(FetchCommandTest, RefusedMessageExitsOneAfterTheSummary) {
    startServer([](Server& s) {
        auto serve = s.onRetrieve;
        s.onRetrieve = [serve](Session& session) {
            if (session.item.uid == "uid-2")
                throw std::runtime_error("unreadable");
            serve(session);
        };
    });
    const SubprocessResult result = pop3Conform(
        {"fetch", url(), "--out", out(), "--password-file", passwordFile(), "--delete"});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_THAT(result.out, HasSubstr("fetched 1 of 2 messages"));
    EXPECT_THAT(result.out, HasSubstr(", 1 failed, deleted 0\n"));
    EXPECT_THAT(result.err, StartsWith("pop3-conform fetch: "));
    EXPECT_THAT(result.err, HasSubstr("RETR 2"));
    EXPECT_EQ(mailbox.uids("alice").size(), 2u);
}

} // namespace
} // namespace pop3::cli
