// End to end: `pop3-conform serve` as a process, used by pop3::Client and Python's poplib.

#include "pop3/Client.h"
#include "pop3/Errors.h"
#include "pop3/Message.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "ServeProcess.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFirst = "Subject: a\n\n.dot\nA\n";
const std::string kSecond = "Subject: b\r\n\r\nB\r\n";

/// One request to serve's control API: the status and the JSON answer.
std::pair<int, Poco::JSON::Object::Ptr> control(std::uint16_t port, const std::string& method,
                                                const std::string& path,
                                                const std::string& body = {},
                                                const std::string& type = "application/json") {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (method == "POST") {
        request.setContentType(type);
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    return {response.getStatus(),
            Poco::JSON::Parser().parse(in).extract<Poco::JSON::Object::Ptr>()};
}

Client plainClient(std::uint16_t port) {
    Client client;
    client.host = "127.0.0.1";
    client.port = port;
    client.username = "alice";
    client.password = "pw";
    return client;
}

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

TEST_F(ServeCommandTest, ControlApiChangesTheRunningServer) {
    ServeProcess serve(
        {"serve", "--user", "alice:pw", "--messages", messages(), "--control-port", "0"});
    const std::uint16_t api = serve.port("control");
    ASSERT_NE(api, 0);

    const std::string text = "Subject: via HTTP\r\n\r\nHello\r\n";
    const auto [added, message] =
        control(api, "POST", "/api/v1/mailboxes/alice/messages?uid=http-1", text, "text/plain");
    ASSERT_EQ(added, 201);
    EXPECT_EQ(message->getValue<std::uint64_t>("number"), 3u);
    ASSERT_EQ(control(api, "POST", "/api/v1/rules",
                      R"({"command": "RETR", "reply": "-ERR disk on fire", "times": 1})")
                  .first,
              201);

    Client client = plainClient(serve.port("pop3"));
    client.connect();
    EXPECT_EQ(client.count(), 3u);
    try {
        client.retrieve(3);
        ADD_FAILURE() << "the rule did not act";
    } catch (const ServerError& e) {
        EXPECT_EQ(e.text(), "disk on fire");
    }
    EXPECT_EQ(client.retrieve(3), text);
    EXPECT_EQ(client.uidl(3).at(0).id, "http-1");
    client.disconnect();

    const auto [status, counters] = control(api, "GET", "/api/v1/counters");
    EXPECT_EQ(status, 200);
    EXPECT_EQ(counters->getValue<std::uint64_t>("logins"), 1u);
    EXPECT_EQ(control(api, "GET", "/api/v1/mailboxes/carol").first, 404);
    EXPECT_EQ(control(api, "POST", "/api/v1/rules", "{\"command\": }").first, 400);
    EXPECT_EQ(serve.stop(), 0);
}

TEST_F(ServeCommandTest, RecordLimitKeepsTheNewestLines) {
    ServeProcess serve({"serve", "--user", "alice:pw", "--messages", messages(), "--record",
                        inDir("record.jsonl"), "--record-limit", "4", "--control-port", "0"});
    Client client = plainClient(serve.port("pop3"));
    client.connect();
    client.retrieve(1);
    client.disconnect();
    const auto [status, recording] = control(serve.port("control"), "GET", "/api/v1/recording");
    EXPECT_EQ(status, 200);
    EXPECT_LE(recording->getArray("lines")->size(), 4u);
    EXPECT_GT(recording->getValue<std::uint64_t>("droppedLines"), 0u);
    EXPECT_EQ(serve.stop(), 0);

    Poco::FileInputStream in(inDir("record.jsonl"));
    std::string record;
    Poco::StreamCopier::copyToString(in, record);
    EXPECT_EQ(std::count(record.begin(), record.end(), '\n'), 4);
    EXPECT_THAT(record, HasSubstr(R"("line":"QUIT")"));
}

TEST_F(ServeCommandTest, ControlApiIsOffWithoutControlPort) {
    ServeProcess serve({"serve", "--user", "alice:pw"});
    EXPECT_FALSE(serve.ready->has("control"));
    EXPECT_EQ(test::runSubprocess(POP3_CONFORM_BINARY,
                                  {"serve", "--user", "alice:pw", "--control-address", "::1"})
                  .exitCode,
              2);
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
