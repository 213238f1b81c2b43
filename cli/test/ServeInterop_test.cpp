// Interop: real POP3 clients written elsewhere (mpop, fetchmail, Python's poplib) fetch from
// `pop3-conform serve`. What they deliver must be the served .eml files byte for byte, and the
// server's --record file must show what each of them sent.

#include "pop3/Message.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <pwd.h>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

#include "ServeProcess.h"
#include "support/Files.h"
#include "support/Subprocess.h"

namespace pop3::cli {
namespace {

using test::SubprocessResult;
using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kUser = "alice";
const std::string kPassword = "s3cret-pw";
const std::chrono::seconds kClientTimeout(30);

std::string largeBody() {
    std::string body;
    for (int line = 0; line < 4000; ++line) {
        if (line % 50 == 0)
            body += '.';
        body += std::string(70, static_cast<char>('a' + line % 26)) + "\n";
    }
    return body;
}

struct Served {
    std::string uid;
    std::string text;
};

/// The maildrop, in order (serve numbers the .eml files by name): lines that need
/// byte-stuffing, a lone "." line, a body line starting with "From ", CRLF and 8-bit text, a
/// missing final line end and one large message.
const std::vector<Served> kMessages = {
    {"1-dots", "From: a@example.org\nTo: b@example.org\nSubject: dots\n\n.\n..\n.dot\n"
               "From the body\nend\n"},
    {"2-crlf", "From: a@example.org\r\nSubject: crlf\r\n\r\ncaf\xc3\xa9\r\n\r\n"},
    {"3-unterminated", "From: a@example.org\nSubject: no final line end\n\nlast line"},
    {"4-large", "From: a@example.org\nSubject: large\n\n" + largeBody()},
};

/// A message as the clients store it locally (Maildir file, MDA input): the wire form after
/// unstuffing (CRLF line ends, a final line end added) with LF line ends.
std::string localForm(const std::string& message) {
    return Poco::replace(canonicalMessage(message), std::string("\r\n"), std::string("\n"));
}

/// mpop puts this one header field before every message it delivers (unless
/// `received_header off`), and changes nothing else.
const std::regex kMpopReceived(R"(Received: from localhost \(localhost \[127\.0\.0\.1\]\)\n)"
                               R"(\tby [^ \n]+ \(mpop-[0-9.]+\) with POP3\n)"
                               R"(\tfor <[^>\n]*>; [^\n]+\n)");

/// fetchmail puts this one header field before every message it hands to the MDA (unless
/// --invisible), and changes nothing else in these messages.
const std::regex kFetchmailReceived(R"(Received: from localhost\n)"
                                    R"(\tby [^ \n]+ with POP3 \(fetchmail-[0-9.]+\)\n)"
                                    R"(\tfor <[^>\n]*> \(single-drop\); [^\n]+\n)");

/// `text` without the header field `added` that a client prepended, or nothing when the text
/// does not start with it.
std::optional<std::string> withoutAddedField(const std::string& text, const std::regex& added) {
    std::smatch match;
    if (!std::regex_search(text, match, added, std::regex_constants::match_continuous))
        return std::nullopt;
    return match.suffix().str();
}

std::string escaped(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else
            out += c;
    }
    return out;
}

/// Byte equality, reporting where two long texts first differ.
AssertionResult sameBytes(const std::string& actual, const std::string& expected) {
    if (actual == expected)
        return AssertionSuccess();
    const std::size_t common = std::min(actual.size(), expected.size());
    std::size_t at = 0;
    while (at < common && actual[at] == expected[at])
        ++at;
    const std::size_t from = at < 20 ? 0 : at - 20;
    return AssertionFailure() << actual.size() << " octets where " << expected.size()
                              << " were expected, first difference at offset " << at << ": got \""
                              << escaped(actual.substr(from, 60)) << "\", expected \""
                              << escaped(expected.substr(from, 60)) << "\"";
}

/// `expected` occurs in `sent` in this order (other lines may come between).
AssertionResult sentInOrder(const std::vector<std::string>& sent,
                            const std::vector<std::string>& expected) {
    auto next = sent.begin();
    for (const std::string& line : expected) {
        next = std::find(next, sent.end(), line);
        if (next == sent.end()) {
            AssertionResult failure = AssertionFailure();
            failure << "no '" << line << "' in order " << ::testing::PrintToString(expected)
                    << "; the client sent:";
            for (const std::string& each : sent)
                failure << "\n  " << each;
            return failure;
        }
        ++next;
    }
    return AssertionSuccess();
}

using test::readFile;

void writeFile(const std::string& path, const std::string& text, mode_t mode = 0600) {
    Poco::FileOutputStream(path) << text;
    ::chmod(path.c_str(), mode);
}

/// The names of the files in `folder`, sorted.
std::vector<std::string> fileNames(const std::string& folder) {
    std::vector<std::string> names;
    for (Poco::DirectoryIterator it(folder), end; it != end; ++it) {
        if (it->isFile())
            names.push_back(it.name());
    }
    std::sort(names.begin(), names.end());
    return names;
}

/// The client lines of each session of a --record file, by session id.
std::map<std::int64_t, std::vector<std::string>> clientLines(const std::string& recordFile) {
    std::map<std::int64_t, std::vector<std::string>> sessions;
    Poco::FileInputStream in(recordFile);
    std::string json;
    while (std::getline(in, json)) {
        const auto line = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
        if (line->getValue<std::string>("direction") == "client")
            sessions[line->getValue<std::int64_t>("session")].push_back(
                line->getValue<std::string>("line"));
    }
    return sessions;
}

std::string currentUserName() {
    const passwd* entry = ::getpwuid(::geteuid());
    return entry ? entry->pw_name : "root";
}

class ServeInteropTest : public ::testing::Test {
protected:
    void SetUp() override {
        _dir.createDirectories();
        Poco::File(inDir("mail")).createDirectories();
        for (const Served& message : kMessages)
            writeFile(inDir("mail/" + message.uid + ".eml"), message.text, 0644);
        writeFile(inDir("password"), kPassword + "\n");
        _serve = std::make_unique<ServeProcess>(
            std::vector<std::string>{"serve", "--user", kUser + ":" + kPassword, "--messages",
                                     inDir("mail"), "--record", recordFile()});
    }

    std::string inDir(const std::string& name) const {
        return Poco::Path(Poco::Path::forDirectory(_dir.path()), name).toString();
    }
    std::string recordFile() const { return inDir("record.jsonl"); }
    ServeProcess& serve() { return *_serve; }

    /// Stops the server and returns what the clients sent, by session.
    std::map<std::int64_t, std::vector<std::string>> stopAndReadRecording() {
        EXPECT_EQ(_serve->stop(), 0);
        return clientLines(recordFile());
    }

    /// "COUNT OCTETS" of the maildrop now, from STAT in a fresh poplib session.
    std::string mailboxStat() {
        const SubprocessResult result =
            test::runSubprocess(POP3_TEST_PYTHON,
                                {"-c",
                                 "import poplib, sys\n"
                                 "p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=10)\n"
                                 "p.user(sys.argv[2]); p.pass_(sys.argv[3])\n"
                                 "print(*p.stat())\n"
                                 "p.quit()\n",
                                 std::to_string(serve().port("pop3")), kUser, kPassword},
                                {}, kClientTimeout);
        EXPECT_EQ(result.exitCode, 0) << result.err;
        return Poco::trim(result.out);
    }

    static std::string fullMailboxStat() {
        std::uint64_t octets = 0;
        for (const Served& message : kMessages)
            octets += measureMessage(message.text).octets;
        return std::to_string(kMessages.size()) + " " + std::to_string(octets);
    }

    /// Runs mpop for the account `settings` (mpoprc lines), delivering to a fresh Maildir
    /// whose delivered files it returns, in delivery order.
    std::vector<std::string> runMpop(const std::string& settings) {
        const std::string maildir = inDir("maildir");
        for (const char* sub : {"new", "cur", "tmp"})
            Poco::File(maildir + "/" + sub).createDirectories();
        const std::string config = inDir("mpoprc");
        writeFile(config, "account default\n"
                          "host localhost\n"
                          "user " +
                              kUser + "\nuidls_file " + inDir("uidls") + "\ndelivery maildir " +
                              maildir + "\n" + settings);
        const SubprocessResult result =
            test::runSubprocess(test::requireProgram("mpop"), {"-C", config}, {}, kClientTimeout);
        EXPECT_FALSE(result.timedOut);
        EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
        EXPECT_THAT(fileNames(maildir + "/tmp"), ::testing::IsEmpty());
        // Maildir names are TIME.MmicrosecondsPpidQcounter.host: order by the counter.
        std::vector<std::pair<unsigned long, std::string>> delivered;
        const std::regex name(R"(^\d+\.M\d+P\d+Q(\d+)\.)");
        for (const std::string& file : fileNames(maildir + "/new")) {
            std::smatch match;
            EXPECT_TRUE(std::regex_search(file, match, name)) << file;
            delivered.emplace_back(match.empty() ? 0 : std::stoul(match[1].str()),
                                   readFile(maildir + "/new/" + file));
        }
        std::sort(delivered.begin(), delivered.end());
        std::vector<std::string> texts;
        for (auto& [counter, text] : delivered)
            texts.push_back(std::move(text));
        return texts;
    }

    /// Runs fetchmail once with the `server` and `user` options of its poll entry and
    /// `extraArgs`; an MDA script stores each message as delivered/001.eml, 002.eml, ...
    /// Returns them in that order.
    std::vector<std::string> runFetchmail(const std::string& server, const std::string& user,
                                          const std::vector<std::string>& extraArgs) {
        const std::string delivered = inDir("delivered");
        Poco::File(delivered).createDirectories();
        const std::string script = inDir("deliver.sh");
        std::string deliver = "#!/bin/sh\n# fetchmail's MDA: run once per message, on stdin.\n";
        deliver += "dir='" + delivered + "'\n";
        deliver += "n=$(ls \"$dir\" | wc -l)\n";
        deliver += "cat > \"$dir/$(printf %03d $((n + 1))).eml\"\n";
        writeFile(script, deliver, 0700);
        const std::string config = inDir("fetchmailrc");
        std::string rc = "poll localhost protocol pop3 no dns " + server + "\n";
        rc += "  user \"" + kUser + "\" there with password \"" + kPassword + "\" is \"" +
              currentUserName() + "\" here\n";
        rc += "  " + user + "\n  mda \"/bin/sh " + script + "\"\n";
        writeFile(config, rc);
        std::vector<std::string> args = {"-f",
                                         config,
                                         "--nosyslog",
                                         "--idfile",
                                         inDir("fetchids"),
                                         "--pidfile",
                                         inDir("fetchmail.pid"),
                                         "-v"};
        args.insert(args.end(), extraArgs.begin(), extraArgs.end());
        const SubprocessResult result =
            test::runSubprocess(test::requireProgram("fetchmail"), args, {}, kClientTimeout);
        EXPECT_FALSE(result.timedOut);
        // 0: mail was retrieved.
        EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
        std::vector<std::string> texts;
        for (const std::string& file : fileNames(delivered))
            texts.push_back(readFile(delivered + "/" + file));
        return texts;
    }

    /// How a client fetched the messages: RETR, or TOP with more lines than any message has
    /// (RFC 1939 §7: the whole message), which fetchmail uses when it deletes.
    enum class Fetch { retr, topAllLines };

    /// `sent` fetches every message, then deletes each (or none) before QUIT.
    static void expectFetchedAll(const std::vector<std::string>& sent, Fetch fetch, bool deleted) {
        for (std::size_t n = 1; n <= kMessages.size(); ++n) {
            const std::string number = std::to_string(n);
            const std::string get =
                fetch == Fetch::retr ? "RETR " + number : "TOP " + number + " 99999999";
            if (deleted) {
                EXPECT_TRUE(sentInOrder(sent, {get, "DELE " + number, "QUIT"}));
            } else {
                EXPECT_TRUE(sentInOrder(sent, {get, "QUIT"}));
            }
        }
        if (!deleted) {
            EXPECT_THAT(sent, Not(Contains(StartsWith("DELE"))));
        }
    }

private:
    Poco::TemporaryFile _dir;
    std::unique_ptr<ServeProcess> _serve;
};

TEST_F(ServeInteropTest, MpopOverStlsKeepsEveryMessageByteExact) {
    const std::vector<std::string> delivered =
        runMpop("port " + std::to_string(serve().port("pop3")) +
                "\ntls on\ntls_starttls on\ntls_trust_file " + serve().certificate() +
                "\nauth user\npasswordeval cat " + inDir("password") + "\nkeep on\n");
    ASSERT_EQ(delivered.size(), kMessages.size());
    for (std::size_t i = 0; i < kMessages.size(); ++i) {
        const std::optional<std::string> message = withoutAddedField(delivered[i], kMpopReceived);
        ASSERT_TRUE(message) << "no Received field as mpop writes it: "
                             << escaped(delivered[i].substr(0, 300));
        EXPECT_TRUE(sameBytes(*message, localForm(kMessages[i].text))) << kMessages[i].uid;
    }
    EXPECT_EQ(mailboxStat(), fullMailboxStat());

    const auto sessions = stopAndReadRecording();
    ASSERT_TRUE(sessions.count(1));
    const std::vector<std::string>& sent = sessions.at(1);
    EXPECT_TRUE(sentInOrder(sent, {"CAPA", "STLS", "CAPA", "USER alice", "PASS ****", "UIDL"}));
    expectFetchedAll(sent, Fetch::retr, false);
    EXPECT_THAT(readFile(recordFile()), Not(HasSubstr(kPassword)));
}

TEST_F(ServeInteropTest, MpopOverImplicitTlsDeletesWhatItFetched) {
    // received_header off: mpop then stores exactly what it received.
    const std::vector<std::string> delivered =
        runMpop("port " + std::to_string(serve().port("pop3s")) +
                "\ntls on\ntls_starttls off\ntls_trust_file " + serve().certificate() +
                "\nauth user\npassword " + kPassword + "\nkeep off\nreceived_header off\n");
    ASSERT_EQ(delivered.size(), kMessages.size());
    for (std::size_t i = 0; i < kMessages.size(); ++i)
        EXPECT_TRUE(sameBytes(delivered[i], localForm(kMessages[i].text))) << kMessages[i].uid;
    EXPECT_EQ(mailboxStat(), "0 0");

    const auto sessions = stopAndReadRecording();
    ASSERT_TRUE(sessions.count(1));
    const std::vector<std::string>& sent = sessions.at(1);
    EXPECT_TRUE(sentInOrder(sent, {"CAPA", "USER alice", "PASS ****", "UIDL"}));
    expectFetchedAll(sent, Fetch::retr, true);
    EXPECT_THAT(sent, Not(Contains("STLS")));
}

TEST_F(ServeInteropTest, MpopLogsInWithApopOverPlaintext) {
    const std::vector<std::string> delivered =
        runMpop("port " + std::to_string(serve().port("pop3")) + "\ntls off\nauth apop\npassword " +
                kPassword + "\nkeep on\nreceived_header off\n");
    ASSERT_EQ(delivered.size(), kMessages.size());
    for (std::size_t i = 0; i < kMessages.size(); ++i)
        EXPECT_TRUE(sameBytes(delivered[i], localForm(kMessages[i].text))) << kMessages[i].uid;

    const auto sessions = stopAndReadRecording();
    ASSERT_TRUE(sessions.count(1));
    const std::vector<std::string>& sent = sessions.at(1);
    EXPECT_THAT(sent, Contains(::testing::Eq("APOP alice ****")));
    EXPECT_THAT(sent, Not(Contains(StartsWith("USER"))));
    expectFetchedAll(sent, Fetch::retr, false);
}

TEST_F(ServeInteropTest, FetchmailOverStlsNokeepFetchesEveryMessageByteExact) {
    // With --nokeep fetchmail reads each message with `TOP n 99999999`, not RETR, and deletes
    // it right after delivery.
    const std::vector<std::string> delivered = runFetchmail(
        "port " + std::to_string(serve().port("pop3")) + " auth password",
        "sslproto tls1.2+ sslcertck sslcertfile \"" + serve().certificate() + "\"", {"--nokeep"});
    ASSERT_EQ(delivered.size(), kMessages.size());
    for (std::size_t i = 0; i < kMessages.size(); ++i) {
        const std::optional<std::string> message =
            withoutAddedField(delivered[i], kFetchmailReceived);
        ASSERT_TRUE(message) << "no Received field as fetchmail writes it: "
                             << escaped(delivered[i].substr(0, 300));
        EXPECT_TRUE(sameBytes(*message, localForm(kMessages[i].text))) << kMessages[i].uid;
    }
    EXPECT_EQ(mailboxStat(), "0 0");

    const auto sessions = stopAndReadRecording();
    ASSERT_TRUE(sessions.count(1));
    const std::vector<std::string>& sent = sessions.at(1);
    EXPECT_TRUE(sentInOrder(sent, {"CAPA", "STLS", "CAPA", "USER alice", "PASS ****", "UIDL"}));
    expectFetchedAll(sent, Fetch::topAllLines, true);
    EXPECT_THAT(readFile(recordFile()), Not(HasSubstr(kPassword)));
}

TEST_F(ServeInteropTest, FetchmailOverImplicitTlsKeepsAndLogsInWithCramMd5) {
    // --invisible: fetchmail then adds no Received field. Without an `auth` option it picks
    // the strongest mechanism offered, CRAM-MD5.
    const std::vector<std::string> delivered = runFetchmail(
        "port " + std::to_string(serve().port("pop3s")),
        "ssl sslcertck sslcertfile \"" + serve().certificate() + "\"", {"--keep", "--invisible"});
    ASSERT_EQ(delivered.size(), kMessages.size());
    for (std::size_t i = 0; i < kMessages.size(); ++i)
        EXPECT_TRUE(sameBytes(delivered[i], localForm(kMessages[i].text))) << kMessages[i].uid;
    EXPECT_EQ(mailboxStat(), fullMailboxStat());

    const auto sessions = stopAndReadRecording();
    ASSERT_TRUE(sessions.count(1));
    const std::vector<std::string>& sent = sessions.at(1);
    EXPECT_TRUE(sentInOrder(sent, {"CAPA", "AUTH CRAM-MD5", "****", "UIDL"}));
    expectFetchedAll(sent, Fetch::retr, false);
    EXPECT_THAT(sent, Not(Contains("STLS")));
}

TEST_F(ServeInteropTest, PoplibLogsInWithApopOverPlaintext) {
    std::string expected;
    for (const Served& message : kMessages)
        expected += canonicalMessage(message.text);
    const SubprocessResult result = test::runSubprocess(
        POP3_TEST_PYTHON,
        {"-c",
         "import poplib, sys\n"
         "port, user, password, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], "
         "int(sys.argv[4])\n"
         "p = poplib.POP3('127.0.0.1', port, timeout=10)\n"
         "try:\n"
         "    p.apop(user, 'wrong')\n"
         "    sys.exit('a wrong APOP digest was accepted')\n"
         "except poplib.error_proto:\n"
         "    pass\n"
         "p.quit()\n"
         "p = poplib.POP3('127.0.0.1', port, timeout=10)\n"
         "p.apop(user, password)\n"
         "if p.stat()[0] != count:\n"
         "    sys.exit('STAT: %r' % (p.stat(),))\n"
         "for n in range(1, count + 1):\n"
         "    sys.stdout.buffer.write(b'\\r\\n'.join(p.retr(n)[1]) + b'\\r\\n')\n"
         "p.quit()\n",
         std::to_string(serve().port("pop3")), kUser, kPassword, std::to_string(kMessages.size())},
        {}, kClientTimeout);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_TRUE(sameBytes(result.out, expected));

    const auto sessions = stopAndReadRecording();
    ASSERT_EQ(sessions.size(), 2u);
    EXPECT_THAT(sessions.begin()->second, Contains(::testing::Eq("APOP alice ****")));
    const std::vector<std::string>& sent = sessions.rbegin()->second;
    EXPECT_THAT(sent, Contains(::testing::Eq("APOP alice ****")));
    EXPECT_TRUE(sentInOrder(sent, {"STAT", "RETR 1", "RETR 4", "QUIT"}));
    EXPECT_THAT(readFile(recordFile()), Not(HasSubstr(kPassword)));
}

} // namespace
} // namespace pop3::cli
