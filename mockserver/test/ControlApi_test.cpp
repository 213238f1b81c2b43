// The control API end to end: HTTP requests against a running MockServer, checked against what
// POP3 clients then see.

#include "pop3/Client.h"
#include "pop3/Errors.h"
#include "pop3/Message.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioLoader.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/RawClient.h"

namespace pop3::mock {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using test::RawClient;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kScenario = R"(
mailboxes:
  - user: alice
    password: wonderland
    messages:
      - {raw: "Subject: one\n\n.dotted\nbody\n", uid: u-one}
      - {raw: "Subject: two\n\nsecond\n", uid: u-two}
  - user: bob
    password: builder
)";

struct HttpReply {
    int status = 0;
    std::string body;
    Object::Ptr json;
    std::string allow;
    std::string location;
};

/// One request on a fresh connection to 127.0.0.1:port.
HttpReply http(std::uint16_t port, const std::string& method, const std::string& path,
               const std::string& body = {}, const std::string& contentType = "application/json") {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!body.empty() || method == "POST") {
        request.setContentType(contentType);
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpReply reply;
    reply.status = response.getStatus();
    Poco::StreamCopier::copyToString(in, reply.body);
    reply.allow = response.get("Allow", "");
    reply.location = response.get("Location", "");
    EXPECT_EQ(response.getContentType(), "application/json");
    reply.json = Poco::JSON::Parser().parse(reply.body).extract<Object::Ptr>();
    return reply;
}

/// A running mock with its control API on a free port.
class Mock {
public:
    explicit Mock(const std::string& yaml = kScenario, std::size_t recordingLimit = 1'000'000)
        : scenario(ScenarioLoader::loadString(yaml, "test.yaml")),
          server(scenario, options(recordingLimit)) {
        server.start();
    }

    HttpReply get(const std::string& path) { return http(*server.controlPort(), "GET", path); }
    HttpReply post(const std::string& path, const std::string& body,
                   const std::string& contentType = "application/json") {
        return http(*server.controlPort(), "POST", path, body, contentType);
    }
    HttpReply del(const std::string& path) { return http(*server.controlPort(), "DELETE", path); }

    Client client(const std::string& user = "alice", const std::string& password = "wonderland") {
        Client c;
        c.host = "127.0.0.1";
        c.port = *server.port();
        c.username = user;
        c.password = password;
        c.timeout = std::chrono::seconds(5);
        return c;
    }

    RawClient loggedIn() {
        RawClient c(*server.port());
        c.readLine();
        c.command("USER alice");
        c.command("PASS wonderland");
        return c;
    }

    Scenario scenario;
    MockServer server;

private:
    static MockServerOptions options(std::size_t recordingLimit) {
        MockServerOptions o;
        o.controlPort = 0;
        o.recordingLimit = recordingLimit;
        return o;
    }
};

std::vector<std::string> uids(const Object::Ptr& mailbox) {
    std::vector<std::string> result;
    const Array::Ptr messages = mailbox->getArray("messages");
    for (std::size_t i = 0; i < messages->size(); ++i)
        result.push_back(
            messages->getObject(static_cast<unsigned>(i))->getValue<std::string>("uid"));
    return result;
}

bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 500 && !condition(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return condition();
}

std::string errorOf(const HttpReply& reply) {
    return reply.json->getValue<std::string>("error");
}

TEST(ControlApiTest, IsOffUnlessAskedFor) {
    const Scenario scenario = ScenarioLoader::loadString(kScenario, "test.yaml");
    MockServer server(scenario);
    server.start();
    EXPECT_FALSE(server.controlPort());
}

TEST(ControlApiTest, ListsMailboxesAsANewSessionSeesThem) {
    Mock mock;
    const HttpReply reply = mock.get("/api/v1/mailboxes");
    ASSERT_EQ(reply.status, 200) << reply.body;
    const Array::Ptr mailboxes = reply.json->getArray("mailboxes");
    ASSERT_EQ(mailboxes->size(), 2u);
    const Object::Ptr alice = mailboxes->getObject(0);
    EXPECT_EQ(alice->getValue<std::string>("user"), "alice");
    EXPECT_EQ(alice->getValue<std::uint64_t>("count"), 2u);
    EXPECT_EQ(uids(alice), (std::vector<std::string>{"u-one", "u-two"}));
    EXPECT_EQ(mailboxes->getObject(1)->getValue<std::uint64_t>("count"), 0u);

    Client client = mock.client();
    client.connect();
    const std::vector<ListEntry> list = client.list();
    const Array::Ptr messages = alice->getArray("messages");
    ASSERT_EQ(list.size(), 2u);
    for (unsigned i = 0; i < 2; ++i) {
        EXPECT_EQ(messages->getObject(i)->getValue<std::uint64_t>("number"), list[i].msgNum);
        EXPECT_EQ(messages->getObject(i)->getValue<std::uint64_t>("size"), list[i].size);
    }
    EXPECT_EQ(alice->getValue<std::uint64_t>("size"), client.size());
    client.disconnect();

    const HttpReply one = mock.get("/api/v1/mailboxes/alice");
    EXPECT_EQ(one.status, 200);
    EXPECT_EQ(uids(one.json), (std::vector<std::string>{"u-one", "u-two"}));
    const HttpReply index = mock.get("/api/v1");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.json->getValue<std::uint16_t>("pop3"), *mock.server.port());
}

TEST(ControlApiTest, AddedMessageAppearsAtTheNextLoginWithItsExactBytes) {
    Mock mock;
    RawClient open = mock.loggedIn();
    const std::string text = "Subject: added\r\nX-Test: 1\r\n\r\n.dot line\r\nbody\r\n";
    const HttpReply added =
        mock.post("/api/v1/mailboxes/alice/messages?uid=added-1", text, "message/rfc822");
    ASSERT_EQ(added.status, 201) << added.body;
    EXPECT_EQ(added.json->getValue<std::string>("uid"), "added-1");
    EXPECT_EQ(added.json->getValue<std::uint64_t>("number"), 3u);
    EXPECT_EQ(added.json->getValue<std::uint64_t>("size"), text.size());
    EXPECT_EQ(added.location, "/api/v1/mailboxes/alice/messages/added-1");

    const HttpReply json = mock.post("/api/v1/mailboxes/alice/messages",
                                     R"({"headers": {"Subject": "hi"}, "body": "Hello\n"})");
    ASSERT_EQ(json.status, 201) << json.body;
    const std::string defaultUid = json.json->getValue<std::string>("uid");
    EXPECT_THAT(defaultUid, StartsWith("delivered-"));

    // RFC 1939: the open session keeps the listing it got at login.
    EXPECT_THAT(open.command("STAT"), StartsWith("+OK 2 "));
    open.command("QUIT");

    Client client = mock.client();
    client.connect();
    EXPECT_EQ(client.count(), 4u);
    EXPECT_EQ(client.retrieve(3), text);
    EXPECT_EQ(client.uidl(3).at(0).id, "added-1");
    EXPECT_EQ(client.size(3), text.size());
    EXPECT_EQ(client.retrieve(4), "Subject: hi\r\n\r\nHello\r\n");
    EXPECT_EQ(client.uidl(4).at(0).id, defaultUid);
    client.disconnect();

    const HttpReply message = mock.get("/api/v1/mailboxes/alice/messages/added-1");
    ASSERT_EQ(message.status, 200) << message.body;
    EXPECT_EQ(message.json->getValue<std::string>("raw"), text);
    EXPECT_EQ(message.json->getValue<std::uint64_t>("number"), 3u);

    // Bytes that are not UTF-8 reach the client as they are; JSON shows U+FFFD.
    const std::string latin1 = "Subject: caf\xe9 au lait\r\n\r\nx\r\n";
    ASSERT_EQ(mock.post("/api/v1/mailboxes/alice/messages?uid=latin1", latin1, "text/plain").status,
              201);
    const HttpReply shown = mock.get("/api/v1/mailboxes/alice/messages/latin1");
    EXPECT_EQ(shown.json->getValue<std::string>("raw"),
              "Subject: caf\xEF\xBF\xBD au lait\r\n\r\nx\r\n");
    Client again = mock.client();
    again.connect();
    EXPECT_EQ(again.retrieve(5), latin1);
    again.disconnect();

    // A '/' in a unique-id is "%2F" in the path.
    const HttpReply slash =
        mock.post("/api/v1/mailboxes/alice/messages?uid=a%2Fb", "x", "text/plain");
    ASSERT_EQ(slash.status, 201) << slash.body;
    EXPECT_EQ(slash.location, "/api/v1/mailboxes/alice/messages/a%2Fb");
    EXPECT_EQ(mock.get(slash.location).json->getValue<std::string>("uid"), "a/b");
}

TEST(ControlApiTest, RemovesMessagesByUidOrAll) {
    Mock mock;
    const HttpReply removed = mock.del("/api/v1/mailboxes/alice/messages/u-one");
    ASSERT_EQ(removed.status, 200) << removed.body;
    EXPECT_EQ(removed.json->getValue<std::uint64_t>("removed"), 1u);
    EXPECT_EQ(uids(mock.get("/api/v1/mailboxes/alice").json), std::vector<std::string>{"u-two"});
    const HttpReply again = mock.del("/api/v1/mailboxes/alice/messages/u-one");
    EXPECT_EQ(again.status, 404);
    EXPECT_EQ(errorOf(again), "the mailbox of 'alice' has no message 'u-one'");

    Client client = mock.client();
    client.connect();
    EXPECT_EQ(client.count(), 1u);
    EXPECT_EQ(client.uidl(1).at(0).id, "u-two");
    client.disconnect();

    const HttpReply all = mock.del("/api/v1/mailboxes/alice/messages");
    ASSERT_EQ(all.status, 200);
    EXPECT_EQ(all.json->getValue<std::uint64_t>("removed"), 1u);
    EXPECT_EQ(mock.get("/api/v1/mailboxes/alice").json->getValue<std::uint64_t>("count"), 0u);
}

TEST(ControlApiTest, ResetRestoresTheScenarioAndOptionallyClearsRecordingAndRules) {
    Mock mock;
    mock.del("/api/v1/mailboxes/alice/messages");
    mock.post("/api/v1/mailboxes/alice/messages", "Subject: x\r\n\r\n", "text/plain");
    ASSERT_EQ(mock.post("/api/v1/rules", R"({"command": "NOOP", "reply": "-ERR no"})").status, 201);
    Client client = mock.client();
    client.connect();
    client.disconnect();

    const HttpReply reset = mock.post("/api/v1/reset", "");
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_EQ(uids(mock.get("/api/v1/mailboxes/alice").json),
              (std::vector<std::string>{"u-one", "u-two"}));
    EXPECT_EQ(mock.get("/api/v1/rules").json->getArray("rules")->size(), 1u);
    EXPECT_FALSE(mock.get("/api/v1/recording").json->getArray("lines")->empty());

    const HttpReply full = mock.post("/api/v1/reset", R"({"recording": true, "rules": true})");
    ASSERT_EQ(full.status, 200) << full.body;
    EXPECT_TRUE(full.json->getValue<bool>("recording"));
    EXPECT_TRUE(mock.get("/api/v1/rules").json->getArray("rules")->empty());
    const HttpReply recording = mock.get("/api/v1/recording");
    EXPECT_TRUE(recording.json->getArray("lines")->empty());
    EXPECT_TRUE(recording.json->getArray("sessions")->empty());
}

TEST(ControlApiTest, RuntimeRuleFailsTheNextRetrOnceThenExpires) {
    Mock mock;
    const HttpReply added = mock.post(
        "/api/v1/rules", R"({"command": "RETR", "reply": "-ERR disk on fire", "times": 1})");
    ASSERT_EQ(added.status, 201) << added.body;
    EXPECT_EQ(added.json->getValue<std::uint64_t>("remaining"), 1u);
    EXPECT_EQ(added.json->getValue<std::string>("reply"), "-ERR disk on fire\r\n");

    RawClient raw = mock.loggedIn();
    EXPECT_EQ(raw.command("RETR 1"), "-ERR disk on fire\r\n");
    EXPECT_THAT(raw.multiline("RETR 1"), StartsWith("+OK "));
    raw.command("QUIT");
    EXPECT_TRUE(mock.get("/api/v1/rules").json->getArray("rules")->empty());

    // Matched by user and arguments, acting on the second match of each session.
    const HttpReply scoped =
        mock.post("/api/v1/rules",
                  R"([{"command": "RETR", "user": "alice", "arguments": "^2$", "occurrence": 2,
             "reply": "-ERR [SYS/TEMP] later"}])");
    ASSERT_EQ(scoped.status, 201) << scoped.body;
    Client client = mock.client();
    client.connect();
    EXPECT_NO_THROW(client.retrieve(2));
    EXPECT_NO_THROW(client.retrieve(1));
    try {
        client.retrieve(2);
        ADD_FAILURE() << "the rule did not act";
    } catch (const ServerError& e) {
        EXPECT_EQ(e.codeText(), "SYS/TEMP");
        EXPECT_EQ(e.text(), "later");
    }
    client.disconnect();
    const Array::Ptr rules = mock.get("/api/v1/rules").json->getArray("rules");
    ASSERT_EQ(rules->size(), 1u);
    EXPECT_EQ(rules->getObject(0)->getValue<std::uint64_t>("applied"), 1u);
    EXPECT_EQ(rules->getObject(0)->getValue<std::uint64_t>("occurrence"), 2u);
}

TEST(ControlApiTest, RulesAreListedFetchedAndDeleted) {
    Mock mock;
    const HttpReply added = mock.post("/api/v1/rules", R"([{"command": "greeting", "delay": 10},
                             {"command": "STAT", "drop": "before"},
                             {"command": "TOP", "drop": {"afterBytes": 3}},
                             {"command": "UIDL", "fault": "duplicateUidl", "times": 5}])");
    ASSERT_EQ(added.status, 201) << added.body;
    const Array::Ptr rules = added.json->getArray("rules");
    ASSERT_EQ(rules->size(), 4u);
    EXPECT_EQ(rules->getObject(0)->getValue<std::string>("command"), "greeting");
    EXPECT_EQ(rules->getObject(1)->getValue<std::string>("drop"), "before");
    EXPECT_EQ(rules->getObject(2)->getObject("drop")->getValue<std::uint64_t>("afterBytes"), 3u);
    EXPECT_EQ(rules->getObject(3)->getValue<std::string>("fault"), "duplicateUidl");
    EXPECT_EQ(rules->getObject(3)->getValue<std::uint64_t>("remaining"), 5u);
    const std::string id = std::to_string(rules->getObject(1)->getValue<std::uint64_t>("id"));

    RawClient raw = mock.loggedIn();
    raw.send("STAT\r\n");
    EXPECT_TRUE(raw.closedByServer());

    EXPECT_EQ(mock.get("/api/v1/rules/" + id).json->getValue<std::uint64_t>("applied"), 1u);
    EXPECT_EQ(mock.del("/api/v1/rules/" + id).status, 200);
    EXPECT_EQ(mock.get("/api/v1/rules/" + id).status, 404);
    EXPECT_EQ(mock.del("/api/v1/rules/" + id).status, 404);
    const HttpReply cleared = mock.del("/api/v1/rules");
    EXPECT_EQ(cleared.json->getValue<std::uint64_t>("removed"), 3u);
    EXPECT_TRUE(mock.get("/api/v1/rules").json->getArray("rules")->empty());
}

TEST(ControlApiTest, RecordingIsFilteredBySessionAndTime) {
    Mock mock;
    Client first = mock.client();
    first.connect();
    first.disconnect();
    ASSERT_TRUE(eventually([&] { return mock.server.counters().openSessions == 0; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto between = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    Client second = mock.client("bob", "builder");
    second.connect();
    second.disconnect();

    const HttpReply all = mock.get("/api/v1/recording");
    ASSERT_EQ(all.status, 200);
    EXPECT_EQ(all.json->getArray("sessions")->size(), 2u);
    EXPECT_THAT(all.body, AllOf(HasSubstr(R"("line":"PASS ****")"), Not(HasSubstr("wonderland"))));

    const HttpReply one = mock.get("/api/v1/recording?session=1");
    const Array::Ptr lines = one.json->getArray("lines");
    ASSERT_FALSE(lines->empty());
    for (std::size_t i = 0; i < lines->size(); ++i)
        EXPECT_EQ(lines->getObject(static_cast<unsigned>(i))->getValue<std::uint64_t>("session"),
                  1u);
    ASSERT_EQ(one.json->getArray("sessions")->size(), 1u);
    const Object::Ptr session = one.json->getArray("sessions")->getObject(0);
    EXPECT_EQ(session->getValue<std::string>("user"), "alice");
    EXPECT_TRUE(session->getValue<bool>("quit"));

    const HttpReply since = mock.get("/api/v1/recording?since=" + std::to_string(between));
    const Array::Ptr later = since.json->getArray("lines");
    ASSERT_FALSE(later->empty());
    EXPECT_EQ(later->getObject(0)->getValue<std::uint64_t>("session"), 2u);
    EXPECT_GE(later->getObject(0)->getValue<std::int64_t>("time"), between);
    ASSERT_EQ(since.json->getArray("sessions")->size(), 1u);
    EXPECT_EQ(since.json->getArray("sessions")->getObject(0)->getValue<std::string>("user"), "bob");

    const HttpReply tail = mock.get("/api/v1/recording?limit=2");
    const Array::Ptr last = tail.json->getArray("lines");
    ASSERT_EQ(last->size(), 2u);
    EXPECT_EQ(last->getObject(1)->getValue<std::string>("direction"), "server");
    EXPECT_EQ(last->getObject(0)->getValue<std::string>("line"), "QUIT");

    EXPECT_EQ(mock.del("/api/v1/recording").status, 200);
    EXPECT_TRUE(mock.get("/api/v1/recording").json->getArray("lines")->empty());
}

TEST(ControlApiTest, CountersMove) {
    Mock mock;
    const Object::Ptr before = mock.get("/api/v1/counters").json;
    EXPECT_EQ(before->getObject("sessions")->getValue<std::uint64_t>("total"), 0u);
    Client client = mock.client();
    client.connect();
    const std::string message = client.retrieve(1);
    client.disconnect();
    Client wrong = mock.client("alice", "wrong");
    EXPECT_THROW(wrong.connect(), ServerError);
    ASSERT_TRUE(eventually([&] { return mock.server.counters().openSessions == 0; }));

    const Object::Ptr after = mock.get("/api/v1/counters").json;
    EXPECT_EQ(after->getObject("sessions")->getValue<std::uint64_t>("total"), 2u);
    EXPECT_EQ(after->getObject("sessions")->getValue<std::uint64_t>("open"), 0u);
    EXPECT_EQ(after->getValue<std::uint64_t>("logins"), 1u);
    EXPECT_EQ(after->getValue<std::uint64_t>("failedLogins"), 1u);
    EXPECT_GE(after->getValue<std::uint64_t>("commands"), 6u); // USER PASS RETR QUIT, USER PASS
    EXPECT_GT(after->getValue<std::uint64_t>("bytesSent"), message.size());
    EXPECT_GT(after->getValue<std::uint64_t>("bytesReceived"),
              std::string("USER alice\r\nPASS wonderland\r\nRETR 1\r\nQUIT\r\n").size());
    EXPECT_EQ(after->getObject("recording")->getValue<std::uint64_t>("droppedLines"), 0u);
    EXPECT_EQ(after->getObject("recording")->getValue<std::uint64_t>("limit"), 1'000'000u);
}

TEST(ControlApiTest, RecordingKeepsTheNewestLinesWithinItsLimit) {
    Mock mock(kScenario, 5);
    Client client = mock.client();
    client.connect();
    client.retrieve(1);
    client.disconnect();
    ASSERT_TRUE(eventually([&] { return mock.server.counters().openSessions == 0; }));
    const HttpReply recording = mock.get("/api/v1/recording");
    const Array::Ptr lines = recording.json->getArray("lines");
    ASSERT_EQ(lines->size(), 5u);
    EXPECT_EQ(lines->getObject(3)->getValue<std::string>("line"), "QUIT");
    const std::uint64_t dropped = recording.json->getValue<std::uint64_t>("droppedLines");
    EXPECT_GT(dropped, 0u);
    EXPECT_EQ(mock.server.recording().lineCount(), 5u);
    const Object::Ptr counters = mock.get("/api/v1/counters").json->getObject("recording");
    EXPECT_EQ(counters->getValue<std::uint64_t>("droppedLines"), dropped);
    EXPECT_EQ(counters->getValue<std::uint64_t>("lines"), 5u);
    // The sessions survive their dropped lines.
    EXPECT_TRUE(recording.json->getArray("sessions")->getObject(0)->getValue<bool>("loggedIn"));
}

TEST(ControlApiTest, BadRequestsGetA4xxWithAJsonError) {
    Mock mock;
    const HttpReply badJson = mock.post("/api/v1/rules", "{\"command\": \"RETR\",\n \"reply\" 1}");
    EXPECT_EQ(badJson.status, 400);
    EXPECT_EQ(errorOf(badJson),
              "invalid JSON at line 2, column 10: expected ':' after member name");
    EXPECT_EQ(badJson.json->getValue<int>("line"), 2);
    EXPECT_EQ(badJson.json->getValue<int>("column"), 10);
    // YAML takes a trailing comma, so there is no position to give.
    const HttpReply trailingComma = mock.post("/api/v1/rules", R"({"command": "RETR",})");
    EXPECT_EQ(trailingComma.status, 400);
    EXPECT_EQ(errorOf(trailingComma), "invalid JSON: unexpected byte '}' in value");
    EXPECT_FALSE(trailingComma.json->has("line"));
    const HttpReply empty = mock.post("/api/v1/rules", "");
    EXPECT_EQ(empty.status, 400);
    EXPECT_THAT(errorOf(empty), HasSubstr("the body is empty"));
    const HttpReply single = mock.post("/api/v1/rules", R"("RETR")");
    EXPECT_EQ(single.status, 400);
    EXPECT_EQ(errorOf(single), "expected a JSON object or list");
    const HttpReply deep =
        mock.post("/api/v1/rules", std::string(100, '[') + std::string(100, ']'));
    EXPECT_EQ(deep.status, 400);
    EXPECT_THAT(errorOf(deep), HasSubstr("invalid JSON"));
    const HttpReply tooDeepForYaml =
        mock.post("/api/v1/rules", std::string(5000, '[') + std::string(5000, ']'));
    EXPECT_EQ(tooDeepForYaml.status, 400);
    EXPECT_FALSE(tooDeepForYaml.json->has("line"));

    const HttpReply badRule = mock.post("/api/v1/rules", R"({"command": "RETX", "reply": "-ERR"})");
    EXPECT_EQ(badRule.status, 400);
    EXPECT_THAT(errorOf(badRule), AllOf(StartsWith("body:1:13: unknown command 'RETX'"),
                                        HasSubstr("did you mean 'RETR'")));
    const HttpReply twoErrors =
        mock.post("/api/v1/rules", R"([{"command": "RETR", "stall": true, "reply": "x"},
                                        {"command": "RETR", "times": 0, "dely": 5}])");
    EXPECT_EQ(twoErrors.status, 400);
    EXPECT_EQ(twoErrors.json->getArray("errors")->size(), 3u) << twoErrors.body;
    EXPECT_THAT(twoErrors.body,
                AllOf(HasSubstr("'times' must be at least 1"), HasSubstr("did you mean 'delay'")));
    EXPECT_THAT(errorOf(mock.post("/api/v1/rules", R"({"command": "RETR"})")),
                HasSubstr("a rule needs an action"));
    EXPECT_THAT(errorOf(mock.post("/api/v1/rules", R"({"user": "carol", "reply": "-ERR"})")),
                HasSubstr("no mailbox for user 'carol'"));
    EXPECT_THAT(
        errorOf(mock.post("/api/v1/rules", R"({"command": "greeting", "fault": "noImplicitTls"})")),
        HasSubstr("acts on the listeners"));
    EXPECT_TRUE(mock.get("/api/v1/rules").json->getArray("rules")->empty());

    const HttpReply unknownUser = mock.get("/api/v1/mailboxes/alcie");
    EXPECT_EQ(unknownUser.status, 404);
    EXPECT_EQ(errorOf(unknownUser), "no mailbox for user 'alcie' (did you mean 'alice'?)");
    EXPECT_EQ(
        mock.post("/api/v1/mailboxes/carol/messages", "Subject: x\r\n\r\n", "text/plain").status,
        404);
    const HttpReply badMessage =
        mock.post("/api/v1/mailboxes/alice/messages", R"({"hedaers": {"Subject": "x"}})");
    EXPECT_EQ(badMessage.status, 400);
    EXPECT_THAT(errorOf(badMessage), HasSubstr("did you mean 'headers'"));
    EXPECT_EQ(mock.post("/api/v1/mailboxes/alice/messages", R"({"file": "/etc/passwd"})").status,
              400);
    EXPECT_THAT(errorOf(mock.post("/api/v1/mailboxes/alice/messages?uid=a%20b", "x", "text/plain")),
                HasSubstr("uid must be 1 to 70 characters"));
    const HttpReply duplicate =
        mock.post("/api/v1/mailboxes/alice/messages?uid=u-one", "x", "text/plain");
    EXPECT_EQ(duplicate.status, 409);
    EXPECT_THAT(errorOf(duplicate), HasSubstr("already has a message 'u-one'"));

    const HttpReply wrongMethod = http(*mock.server.controlPort(), "PUT", "/api/v1/rules", "{}");
    EXPECT_EQ(wrongMethod.status, 405);
    EXPECT_EQ(wrongMethod.allow, "GET, POST, DELETE");
    EXPECT_THAT(errorOf(wrongMethod), HasSubstr("method PUT is not allowed on /api/v1/rules"));
    EXPECT_EQ(mock.get("/api/v1/nothing").status, 404);
    EXPECT_EQ(mock.get("/index.html").status, 404);
    EXPECT_EQ(mock.get("/api/v1/mailboxes/alice/folders").status, 404);
    EXPECT_EQ(mock.get("/api/v1/rules/abc").status, 404);
    EXPECT_EQ(mock.get("/api/v1/mailboxes/%zz").status, 400);
    EXPECT_THAT(errorOf(mock.get("/api/v1/recording?session=x")), HasSubstr("'session' must be"));
    EXPECT_EQ(mock.get("/api/v1/recording?limit=-1").status, 400);
    EXPECT_EQ(mock.get("/api/v1/recording?limit=99999999999999999999").status, 400);
    EXPECT_THAT(errorOf(mock.get("/api/v1/counters?verbose=1")),
                HasSubstr("unknown query parameter 'verbose'"));
    EXPECT_THAT(errorOf(mock.post("/api/v1/reset", R"({"mailboxes": false})")),
                HasSubstr("unknown key 'mailboxes'"));
    EXPECT_EQ(mock.post("/api/v1/reset", "[]").status, 400);
    EXPECT_EQ(mock.get("/api/v1/recording?since=99999999999999999").status, 200);

    // The server still serves.
    Client client = mock.client();
    client.connect();
    EXPECT_EQ(client.count(), 2u);
    client.disconnect();
}

TEST(ControlApiTest, ListensOnLoopbackOnlyByDefault) {
    Mock mock;
    const std::uint16_t port = *mock.server.controlPort();
    EXPECT_EQ(mock.get("/api/v1/counters").status, 200);
    // Bound to 127.0.0.1, not to every address: another loopback address is refused.
    Poco::Net::StreamSocket socket;
    EXPECT_THROW(socket.connect(Poco::Net::SocketAddress("127.0.0.2", port), Poco::Timespan(2, 0)),
                 Poco::Net::NetException);
}

TEST(ControlApiTest, ConcurrentApiCallsDuringPop3LoadDoNotBreakAnything) {
    Mock mock(std::string(kScenario) + "server: {mailboxLock: false}\n");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    std::atomic<int> serverErrors{0};
    std::atomic<int> sessions{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200 && std::chrono::steady_clock::now() < deadline; ++i) {
                try {
                    Client client = mock.client();
                    client.connect();
                    if (client.count() > 0)
                        client.retrieve(1);
                    client.disconnect();
                    ++sessions;
                } catch (const std::exception&) {
                    // Rules and removals added by the API make some sessions fail: expected.
                }
            }
        });
    }
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            const std::uint16_t port = *mock.server.controlPort();
            for (int i = 0; i < 500 && std::chrono::steady_clock::now() < deadline; ++i) {
                const std::string uid = "load-" + std::to_string(t) + "-" + std::to_string(i);
                std::vector<HttpReply> replies;
                try {
                    replies = {
                        http(port, "GET", "/api/v1/mailboxes"),
                        http(port, "GET", "/api/v1/counters"),
                        http(port, "GET", "/api/v1/recording?limit=20"),
                        http(port, "POST", "/api/v1/mailboxes/alice/messages?uid=" + uid,
                             "Subject: load\r\n\r\nx\r\n", "text/plain"),
                        http(port, "POST", "/api/v1/rules",
                             R"({"command": "RETR", "reply": "-ERR busy", "times": 1})"),
                        http(port, "DELETE", "/api/v1/mailboxes/alice/messages/" + uid),
                        http(port, "GET", "/api/v1/rules"),
                        i % 10 == 9 ? http(port, "POST", "/api/v1/reset", R"({"recording": true})")
                                    : http(port, "GET", "/api/v1"),
                    };
                } catch (const std::exception&) {
                    ++serverErrors; // no answer at all
                }
                for (const HttpReply& reply : replies)
                    if (reply.status >= 500)
                        ++serverErrors;
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    EXPECT_EQ(serverErrors, 0);
    EXPECT_GT(sessions, 0);
    EXPECT_TRUE(eventually([&] { return mock.server.counters().openSessions == 0; }));
}

} // namespace
} // namespace pop3::mock
