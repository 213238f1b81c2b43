// End to end: the built pop3-conform fetch against a private Dovecot.

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "support/DovecotPeer.h"
#include "support/Files.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using test::DovecotPeer;
using test::SubprocessResult;
using ::testing::StartsWith;

const std::vector<std::string> kMessages = {
    "From: a@example.org\nSubject: one\n\n.dot line\nbody\n",
    "From: b@example.org\nSubject: two\n\n" + std::string(100000, 'y') + "\n",
};

using test::readFile;

/// The contents of every file in `folder` (names differ per server), sorted.
std::multiset<std::string> contents(const std::string& folder) {
    std::multiset<std::string> texts;
    for (Poco::DirectoryIterator it(folder), end; it != end; ++it) {
        if (it->isFile())
            texts.insert(readFile(it.path().toString()));
    }
    return texts;
}

std::multiset<std::string> wireForms(const std::vector<std::string>& messages) {
    std::multiset<std::string> forms;
    for (const std::string& message : messages)
        forms.insert(DovecotPeer::wireForm(message));
    return forms;
}

class FetchDovecotTest : public ::testing::Test {
protected:
    void SetUp() override {
        _dir.createDirectories();
        std::ofstream(passwordFile()) << "alice-pw\n";
        peer.addUser("alice", "alice-pw");
        for (const std::string& message : kMessages)
            peer.addMessage("alice", message);
        peer.start();
    }

    std::string inDir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }
    std::string passwordFile() const { return inDir("password"); }

    SubprocessResult fetch(std::vector<std::string> extra) {
        std::vector<std::string> args = {
            "fetch",       "pop3://alice@localhost:" + std::to_string(peer.plainPort()),
            "--starttls",  "--ca",
            peer.caFile(), "--password-file",
            passwordFile()};
        args.insert(args.end(), extra.begin(), extra.end());
        return test::runSubprocess(POP3_CONFORM_BINARY, args, {}, std::chrono::seconds(30));
    }

    DovecotPeer peer;

private:
    Poco::TemporaryFile _dir;
};

TEST_F(FetchDovecotTest, UidlStateFetchesOnlyNewMessagesAcrossRuns) {
    const std::string out = inDir("mail");
    const std::string state = inDir("uidls");
    SubprocessResult first = fetch({"--out", out, "--uidl-state", state});
    ASSERT_EQ(first.exitCode, 0) << first.err;
    EXPECT_THAT(first.out, StartsWith("fetched 2 of 2 messages"));
    EXPECT_EQ(contents(out), wireForms(kMessages));

    const std::string third = "From: c@example.org\nSubject: three\n\nnew\n";
    peer.addMessage("alice", third);
    SubprocessResult second = fetch({"--out", out, "--uidl-state", state});
    ASSERT_EQ(second.exitCode, 0) << second.err;
    EXPECT_THAT(second.out, StartsWith("fetched 1 of 3 messages"));
    std::vector<std::string> all = kMessages;
    all.push_back(third);
    EXPECT_EQ(contents(out), wireForms(all));
    EXPECT_EQ(peer.maildirTexts("alice").size(), 3u) << "left on the server";
}

TEST_F(FetchDovecotTest, DeleteRemovesFetchedMessagesFromTheMaildir) {
    const std::string out = inDir("maildir");
    SubprocessResult result = fetch({"--out", out, "--maildir", "--delete"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(contents(Poco::Path(Poco::Path::forDirectory(out), "new").toString()),
              wireForms(kMessages));
    EXPECT_TRUE(peer.maildirTexts("alice").empty());
}

TEST_F(FetchDovecotTest, WrongPasswordExitsOneAndFetchesNothing) {
    std::ofstream(passwordFile()) << "wrong\n";
    const std::string out = inDir("mail");
    SubprocessResult result = fetch({"--out", out});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_THAT(result.err, ::testing::HasSubstr("[AUTH]"));
    EXPECT_EQ(peer.maildirTexts("alice").size(), kMessages.size());
}

} // namespace
} // namespace pop3::cli
