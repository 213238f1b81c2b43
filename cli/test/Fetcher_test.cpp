// The fetch logic against pop3::Server on loopback (plain, STLS, implicit TLS) and against a
// scripted peer for servers without UIDL and connections that drop mid-message.

#include "pop3/Client.h"
#include "pop3/Errors.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <set>

#include "Fetcher.h"
#include "support/Files.h"
#include "support/ScriptedPeer.h"
#include "support/ServerFixture.h"

namespace pop3::cli {
namespace {

using test::kFirstMessage;
using test::kSecondMessage;
using test::ScriptedPeer;
using test::TestPki;
using test::wireForm;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

using test::readFile;

/// The names in `folder`, sorted.
std::vector<std::string> listFolder(const std::string& folder) {
    std::set<std::string> names;
    for (Poco::DirectoryIterator it(folder), end; it != end; ++it)
        names.insert(it.name());
    return {names.begin(), names.end()};
}

std::string inFolder(const std::string& folder, const std::string& name) {
    return Poco::Path(Poco::Path::forDirectory(folder), name).toString();
}

class FetcherTest : public test::ServerFixture {
protected:
    void SetUp() override {
        ServerFixture::SetUp();
        _out.createDirectories();
        _stateFile = inFolder(_state.path(), "uidls");
        _state.createDirectories();
    }

    Client makeClient(EncryptMode mode = EncryptMode::none) {
        Client client;
        client.host = mode == EncryptMode::none ? "127.0.0.1" : "localhost";
        client.port = server->port();
        client.encryptMode = mode;
        client.caFile = TestPki::get().caCert;
        client.username = "alice";
        client.password = "alice-pw";
        client.timeout = std::chrono::seconds(5);
        return client;
    }

    FetchOptions options() const {
        FetchOptions result;
        result.outDir = out();
        return result;
    }

    /// One fetch session as alice; `sent` collects the commands.
    FetchSummary fetch(const FetchOptions& fetchOptions, EncryptMode mode = EncryptMode::none,
                       std::vector<std::string>* sent = nullptr) {
        Client client = makeClient(mode);
        if (sent) {
            client.onTrace = [sent](TraceDirection direction, std::string_view line) {
                if (direction == TraceDirection::sent)
                    sent->emplace_back(line);
            };
        }
        Fetcher fetcher(client, fetchOptions);
        return fetcher.run();
    }

    std::string out() const { return _out.path(); }
    std::string file(const std::string& name) const { return inFolder(out(), name); }
    const std::string& stateFile() const { return _stateFile; }

private:
    Poco::TemporaryFile _out;
    Poco::TemporaryFile _state;
    std::string _stateFile;
};

TEST_F(FetcherTest, WritesEachMessageByteExactNamedByUidl) {
    startServer();
    const FetchSummary summary = fetch(options());
    EXPECT_THAT(listFolder(out()), ElementsAre("uid-1.eml", "uid-2.eml"));
    EXPECT_EQ(readFile(file("uid-1.eml")), wireForm(kFirstMessage));
    EXPECT_EQ(readFile(file("uid-2.eml")), wireForm(kSecondMessage));
    EXPECT_EQ(summary.messages, 2u);
    EXPECT_EQ(summary.fetched, 2u);
    EXPECT_EQ(summary.octets, wireForm(kFirstMessage).size() + wireForm(kSecondMessage).size());
    EXPECT_THAT(summary.files, ElementsAre(file("uid-1.eml"), file("uid-2.eml")));
    EXPECT_EQ(summary.describe("127.0.0.1"), "fetched 2 of 2 messages (" +
                                                 std::to_string(summary.octets) +
                                                 " octets) from 127.0.0.1");
    EXPECT_EQ(mailbox.uids("alice").size(), 2u) << "left on the server";
    EXPECT_TRUE(eventually([&] { return mailbox.quits() == 1; })) << "the session ends with QUIT";
}

TEST_F(FetcherTest, CreatesTheOutputFolder) {
    startServer();
    FetchOptions fetchOptions = options();
    fetchOptions.outDir = inFolder(out(), "a/b");
    fetch(fetchOptions);
    EXPECT_THAT(listFolder(fetchOptions.outDir), ElementsAre("uid-1.eml", "uid-2.eml"));
}

TEST_F(FetcherTest, Rfc2595StlsWithTheTestCa) {
    startServer();
    std::vector<std::string> sent;
    fetch(options(), EncryptMode::startTls, &sent);
    EXPECT_THAT(sent, testing::Contains("STLS"));
    EXPECT_EQ(readFile(file("uid-1.eml")), wireForm(kFirstMessage));
    EXPECT_EQ(readFile(file("uid-2.eml")), wireForm(kSecondMessage));
}

TEST_F(FetcherTest, Rfc8314ImplicitTlsWithTheTestCa) {
    startServer([](Server& s) { s.options().implicitTls = true; });
    fetch(options(), EncryptMode::sslTls);
    EXPECT_EQ(readFile(file("uid-1.eml")), wireForm(kFirstMessage));
    EXPECT_EQ(readFile(file("uid-2.eml")), wireForm(kSecondMessage));
}

TEST_F(FetcherTest, MaildirDeliversThroughTmpIntoNew) {
    startServer();
    FetchOptions fetchOptions = options();
    fetchOptions.maildir = true;
    const FetchSummary summary = fetch(fetchOptions);
    EXPECT_THAT(listFolder(out()), ElementsAre("cur", "new", "tmp"));
    EXPECT_THAT(listFolder(inFolder(out(), "tmp")), IsEmpty());
    EXPECT_THAT(listFolder(inFolder(out(), "cur")), IsEmpty());
    const std::vector<std::string> names = listFolder(inFolder(out(), "new"));
    ASSERT_EQ(names.size(), 2u);
    std::vector<std::string> contents;
    for (const std::string& name : names) {
        EXPECT_THAT(name, MatchesRegex("[0-9]+\\.[0-9]+_[0-9]+\\.[^/:]+"));
        contents.push_back(readFile(inFolder(inFolder(out(), "new"), name)));
    }
    EXPECT_THAT(contents, UnorderedElementsAre(wireForm(kFirstMessage), wireForm(kSecondMessage)));
    EXPECT_EQ(summary.fetched, 2u);
    EXPECT_THAT(summary.files[0], HasSubstr("/new/"));
}

TEST_F(FetcherTest, UidlStateSecondRunFetchesOnlyNewMessages) {
    startServer();
    FetchOptions fetchOptions = options();
    fetchOptions.uidlStateFile = stateFile();
    EXPECT_EQ(fetch(fetchOptions).fetched, 2u);
    EXPECT_EQ(readFile(stateFile()), "uid-1\nuid-2\n");

    mailbox.addMessage("alice", "uid-3", "Subject: three\r\n\r\nthird\r\n");
    Poco::File(file("uid-1.eml")).remove(); // the state, not the files, says what was fetched
    std::vector<std::string> sent;
    const FetchSummary summary = fetch(fetchOptions, EncryptMode::none, &sent);
    EXPECT_EQ(summary.messages, 3u);
    EXPECT_EQ(summary.fetched, 1u);
    EXPECT_EQ(summary.alreadyFetched, 2u);
    EXPECT_THAT(summary.describe("h"), HasSubstr("fetched 1 of 3 messages"));
    EXPECT_THAT(summary.describe("h"), HasSubstr(", 2 already fetched"));
    EXPECT_THAT(listFolder(out()), ElementsAre("uid-2.eml", "uid-3.eml"));
    EXPECT_EQ(readFile(file("uid-3.eml")), "Subject: three\r\n\r\nthird\r\n");
    EXPECT_THAT(sent, testing::Contains("RETR 3"));
    EXPECT_THAT(sent, Not(testing::Contains("RETR 1")));
    EXPECT_EQ(readFile(stateFile()), "uid-1\nuid-2\nuid-3\n");
    EXPECT_EQ(mailbox.uids("alice").size(), 3u);
}

TEST_F(FetcherTest, UidlStatePrunesIdsNoLongerOnTheServer) {
    startServer();
    std::ofstream(stateFile()) << "gone-1\nuid-2\ngone-2\n";
    FetchOptions fetchOptions = options();
    fetchOptions.uidlStateFile = stateFile();
    const FetchSummary summary = fetch(fetchOptions);
    EXPECT_EQ(summary.fetched, 1u);
    EXPECT_EQ(summary.alreadyFetched, 1u);
    EXPECT_THAT(listFolder(out()), ElementsAre("uid-1.eml"));
    EXPECT_EQ(readFile(stateFile()), "uid-1\nuid-2\n");
    EXPECT_THAT(listFolder(Poco::Path(stateFile()).parent().toString()), ElementsAre("uidls"))
        << "no temporary file left beside the state";
}

TEST_F(FetcherTest, DeleteHappensOnlyAfterEveryFileIsOnDisk) {
    std::mutex mutex;
    std::vector<std::string> filesAtDele;
    startServer([&](Server& s) {
        s.onDelete = [&](Session& session) {
            std::lock_guard<std::mutex> lock(mutex);
            filesAtDele.push_back(std::to_string(listFolder(out()).size()));
            session.item.deleted = true;
        };
    });
    FetchOptions fetchOptions = options();
    fetchOptions.deleteFetched = true;
    std::vector<std::string> sent;
    const FetchSummary summary = fetch(fetchOptions, EncryptMode::none, &sent);
    EXPECT_THAT(filesAtDele, ElementsAre("2", "2")) << "both files existed at the first DELE";
    EXPECT_THAT(sent, ElementsAre("CAPA", "USER alice", "PASS ****", "LIST", "UIDL", "RETR 1",
                                  "RETR 2", "DELE 1", "DELE 2", "QUIT"));
    EXPECT_EQ(summary.deleted, 2u);
    EXPECT_THAT(summary.describe("h"), HasSubstr(", deleted 2"));
    EXPECT_TRUE(mailbox.uids("alice").empty());
    EXPECT_EQ(readFile(file("uid-2.eml")), wireForm(kSecondMessage));
}

TEST_F(FetcherTest, DeleteWithUidlStateAlsoDeletesEarlierFetchesAndPrunesThem) {
    startServer();
    FetchOptions fetchOptions = options();
    fetchOptions.uidlStateFile = stateFile();
    fetch(fetchOptions);
    mailbox.addMessage("alice", "uid-3", "Subject: three\r\n\r\nthird\r\n");
    fetchOptions.deleteFetched = true;
    const FetchSummary summary = fetch(fetchOptions);
    EXPECT_EQ(summary.fetched, 1u);
    EXPECT_EQ(summary.deleted, 3u);
    EXPECT_TRUE(mailbox.uids("alice").empty());
    EXPECT_EQ(readFile(stateFile()), "");
}

TEST_F(FetcherTest, RefusedRetrieveLeavesNoPartialFileAndDeletesNothing) {
    startServer([&](Server& s) {
        auto serve = s.onRetrieve;
        s.onRetrieve = [serve](Session& session) {
            if (session.item.uid == "uid-1")
                throw std::runtime_error("disk on fire"); // the server answers -ERR [SYS/TEMP]
            serve(session);
        };
    });
    FetchOptions fetchOptions = options();
    fetchOptions.deleteFetched = true;
    fetchOptions.uidlStateFile = stateFile();
    std::vector<std::string> sent;
    const FetchSummary summary = fetch(fetchOptions, EncryptMode::none, &sent);
    ASSERT_EQ(summary.failures.size(), 1u);
    EXPECT_THAT(summary.failures[0], HasSubstr("RETR 1"));
    EXPECT_EQ(summary.fetched, 1u) << "the other message is still fetched";
    EXPECT_EQ(summary.deleted, 0u);
    EXPECT_THAT(summary.describe("h"), HasSubstr(", 1 failed, deleted 0"));
    EXPECT_THAT(listFolder(out()), ElementsAre("uid-2.eml")) << "no partial or temporary file";
    EXPECT_THAT(sent, Not(testing::Contains(testing::StartsWith("DELE"))));
    EXPECT_EQ(sent.back(), "QUIT");
    EXPECT_EQ(mailbox.uids("alice").size(), 2u);
    EXPECT_EQ(readFile(stateFile()), "uid-2\n") << "only what was written";
}

TEST_F(FetcherTest, WrongPasswordThrowsAndWritesNothing) {
    startServer();
    Client client = makeClient();
    client.password = "wrong";
    FetchOptions fetchOptions = options();
    fetchOptions.uidlStateFile = stateFile();
    Fetcher fetcher(client, fetchOptions);
    EXPECT_THROW(fetcher.run(), ServerError);
    EXPECT_THAT(listFolder(out()), IsEmpty());
    EXPECT_FALSE(Poco::File(stateFile()).exists());
}

// Scripted peers: what a correct pop3::Server does not do.

constexpr const char* kGreeting = "+OK ready\r\n";
constexpr const char* kCapa = "+OK\r\nUSER\r\nTOP\r\n.\r\n";

Client clientFor(const ScriptedPeer& peer) {
    Client client;
    client.host = "127.0.0.1";
    client.port = peer.port();
    client.username = "u";
    client.password = "p";
    client.timeout = std::chrono::seconds(5);
    return client;
}

class FetcherPeerTest : public ::testing::Test {
protected:
    void SetUp() override {
        _out.createDirectories();
        _state.createDirectories();
    }

    std::string out() const { return _out.path(); }
    std::string stateFile() const { return inFolder(_state.path(), "uidls"); }

private:
    Poco::TemporaryFile _out;
    Poco::TemporaryFile _state;
};

TEST_F(FetcherPeerTest, ConnectionDroppedMidMessageKeepsOnlyCompleteFiles) {
    ScriptedPeer peer(
        ScriptedPeer::Script()
            .send(kGreeting)
            .reply({
                kCapa, "+OK\r\n", "+OK\r\n",                   // CAPA, USER, PASS
                "+OK\r\n1 10\r\n2 100\r\n.\r\n",               // LIST
                "+OK\r\n1 a\r\n2 b\r\n.\r\n",                  // UIDL
                "+OK\r\nSubject: 1\r\n\r\n.\r\n",              // RETR 1
                "+OK 100 octets\r\nSubject: 2\r\n\r\nhalf a b" // RETR 2, then the peer hangs up
            })
            .close());
    Client client = clientFor(peer);
    FetchOptions fetchOptions;
    fetchOptions.outDir = out();
    fetchOptions.deleteFetched = true;
    fetchOptions.uidlStateFile = stateFile();
    Fetcher fetcher(client, fetchOptions);
    EXPECT_THROW(fetcher.run(), ConnectionError);
    EXPECT_THAT(listFolder(out()), ElementsAre("a.eml"));
    EXPECT_EQ(readFile(inFolder(out(), "a.eml")), "Subject: 1\r\n\r\n");
    EXPECT_EQ(fetcher.summary().fetched, 1u);
    EXPECT_EQ(readFile(stateFile()), "a\n") << "the complete message is remembered";
    EXPECT_THAT(peer.received(), Not(testing::Contains(testing::StartsWith("DELE"))));
}

TEST_F(FetcherPeerTest, Rfc1939WithoutUidlFilesAreNamedByNumberAndNeverReplaced) {
    std::ofstream(inFolder(out(), "1.eml")) << "an earlier message 1";
    ScriptedPeer peer(ScriptedPeer::Script().send(kGreeting).reply({
        kCapa, "+OK\r\n", "+OK\r\n",
        "+OK\r\n1 5\r\n.\r\n",   // LIST
        "-ERR no UIDL here\r\n", // UIDL
        "+OK\r\n1 5\r\n.\r\n",   // LIST again
        "+OK\r\nnew\r\n.\r\n",   // RETR 1
        "+OK bye\r\n",           // QUIT
    }));
    Client client = clientFor(peer);
    FetchOptions fetchOptions;
    fetchOptions.outDir = out();
    Fetcher fetcher(client, fetchOptions);
    const FetchSummary summary = fetcher.run();
    EXPECT_EQ(summary.fetched, 1u);
    EXPECT_THAT(listFolder(out()), ElementsAre("1.eml", "1_2.eml"));
    EXPECT_EQ(readFile(inFolder(out(), "1.eml")), "an earlier message 1");
    EXPECT_EQ(readFile(inFolder(out(), "1_2.eml")), "new\r\n");
}

TEST_F(FetcherPeerTest, UidlStateNeedsAServerWithUidl) {
    ScriptedPeer peer(ScriptedPeer::Script().send(kGreeting).reply(
        {kCapa, "+OK\r\n", "+OK\r\n", "+OK\r\n1 5\r\n.\r\n", "-ERR no UIDL here\r\n",
         "+OK\r\n1 5\r\n.\r\n"}));
    Client client = clientFor(peer);
    FetchOptions fetchOptions;
    fetchOptions.outDir = out();
    fetchOptions.uidlStateFile = stateFile();
    Fetcher fetcher(client, fetchOptions);
    try {
        fetcher.run();
        FAIL() << "fetched without UIDL";
    } catch (const NotSupportedError& e) {
        EXPECT_THAT(e.what(), HasSubstr("--uidl-state"));
    }
    EXPECT_THAT(listFolder(out()), IsEmpty());
}

TEST(FetcherNameTest, SafeFileNameKeepsDistinctIdsDistinct) {
    EXPECT_EQ(Fetcher::safeFileName("uid-1_a.b~"), "uid-1_a.b~");
    EXPECT_EQ(Fetcher::safeFileName("a/b"), "a%2Fb");
    EXPECT_EQ(Fetcher::safeFileName("a%2Fb"), "a%252Fb");
    EXPECT_EQ(Fetcher::safeFileName(".."), "%2E.");
    EXPECT_EQ(Fetcher::safeFileName(".hidden"), "%2Ehidden");
    EXPECT_EQ(Fetcher::safeFileName("x:y*z?\\\"<>|"), "x%3Ay%2Az%3F%5C%22%3C%3E%7C");
    const std::string everyUidlCharacter = [] {
        std::string s;
        for (char c = 0x21; c < 0x7f; ++c)
            s += c;
        return s;
    }();
    EXPECT_THAT(Fetcher::safeFileName(everyUidlCharacter), MatchesRegex("[A-Za-z0-9%._~-]+"));
}

} // namespace
} // namespace pop3::cli
