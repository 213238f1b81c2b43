// `pop3-conform serve --maildir` loses no mail: message files go only at a QUIT that the
// client saw answered, never on a crash, a dropped connection or a failed unlink, and one
// Maildir has one session at a time.

#include "pop3/Client.h"
#include "pop3/Errors.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "support/Files.h"
#include "support/RawClient.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using test::RawClient;
using ::testing::StartsWith;

constexpr const char* kPassword = "pw";
/// The unprivileged account the server runs as when the tests run as root (root ignores
/// directory permissions, so a read-only Maildir would not refuse it an unlink).
constexpr const char* kNobody = "65534";
/// A folder every account can reach, for the Maildir and the server's working files.
constexpr const char* kShared = "/tmp";

/// `pop3-conform serve --maildir DIR --user alice:pw --user bob:pw` as a process that a test
/// may kill with any signal.
class MaildirServer {
public:
    MaildirServer(const std::string& maildir, bool unprivileged) {
        std::vector<std::string> args = {"serve",
                                         "--maildir",
                                         maildir,
                                         "--user",
                                         std::string("alice:") + kPassword,
                                         "--user",
                                         std::string("bob:") + kPassword};
        std::string program = POP3_CONFORM_BINARY;
        Poco::Process::Env env;
        if (unprivileged && ::geteuid() == 0) {
            env["TMPDIR"] = kShared; // for the generated certificate
            args.insert(args.begin(),
                        {std::string("--reuid=") + kNobody, std::string("--regid=") + kNobody,
                         "--clear-groups", "--", program});
            program = test::requireProgram("setpriv");
        }
        _handle = std::make_unique<Poco::ProcessHandle>(
            Poco::Process::launch(program, args, kShared, nullptr, &_out, &_err, env));
        Poco::PipeInputStream out(_out);
        std::string line;
        std::getline(out, line);
        if (line.empty()) {
            Poco::PipeInputStream err(_err);
            std::string text;
            Poco::StreamCopier::copyToString(err, text);
            kill(SIGKILL);
            throw std::runtime_error("serve did not start: " + text);
        }
        _ready = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    }

    MaildirServer(const MaildirServer&) = delete;
    MaildirServer& operator=(const MaildirServer&) = delete;

    ~MaildirServer() {
        if (_running)
            kill(SIGTERM);
    }

    /// Sends `signal` and waits for the process to end.
    void kill(int signal) {
        _running = false;
        ::kill(static_cast<pid_t>(_handle->id()), signal);
        _handle->wait();
    }

    std::uint16_t port() const { return _ready->getValue<std::uint16_t>("pop3"); }
    std::uint16_t tlsPort() const { return _ready->getValue<std::uint16_t>("pop3s"); }
    std::string certificate() const { return _ready->getValue<std::string>("certificate"); }

private:
    Poco::Pipe _out;
    Poco::Pipe _err;
    std::unique_ptr<Poco::ProcessHandle> _handle;
    Poco::JSON::Object::Ptr _ready;
    bool _running = true;
};

/// Sends USER and PASS; returns PASS's reply.
std::string login(RawClient& client, const std::string& user = "alice") {
    const std::string userReply = client.command("USER " + user);
    if (userReply != "+OK\r\n")
        return userReply;
    return client.command(std::string("PASS ") + kPassword);
}

/// A logged-in session, once the server has let go of the previous one (it notices a dropped
/// connection a moment later).
RawClient loginWhenFree(std::uint16_t port) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        RawClient client(port);
        client.readLine();
        const std::string reply = login(client);
        if (reply.rfind("+OK", 0) == 0 || std::chrono::steady_clock::now() > deadline) {
            EXPECT_THAT(reply, StartsWith("+OK"));
            return client;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

class ServeDataSafetyTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* sub : {"new/", "cur/", "tmp/"}) {
            Poco::File(inMaildir(sub)).createDirectories();
            ::chmod(inMaildir(sub).c_str(), 0755);
        }
        std::string big = "Subject: c\n\n";
        while (big.size() < (16u << 20))
            big += "a line of the large message, long enough to fill the socket buffers\n";
        _files = {{inMaildir("cur/1000.a.host:2,S"), "Subject: a\n\nA\n"},
                  {inMaildir("new/2000.b.host"), "Subject: b\n\nB\n"},
                  {inMaildir("new/3000.c.host"), big}};
        for (const auto& [path, text] : _files) {
            Poco::FileOutputStream(path) << text;
            ::chmod(path.c_str(), 0644);
        }
        ::chmod(maildir().c_str(), 0755);
    }

    void TearDown() override {
        // Let the cleanup remove what a test made read-only.
        ::chmod(inMaildir("cur/").c_str(), 0755);
        ::chmod(inMaildir("new/").c_str(), 0755);
    }

    std::string inMaildir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }
    std::string maildir() const { return _dir.path(); }

    /// Every message file is there with its original bytes.
    void expectEveryFileIntact() const {
        for (const auto& [path, text] : _files) {
            ASSERT_TRUE(Poco::File(path).exists()) << path;
            EXPECT_TRUE(test::readFile(path) == text) << path << " changed";
        }
    }

    const std::string& path(std::size_t n) const { return _files.at(n - 1).first; }

private:
    Poco::TemporaryFile _dir{kShared};
    std::vector<std::pair<std::string, std::string>> _files;
};

TEST_F(ServeDataSafetyTest, QuitRemovesExactlyTheMarkedFiles) {
    MaildirServer server(maildir(), false);
    RawClient client(server.port());
    client.readLine();
    ASSERT_THAT(login(client), StartsWith("+OK"));
    EXPECT_THAT(client.command("DELE 2"), StartsWith("+OK"));
    EXPECT_EQ(client.command("QUIT"), "+OK Bye\r\n");
    EXPECT_FALSE(Poco::File(path(2)).exists());
    EXPECT_TRUE(Poco::File(path(1)).exists());
    EXPECT_TRUE(Poco::File(path(3)).exists());
}

TEST_F(ServeDataSafetyTest, KillNineAfterDeleKeepsEveryMessageFile) {
    MaildirServer server(maildir(), false);
    RawClient client(server.port());
    client.readLine();
    ASSERT_THAT(login(client), StartsWith("+OK"));
    for (const char* command : {"DELE 1", "DELE 2", "DELE 3"})
        ASSERT_THAT(client.command(command), StartsWith("+OK")) << command;
    server.kill(SIGKILL);
    expectEveryFileIntact();
}

TEST_F(ServeDataSafetyTest, KillNineDuringRetrAfterDeleKeepsEveryMessageFile) {
    MaildirServer server(maildir(), false);
    RawClient client(server.port());
    client.readLine();
    ASSERT_THAT(login(client), StartsWith("+OK"));
    ASSERT_THAT(client.command("DELE 1"), StartsWith("+OK"));
    ASSERT_THAT(client.command("RETR 3"), StartsWith("+OK"));
    client.readLine();
    server.kill(SIGKILL);
    expectEveryFileIntact();
}

TEST_F(ServeDataSafetyTest, ClientDroppingMidRetrDeletesNothing) {
    MaildirServer server(maildir(), false);
    {
        RawClient client(server.port());
        client.readLine();
        ASSERT_THAT(login(client), StartsWith("+OK"));
        ASSERT_THAT(client.command("DELE 1"), StartsWith("+OK"));
        ASSERT_THAT(client.command("RETR 3"), StartsWith("+OK"));
        client.readLine();
        // Gone mid-message, with most of it unread: a reset, no QUIT.
        client.socket().setLinger(true, 0);
        client.socket().close();
    }
    RawClient next = loginWhenFree(server.port());
    EXPECT_THAT(next.command("STAT"), StartsWith("+OK 3 "));
    expectEveryFileIntact();
}

TEST_F(ServeDataSafetyTest, DisconnectAfterDeleWithoutQuitDeletesNothing) {
    MaildirServer server(maildir(), false);
    {
        RawClient client(server.port());
        client.readLine();
        ASSERT_THAT(login(client), StartsWith("+OK"));
        ASSERT_THAT(client.command("DELE 1"), StartsWith("+OK"));
        ASSERT_THAT(client.command("DELE 2"), StartsWith("+OK"));
    }
    RawClient next = loginWhenFree(server.port());
    EXPECT_THAT(next.command("STAT"), StartsWith("+OK 3 "));
    expectEveryFileIntact();
}

TEST_F(ServeDataSafetyTest, FailedUnlinkAtQuitIsReportedAndLosesNothing) {
    // cur/ (message 1) refuses unlinks; new/ (messages 2 and 3) allows them.
    ASSERT_EQ(::chmod(inMaildir("cur/").c_str(), 0555), 0);
    ASSERT_EQ(::chmod(inMaildir("new/").c_str(), 0777), 0);
    MaildirServer server(maildir(), true);
    {
        RawClient client(server.port());
        client.readLine();
        ASSERT_THAT(login(client), StartsWith("+OK"));
        ASSERT_THAT(client.command("DELE 1"), StartsWith("+OK"));
        ASSERT_THAT(client.command("DELE 2"), StartsWith("+OK"));
        EXPECT_EQ(client.command("QUIT"),
                  "-ERR [SYS/TEMP] Some deleted messages were not removed\r\n");
        EXPECT_TRUE(client.closedByServer());
    }
    EXPECT_TRUE(Poco::File(path(1)).exists()) << "the file that could not be removed is kept";
    EXPECT_FALSE(Poco::File(path(2)).exists()) << "the other marked file is still removed";
    EXPECT_TRUE(Poco::File(path(3)).exists());
    // The next session sees the store as the files are: message 1 and 3, both readable.
    RawClient next = loginWhenFree(server.port());
    EXPECT_EQ(next.multiline("UIDL"),
              "+OK Unique-ID listing follows\r\n1 1000.a.host\r\n2 3000.c.host\r\n.\r\n");
    EXPECT_EQ(next.multiline("RETR 1"), "+OK 17 octets\r\nSubject: a\r\n\r\nA\r\n.\r\n");
}

TEST_F(ServeDataSafetyTest, ConcurrentSessionsOnOneMaildirGetInUse) {
    MaildirServer server(maildir(), false);
    RawClient first(server.port());
    first.readLine();
    ASSERT_THAT(login(first), StartsWith("+OK"));

    RawClient samePort(server.port());
    samePort.readLine();
    EXPECT_THAT(login(samePort), StartsWith("-ERR [IN-USE]"));

    Client overTls;
    overTls.host = "localhost";
    overTls.port = server.tlsPort();
    overTls.encryptMode = EncryptMode::sslTls;
    overTls.caFile = server.certificate();
    overTls.username = "alice";
    overTls.password = kPassword;
    try {
        overTls.connect();
        ADD_FAILURE() << "a second session over implicit TLS logged in";
    } catch (const ServerError& e) {
        EXPECT_EQ(e.code(), ServerError::Code::InUse) << e.what();
    }

    RawClient otherUser(server.port());
    otherUser.readLine();
    EXPECT_THAT(login(otherUser, "bob"), StartsWith("-ERR [IN-USE]"))
        << "bob is served the same Maildir";

    EXPECT_EQ(first.command("QUIT"), "+OK Bye\r\n");
    EXPECT_THAT(login(otherUser, "bob"), StartsWith("+OK")) << "free once QUIT is answered";
}

} // namespace
} // namespace pop3::cli
