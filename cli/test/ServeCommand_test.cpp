// End to end: `pop3-conform serve` as a process, used by pop3::Client and Python's poplib.

#include "pop3/Client.h"
#include "pop3/Message.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ServeProcess.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFirst = "Subject: a\n\n.dot\nA\n";
const std::string kSecond = "Subject: b\r\n\r\nB\r\n";

class ServeCommandTest : public ::testing::Test {
protected:
    void SetUp() override {
        _dir.createDirectories();
        Poco::File(messages()).createDirectories();
        Poco::FileOutputStream(inDir("mail/a.eml")) << kFirst;
        Poco::FileOutputStream(inDir("mail/b.eml")) << kSecond;
    }

    std::string inDir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }
    std::string messages() const { return inDir("mail/"); }

private:
    Poco::TemporaryFile _dir;
};

TEST_F(ServeCommandTest, ServesEveryEmlToEachUserOverStlsAndImplicitTls) {
    ServeProcess serve({"serve", "--user", "alice:pw", "--user", "bob:pw2", "--messages",
                        messages(), "--record", inDir("record.jsonl")});
    for (const auto& [user, password] :
         {std::pair<const char*, const char*>{"alice", "pw"}, {"bob", "pw2"}}) {
        Client client;
        client.host = "localhost";
        client.port = serve.port("pop3");
        client.encryptMode = EncryptMode::startTls;
        client.caFile = serve.certificate();
        client.username = user;
        client.password = password;
        client.connect();
        EXPECT_EQ(client.retrieve(1), canonicalMessage(kFirst));
        EXPECT_EQ(client.retrieve(2), canonicalMessage(kSecond));
        EXPECT_EQ(client.uidl(1).at(0).id, "a");
        client.disconnect();
    }
    const test::SubprocessResult poplib = test::runSubprocess(
        POP3_TEST_PYTHON,
        {"-c",
         "import poplib, ssl, sys\n"
         "ctx = ssl.create_default_context(cafile=sys.argv[2])\n"
         "p = poplib.POP3_SSL('localhost', int(sys.argv[1]), context=ctx, timeout=10)\n"
         "p.user('alice'); p.pass_('pw')\n"
         "sys.stdout.buffer.write(b'\\r\\n'.join(p.retr(2)[1]) + b'\\r\\n')\n"
         "p.quit()\n",
         std::to_string(serve.port("pop3s")), serve.certificate()});
    ASSERT_EQ(poplib.exitCode, 0) << poplib.err;
    EXPECT_EQ(poplib.out, canonicalMessage(kSecond));
    EXPECT_EQ(serve.stop(), 0);

    Poco::FileInputStream in(inDir("record.jsonl"));
    std::string record;
    Poco::StreamCopier::copyToString(in, record);
    EXPECT_THAT(record, HasSubstr(R"("direction":"client","line":"PASS ****")"));
    EXPECT_THAT(record, HasSubstr(R"("line":"USER bob")"));
    EXPECT_THAT(record, Not(HasSubstr("pw2")));
}

TEST_F(ServeCommandTest, ScenarioFileErrorsExitTwoWithTheirLocation) {
    Poco::FileOutputStream(inDir("bad.yaml")) << "mailboxes:\n  - usr: alice\n";
    const test::SubprocessResult result =
        test::runSubprocess(POP3_CONFORM_BINARY, {"serve", inDir("bad.yaml")});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_THAT(result.err, HasSubstr("bad.yaml:2:"));
    EXPECT_THAT(result.err, HasSubstr("did you mean 'user'"));
}

TEST_F(ServeCommandTest, UsageErrorsExitTwo) {
    EXPECT_EQ(test::runSubprocess(POP3_CONFORM_BINARY, {"serve"}).exitCode, 2);
    EXPECT_EQ(test::runSubprocess(POP3_CONFORM_BINARY, {"serve", "--user", "nopassword"}).exitCode,
              2);
}

} // namespace
} // namespace pop3::cli
