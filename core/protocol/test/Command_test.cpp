#include "pop3/Command.h"
#include "pop3/CommandTable.h"
#include "pop3/Limits.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "support/Chunkings.h"

namespace {

using pop3::ArgumentRule;
using pop3::Command;
using pop3::CommandError;
using pop3::CommandId;
using pop3::CommandSpec;
using pop3::LineFramer;
using pop3::SessionState;
using Kind = pop3::CommandError::Kind;

using pop3::test::chunkings;
using pop3::test::Chunks;
using pop3::test::describe;

/// The parsed command, or a failure naming what came back instead.
Command parsed(std::string_view line) {
    auto result = pop3::parseCommand(line);
    if (auto* error = std::get_if<CommandError>(&result)) {
        ADD_FAILURE() << "'" << line << "' refused: " << error->message;
        return {};
    }
    return std::get<Command>(result);
}

/// The refusal's kind, or a failure when the line was accepted.
std::optional<Kind> refused(std::string_view line) {
    auto result = pop3::parseCommand(line);
    if (auto* error = std::get_if<CommandError>(&result)) {
        EXPECT_FALSE(error->message.empty()) << "'" << line << "'";
        return error->kind;
    }
    ADD_FAILURE() << "'" << line << "' accepted as " << std::get<Command>(result).spec->name;
    return std::nullopt;
}

std::vector<std::string> args(std::initializer_list<const char*> list) {
    return {list.begin(), list.end()};
}

/// Frames `chunks`, draining after every chunk the way a session does. Refused lines come out
/// as "!" followed by the reason.
std::vector<std::string> frame(const Chunks& chunks, std::size_t maxLine = 255) {
    LineFramer framer(maxLine);
    std::vector<std::string> lines;
    for (auto chunk : chunks) {
        framer.feed(chunk);
        while (auto line = framer.next())
            lines.push_back(line->error ? "!" + *line->error : line->text);
    }
    return lines;
}

std::vector<std::string> frame(std::string_view input, std::size_t maxLine = 255) {
    return frame(Chunks{input}, maxLine);
}

bool isRefusal(const std::string& framed) {
    return !framed.empty() && framed[0] == '!';
}

// --- the command table ---

TEST(CommandTableTest, EveryCommandIdHasExactlyOneRow) {
    const CommandId ids[] = {CommandId::User, CommandId::Pass, CommandId::Apop, CommandId::Auth,
                             CommandId::Stls, CommandId::Capa, CommandId::Stat, CommandId::List,
                             CommandId::Uidl, CommandId::Retr, CommandId::Top,  CommandId::Dele,
                             CommandId::Noop, CommandId::Rset, CommandId::Quit, CommandId::Utf8,
                             CommandId::Lang};
    EXPECT_EQ(std::size(ids), pop3::kCommandTable.size());
    for (CommandId id : ids) {
        int rows = 0;
        for (const CommandSpec& spec : pop3::kCommandTable)
            rows += spec.id == id ? 1 : 0;
        EXPECT_EQ(rows, 1) << static_cast<int>(id);
        EXPECT_EQ(pop3::commandSpec(id).id, id);
    }
}

TEST(CommandTableTest, NamesAreUniqueUpperCaseKeywordsOfThreeOrFourCharacters) {
    std::set<std::string_view> names;
    for (const CommandSpec& spec : pop3::kCommandTable) {
        EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
        EXPECT_GE(spec.name.size(), 3u);
        EXPECT_LE(spec.name.size(), 4u);
        EXPECT_TRUE(spec.name[0] >= 'A' && spec.name[0] <= 'Z') << spec.name;
        for (char c : spec.name)
            EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << spec.name;
        EXPECT_FALSE(spec.rfc.empty()) << spec.name;
    }
}

TEST(CommandTableTest, G04Rfc1939Section3FindCommandIgnoresCase) {
    for (const CommandSpec& spec : pop3::kCommandTable) {
        std::string lower(spec.name);
        for (char& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string mixed = lower;
        mixed[0] = spec.name[0];
        EXPECT_EQ(pop3::findCommand(spec.name), &spec);
        EXPECT_EQ(pop3::findCommand(lower), &spec);
        EXPECT_EQ(pop3::findCommand(mixed), &spec);
    }
    EXPECT_EQ(pop3::findCommand("XTND"), nullptr);
    EXPECT_EQ(pop3::findCommand(""), nullptr);
    EXPECT_EQ(pop3::findCommand("STA"), nullptr);
    EXPECT_EQ(pop3::findCommand("STATS"), nullptr);
}

TEST(CommandTableTest, Rfc1939StatesOfEachCommand) {
    using pop3::commandSpec;
    const auto auth = SessionState::Authorization;
    const auto trans = SessionState::Transaction;
    for (CommandId id :
         {CommandId::User, CommandId::Pass, CommandId::Apop, CommandId::Auth, CommandId::Stls}) {
        EXPECT_TRUE(commandSpec(id).allowedIn(auth)) << commandSpec(id).name;
        EXPECT_FALSE(commandSpec(id).allowedIn(trans)) << commandSpec(id).name;
    }
    for (CommandId id : {CommandId::Stat, CommandId::List, CommandId::Uidl, CommandId::Retr,
                         CommandId::Top, CommandId::Dele, CommandId::Noop, CommandId::Rset}) {
        EXPECT_FALSE(commandSpec(id).allowedIn(auth)) << commandSpec(id).name;
        EXPECT_TRUE(commandSpec(id).allowedIn(trans)) << commandSpec(id).name;
    }
    for (CommandId id : {CommandId::Capa, CommandId::Quit, CommandId::Lang}) {
        EXPECT_TRUE(commandSpec(id).allowedIn(auth)) << commandSpec(id).name;
        EXPECT_TRUE(commandSpec(id).allowedIn(trans)) << commandSpec(id).name;
    }
    // RFC 6856 §2: UTF8 only before login.
    EXPECT_TRUE(commandSpec(CommandId::Utf8).allowedIn(auth));
    EXPECT_FALSE(commandSpec(CommandId::Utf8).allowedIn(trans));
    // RFC 1939 §6: the UPDATE state takes no commands at all.
    for (const CommandSpec& spec : pop3::kCommandTable)
        EXPECT_FALSE(spec.allowedIn(SessionState::Update)) << spec.name;
}

TEST(CommandTableTest, ArgumentRuleOfEachCommand) {
    using pop3::commandSpec;
    EXPECT_EQ(commandSpec(CommandId::User).arguments, ArgumentRule::Word);
    EXPECT_EQ(commandSpec(CommandId::Pass).arguments, ArgumentRule::RestOfLine);
    EXPECT_EQ(commandSpec(CommandId::Apop).arguments, ArgumentRule::NameAndDigest);
    EXPECT_EQ(commandSpec(CommandId::Auth).arguments, ArgumentRule::Mechanism);
    EXPECT_EQ(commandSpec(CommandId::List).arguments, ArgumentRule::OptionalMessage);
    EXPECT_EQ(commandSpec(CommandId::Uidl).arguments, ArgumentRule::OptionalMessage);
    EXPECT_EQ(commandSpec(CommandId::Retr).arguments, ArgumentRule::Message);
    EXPECT_EQ(commandSpec(CommandId::Dele).arguments, ArgumentRule::Message);
    EXPECT_EQ(commandSpec(CommandId::Top).arguments, ArgumentRule::MessageAndLines);
    EXPECT_EQ(commandSpec(CommandId::Lang).arguments, ArgumentRule::OptionalWord);
    for (CommandId id : {CommandId::Stls, CommandId::Capa, CommandId::Stat, CommandId::Noop,
                         CommandId::Rset, CommandId::Quit, CommandId::Utf8})
        EXPECT_EQ(commandSpec(id).arguments, ArgumentRule::None) << commandSpec(id).name;
}

// --- keywords ---

TEST(ParseCommandTest, G04Rfc1939Section3KeywordsAreCaseInsensitive) {
    for (const char* line : {"STAT", "stat", "Stat", "sTaT"})
        EXPECT_EQ(parsed(line).id(), CommandId::Stat) << line;
    EXPECT_EQ(parsed("uidl 3").id(), CommandId::Uidl);
    EXPECT_EQ(parsed("Top 1 2").id(), CommandId::Top);
}

TEST(ParseCommandTest, EveryTableRowParsesByItsName) {
    const std::vector<std::pair<std::string, CommandId>> lines = {
        {"USER alice", CommandId::User},
        {"PASS secret", CommandId::Pass},
        {"APOP mrose c4c9334bac560ecc979e58001b3e22fb", CommandId::Apop},
        {"AUTH PLAIN", CommandId::Auth},
        {"STLS", CommandId::Stls},
        {"CAPA", CommandId::Capa},
        {"STAT", CommandId::Stat},
        {"LIST", CommandId::List},
        {"UIDL", CommandId::Uidl},
        {"RETR 1", CommandId::Retr},
        {"TOP 1 0", CommandId::Top},
        {"DELE 1", CommandId::Dele},
        {"NOOP", CommandId::Noop},
        {"RSET", CommandId::Rset},
        {"QUIT", CommandId::Quit},
        {"UTF8", CommandId::Utf8},
        {"LANG", CommandId::Lang},
    };
    EXPECT_EQ(lines.size(), pop3::kCommandTable.size());
    for (const auto& [line, id] : lines) {
        const Command command = parsed(line);
        ASSERT_NE(command.spec, nullptr) << line;
        EXPECT_EQ(command.id(), id) << line;
        EXPECT_EQ(command.spec, &pop3::commandSpec(id)) << line;
    }
}

TEST(ParseCommandTest, G05Rfc1939Section3EmptyLineIsMalformed) {
    EXPECT_EQ(refused(""), Kind::Malformed);
    EXPECT_EQ(refused(" "), Kind::Malformed);
    EXPECT_EQ(refused(" STAT"), Kind::Malformed);
}

TEST(ParseCommandTest, G05Rfc1939Section3KeywordWithNonLettersIsMalformed) {
    for (const char* line :
         {"ST4T", "STAT1", "RE-T 1", "1", "-ERR", "+OK", "ST.T", "\xc3\x9cSER x"})
        EXPECT_EQ(refused(line), Kind::Malformed) << line;
}

TEST(ParseCommandTest, G05Rfc1939Section3KeywordOfWrongLengthIsRefused) {
    // RFC 1939 §3: keywords are three or four characters long; no row has another length.
    for (const char* line : {"A", "QU", "STATS", "CAPABILITY", "HELLO world", "LISTS 1"})
        EXPECT_TRUE(refused(line)) << line;
}

TEST(ParseCommandTest, G05Rfc1939Section3UnknownKeywordIsUnknownCommand) {
    for (const char* line : {"XTND", "LAST", "HELO", "EHLO x", "RPOP", "xyz"})
        EXPECT_EQ(refused(line), Kind::UnknownCommand) << line;
}

TEST(ParseCommandTest, I03Rfc6856Section3LangTakesAtMostOneLanguageRange) {
    EXPECT_TRUE(parsed("LANG").arguments.empty());
    EXPECT_EQ(parsed("lang en-US").arguments, args({"en-US"}));
    EXPECT_EQ(parsed("LANG *").arguments, args({"*"}));
    EXPECT_EQ(refused("LANG en de"), Kind::BadArguments);
}

TEST(ParseCommandTest, I01Rfc6856Section2Utf8KeywordKeepsItsDigit) {
    EXPECT_EQ(parsed("utf8").id(), CommandId::Utf8);
    EXPECT_EQ(refused("UTF8 USER"), Kind::BadArguments);
    EXPECT_EQ(refused("UTF9"), Kind::Malformed);
}

// --- commands without arguments ---

TEST(ParseCommandTest, G05Rfc1939Section3NoArgumentCommandsRefuseArguments) {
    for (const char* keyword : {"STLS", "CAPA", "STAT", "NOOP", "RSET", "QUIT"}) {
        const Command command = parsed(keyword);
        EXPECT_TRUE(command.arguments.empty()) << keyword;
        EXPECT_FALSE(command.message) << keyword;
        EXPECT_EQ(refused(std::string(keyword) + " 1"), Kind::BadArguments) << keyword;
        EXPECT_EQ(refused(std::string(keyword) + " x y"), Kind::BadArguments) << keyword;
    }
}

TEST(ParseCommandTest, TrailingSpacesAreNotArguments) {
    EXPECT_TRUE(parsed("STAT ").arguments.empty());
    EXPECT_TRUE(parsed("QUIT   ").arguments.empty());
    EXPECT_FALSE(parsed("LIST ").message);
}

// --- message numbers ---

TEST(ParseCommandTest, Rfc1939Section5ListAndUidlTakeAnOptionalMessageNumber) {
    for (const char* keyword : {"LIST", "UIDL"}) {
        const std::string k(keyword);
        EXPECT_FALSE(parsed(k).message) << k;
        const Command one = parsed(k + " 7");
        ASSERT_TRUE(one.message) << k;
        EXPECT_EQ(one.message->value, 7u);
        EXPECT_EQ(one.message->toIndex(), 6u);
        EXPECT_EQ(one.arguments, args({"7"}));
        EXPECT_EQ(refused(k + " 1 2"), Kind::BadArguments) << k;
    }
}

TEST(ParseCommandTest, T07Rfc1939Section5RetrAndDeleNeedExactlyOneMessageNumber) {
    for (const char* keyword : {"RETR", "DELE"}) {
        const std::string k(keyword);
        EXPECT_EQ(parsed(k + " 2").message->value, 2u) << k;
        EXPECT_EQ(refused(k), Kind::BadArguments) << k;
        EXPECT_EQ(refused(k + " "), Kind::BadArguments) << k;
        EXPECT_EQ(refused(k + " 1 2"), Kind::BadArguments) << k;
    }
}

TEST(ParseCommandTest, T07Rfc1939Section5MessageNumbersAreDecimalFromOne) {
    for (const char* number : {"0", "00", "-1", "+1", "abc", "1a", "a1", "1.0", "0x10", "1e3",
                               "\xef\xbc\x91" /* fullwidth digit one */}) {
        for (const char* keyword : {"RETR", "DELE", "LIST", "UIDL"}) {
            const std::string line = std::string(keyword) + " " + number;
            EXPECT_EQ(refused(line), Kind::BadArguments) << line;
        }
        EXPECT_EQ(refused(std::string("TOP ") + number + " 1"), Kind::BadArguments) << number;
    }
}

TEST(ParseCommandTest, LeadingZerosAndExtraSpacesAreAccepted) {
    EXPECT_EQ(parsed("RETR 007").message->value, 7u);
    EXPECT_EQ(parsed("RETR   3").message->value, 3u);
    const Command top = parsed("TOP  2   5 ");
    EXPECT_EQ(top.message->value, 2u);
    EXPECT_EQ(top.lines, 5u);
}

TEST(ParseCommandTest, MessageNumbersUpToTheLargest64BitValueAreAccepted) {
    const Command largest = parsed("RETR 18446744073709551615");
    ASSERT_TRUE(largest.message);
    EXPECT_EQ(largest.message->value, UINT64_MAX);
    EXPECT_EQ(parsed("TOP 1 18446744073709551615").lines, UINT64_MAX);
}

TEST(ParseCommandTest, MessageNumbersThatOverflowAreRefused) {
    for (const char* number :
         {"18446744073709551616", "18446744073709551620", "99999999999999999999",
          "184467440737095516150", "100000000000000000000000000000000000000000"}) {
        EXPECT_EQ(refused(std::string("RETR ") + number), Kind::BadArguments) << number;
        EXPECT_EQ(refused(std::string("LIST ") + number), Kind::BadArguments) << number;
        EXPECT_EQ(refused(std::string("TOP 1 ") + number), Kind::BadArguments) << number;
    }
}

TEST(ParseCommandTest, T15Rfc1939Section7TopTakesMessageAndLineCount) {
    const Command zero = parsed("TOP 3 0");
    EXPECT_EQ(zero.message->value, 3u);
    EXPECT_EQ(zero.lines, 0u);
    EXPECT_EQ(zero.arguments, args({"3", "0"}));
    EXPECT_EQ(parsed("TOP 1 25").lines, 25u);
}

TEST(ParseCommandTest, T16Rfc1939Section7TopArgumentErrors) {
    for (const char* line : {"TOP", "TOP 1", "TOP 1 2 3", "TOP 0 1", "TOP x 1", "TOP 1 x",
                             "TOP 1 -1", "TOP 1 +1", "TOP -1 1", "TOP 1 1.5"})
        EXPECT_EQ(refused(line), Kind::BadArguments) << line;
}

// --- authentication commands ---

TEST(ParseCommandTest, Rfc1939Section7UserTakesOneWord) {
    EXPECT_EQ(parsed("USER alice").arguments, args({"alice"}));
    EXPECT_EQ(parsed("USER   alice  ").arguments, args({"alice"}));
    EXPECT_EQ(refused("USER"), Kind::BadArguments);
    EXPECT_EQ(refused("USER "), Kind::BadArguments);
    EXPECT_EQ(refused("USER alice smith"), Kind::BadArguments);
}

TEST(ParseCommandTest, Rfc1939Section7PassKeepsSpacesInThePassword) {
    EXPECT_EQ(parsed("PASS secret").arguments, args({"secret"}));
    EXPECT_EQ(parsed("PASS correct horse battery staple").arguments,
              args({"correct horse battery staple"}));
    // Everything after the separating space is the password, even more spaces.
    EXPECT_EQ(parsed("PASS  lead").arguments, args({" lead"}));
    EXPECT_EQ(parsed("PASS trail ").arguments, args({"trail "}));
    EXPECT_EQ(parsed("pass a  b").arguments, args({"a  b"}));
}

TEST(ParseCommandTest, Rfc1939Section7PassNeedsAPassword) {
    EXPECT_EQ(refused("PASS"), Kind::BadArguments);
    EXPECT_EQ(refused("PASS "), Kind::BadArguments);
}

TEST(ParseCommandTest, A06Rfc1939Section7ApopTakesNameAndHexDigest) {
    const Command command = parsed("APOP mrose c4c9334bac560ecc979e58001b3e22fb");
    EXPECT_EQ(command.arguments, args({"mrose", "c4c9334bac560ecc979e58001b3e22fb"}));
    EXPECT_EQ(parsed("APOP mrose C4C9334BAC560ECC979E58001B3E22FB").arguments[1],
              "C4C9334BAC560ECC979E58001B3E22FB");
}

TEST(ParseCommandTest, A06Rfc1939Section7ApopArgumentErrors) {
    for (const char* line : {"APOP", "APOP mrose", "APOP c4c9334bac560ecc979e58001b3e22fb",
                             "APOP mrose c4c9334bac560ecc979e58001b3e22f",
                             "APOP mrose c4c9334bac560ecc979e58001b3e22fbb",
                             "APOP mrose g4c9334bac560ecc979e58001b3e22fb",
                             "APOP mrose c4c9334bac560ecc979e58001b3e22fb extra",
                             "APOP mr ose c4c9334bac560ecc979e58001b3e22fb"})
        EXPECT_EQ(refused(line), Kind::BadArguments) << line;
}

TEST(ParseCommandTest, Rfc5034Section4AuthTakesMechanismAndOptionalInitialResponse) {
    EXPECT_TRUE(parsed("AUTH").arguments.empty()); // RFC 1734 form: list mechanisms
    EXPECT_EQ(parsed("AUTH PLAIN").arguments, args({"PLAIN"}));
    EXPECT_EQ(parsed("AUTH plain dGVzdAB0ZXN0AHRlc3Q=").arguments,
              args({"plain", "dGVzdAB0ZXN0AHRlc3Q="}));
    EXPECT_EQ(parsed("AUTH PLAIN =").arguments, args({"PLAIN", "="}));
    EXPECT_EQ(refused("AUTH PLAIN abc def"), Kind::BadArguments);
}

// --- line policy (parseCommand's share: never trusts its input) ---

TEST(ParseCommandTest, EightBitBytesAreAllowedInArguments) {
    EXPECT_EQ(parsed("USER j\xc3\xbcrgen").arguments, args({"j\xc3\xbcrgen"}));
    EXPECT_EQ(parsed("PASS p\xe4ss w\xf6rd").arguments, args({"p\xe4ss w\xf6rd"}));
}

TEST(ParseCommandTest, G08EverySingleByteIsRefusedWithoutCrashing) {
    for (int b = 0; b < 256; ++b) {
        const std::string line(1, static_cast<char>(b));
        auto result = pop3::parseCommand(line);
        ASSERT_TRUE(std::holds_alternative<CommandError>(result)) << "byte " << b;
        const bool letter = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
        EXPECT_EQ(std::get<CommandError>(result).kind,
                  letter ? Kind::UnknownCommand : Kind::Malformed)
            << "byte " << b;
    }
}

TEST(ParseCommandTest, G08EveryByteAfterAKeywordNeverCrashes) {
    for (int b = 0; b < 256; ++b) {
        for (const char* keyword :
             {"USER", "PASS", "APOP", "AUTH", "LIST", "RETR", "TOP", "STAT"}) {
            for (const std::string& line : {std::string(keyword) + " " + static_cast<char>(b),
                                            std::string(keyword) + static_cast<char>(b),
                                            std::string(keyword) + " 1 " + static_cast<char>(b)}) {
                auto result = pop3::parseCommand(line);
                if (auto* command = std::get_if<Command>(&result)) {
                    EXPECT_NE(command->spec, nullptr);
                }
            }
        }
    }
}

TEST(ParseCommandTest, G08RandomBytesGiveACommandOrAnErrorNeverACrash) {
    std::mt19937 random(1939);
    std::uniform_int_distribution<int> length(0, 80);
    std::uniform_int_distribution<int> byte(0, 255);
    // Bias half the inputs toward real keywords so the argument rules get exercised too.
    const std::vector<std::string> prefixes = {"",      "USER ", "PASS ", "APOP ", "AUTH ", "LIST ",
                                               "UIDL ", "RETR ", "TOP ",  "DELE ", "top 1 "};
    std::uniform_int_distribution<std::size_t> prefix(0, prefixes.size() - 1);
    for (int i = 0; i < 20000; ++i) {
        std::string line = i % 2 == 0 ? prefixes[prefix(random)] : std::string();
        const int n = length(random);
        for (int j = 0; j < n; ++j)
            line.push_back(static_cast<char>(byte(random)));
        auto result = pop3::parseCommand(line);
        if (auto* command = std::get_if<Command>(&result)) {
            ASSERT_NE(command->spec, nullptr);
            EXPECT_EQ(pop3::findCommand(line.substr(0, line.find(' '))), command->spec);
            if (command->message) {
                EXPECT_GE(command->message->value, 1u);
            }
        } else {
            EXPECT_FALSE(std::get<CommandError>(result).message.empty());
        }
    }
}

TEST(MessageNumberTest, MapsOneBasedWireNumbersToZeroBasedIndices) {
    EXPECT_EQ(pop3::MessageNumber{1}.toIndex(), 0u);
    EXPECT_EQ(pop3::MessageNumber{42}.toIndex(), 41u);
    EXPECT_EQ(pop3::MessageNumber::fromIndex(0).value, 1u);
    EXPECT_EQ(pop3::MessageNumber::fromIndex(41).value, 42u);
}

// --- LineFramer ---

TEST(LineFramerTest, Rfc1939Section3SplitsCrlfLines) {
    EXPECT_EQ(frame("STAT\r\nLIST 1\r\n"), (std::vector<std::string>{"STAT", "LIST 1"}));
}

TEST(LineFramerTest, G08BareLfIsAcceptedAsALineEnd) {
    EXPECT_EQ(frame("STAT\nLIST 1\r\nNOOP\n"),
              (std::vector<std::string>{"STAT", "LIST 1", "NOOP"}));
}

TEST(LineFramerTest, EmptyLinesAreLines) {
    EXPECT_EQ(frame("\r\n\n"), (std::vector<std::string>{"", ""}));
}

TEST(LineFramerTest, WaitsForTheLineEnd) {
    LineFramer framer(255);
    framer.feed("STA");
    EXPECT_FALSE(framer.next());
    EXPECT_EQ(framer.buffered(), 3u);
    framer.feed("T\r");
    EXPECT_FALSE(framer.next());
    framer.feed("\nNO");
    auto line = framer.next();
    ASSERT_TRUE(line);
    EXPECT_FALSE(line->error);
    EXPECT_EQ(line->text, "STAT");
    EXPECT_FALSE(framer.next());
    EXPECT_EQ(framer.buffered(), 2u);
}

TEST(LineFramerTest, ChunkBoundariesDoNotChangeTheLines) {
    const std::vector<std::string> inputs = {
        "STAT\r\n",
        "USER alice\r\nPASS a b c\r\nLIST\n\r\n",
        "A\r\r\nB\r\n",
        std::string("NO\0OP\r\nNOOP\r\n", 13),
        "\xc3\xbc\r\n\x7f\r\nok\n",
        "partial line without end",
    };
    for (const auto& input : inputs) {
        const auto expected = frame(input);
        for (const auto& chunks : chunkings(input))
            ASSERT_EQ(frame(chunks), expected) << describe(chunks);
    }
}

TEST(LineFramerTest, G07Rfc2449Section4LineOfExactlyTheLimitIsAccepted) {
    const std::size_t max = pop3::limits::kMaxCommandLine;
    ASSERT_EQ(max, 255u);
    const std::string crlf = "USER " + std::string(max - 7, 'u') + "\r\n"; // 255 octets
    ASSERT_EQ(crlf.size(), max);
    EXPECT_EQ(frame(crlf, max), (std::vector<std::string>{crlf.substr(0, max - 2)}));
    const std::string lf = "USER " + std::string(max - 6, 'u') + "\n"; // 255 octets
    ASSERT_EQ(lf.size(), max);
    EXPECT_EQ(frame(lf, max), (std::vector<std::string>{lf.substr(0, max - 1)}));
    for (const auto& chunks : chunkings(crlf, 0))
        ASSERT_EQ(frame(chunks, max).size(), 1u) << describe(chunks);
}

TEST(LineFramerTest, G08Rfc2449Section4LineOverTheLimitIsRefusedOnce) {
    const std::size_t max = 255;
    const std::string crlf = "USER " + std::string(max - 6, 'u') + "\r\n"; // 256 octets
    const std::string lf = "USER " + std::string(max - 5, 'u') + "\n";     // 256 octets
    for (const std::string& line : {crlf, lf}) {
        const std::string input = line + "NOOP\r\n";
        for (const auto& chunks : chunkings(input, 0)) {
            const auto lines = frame(chunks, max);
            ASSERT_EQ(lines.size(), 2u) << describe(chunks);
            EXPECT_EQ(lines[0], "!line too long") << describe(chunks);
            EXPECT_EQ(lines[1], "NOOP") << describe(chunks);
        }
    }
}

TEST(LineFramerTest, G08OverLongLineIsRefusedBeforeItsLineEndArrives) {
    LineFramer framer(255);
    framer.feed(std::string(254, 'x'));
    EXPECT_FALSE(framer.next());
    framer.feed("x");
    auto line = framer.next();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->error, "line too long");
    EXPECT_EQ(framer.buffered(), 0u);
    // The rest of that line is skipped; the framer recovers at its line end.
    framer.feed(std::string(1000, 'y'));
    EXPECT_FALSE(framer.next());
    EXPECT_EQ(framer.buffered(), 0u);
    framer.feed("yyy\r\nSTAT\r\n");
    line = framer.next();
    ASSERT_TRUE(line);
    EXPECT_FALSE(line->error);
    EXPECT_EQ(line->text, "STAT");
    EXPECT_FALSE(framer.next());
}

TEST(LineFramerTest, G08HugeLineWithoutLineEndKeepsMemoryBounded) {
    const std::size_t max = 255;
    const std::size_t read = 4096;
    LineFramer framer(max);
    const std::string chunk(read, 'A');
    int refusals = 0;
    for (int i = 0; i < 256; ++i) { // 1 MiB
        framer.feed(chunk);
        while (auto line = framer.next()) {
            EXPECT_TRUE(line->error);
            ++refusals;
        }
        ASSERT_LE(framer.buffered(), max + read) << "after " << i + 1 << " reads";
    }
    EXPECT_EQ(refusals, 1);
    framer.feed("\r\nNOOP\r\n");
    auto line = framer.next();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->text, "NOOP");
    EXPECT_FALSE(line->error);
}

TEST(LineFramerTest, G08HugeSingleReadIsDroppedAtOnce) {
    LineFramer framer(255);
    framer.feed(std::string(1 << 20, 'A'));
    auto line = framer.next();
    ASSERT_TRUE(line);
    EXPECT_TRUE(line->error);
    EXPECT_EQ(framer.buffered(), 0u);
    EXPECT_FALSE(framer.next());
}

TEST(LineFramerTest, G08NulAndOtherControlBytesAreRefused) {
    for (int b = 0; b < 0x20; ++b) {
        if (b == '\n')
            continue;
        const std::string input = std::string("NO") + static_cast<char>(b) + "OP\r\nNOOP\r\n";
        const auto lines = frame(input);
        ASSERT_EQ(lines.size(), 2u) << "byte " << b;
        EXPECT_EQ(lines[0], "!control characters are not allowed") << "byte " << b;
        EXPECT_EQ(lines[1], "NOOP") << "byte " << b;
    }
    EXPECT_EQ(frame("NO\x7fOP\r\n"),
              (std::vector<std::string>{"!control characters are not allowed"}));
}

TEST(LineFramerTest, G08LoneCrIsNotALineEnd) {
    EXPECT_EQ(frame("STAT\rNOOP\r\n"),
              (std::vector<std::string>{"!control characters are not allowed"}));
    EXPECT_EQ(frame("STAT\r\r\n"),
              (std::vector<std::string>{"!control characters are not allowed"}));
}

TEST(LineFramerTest, G08EightBitBytesPassThrough) {
    const std::string text = "USER \x80\xff\xc3\xbc";
    EXPECT_EQ(frame(text + "\r\n"), (std::vector<std::string>{text}));
}

TEST(LineFramerTest, G08EverySingleByteLineFollowsThePolicy) {
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const auto lines = frame(std::string(1, c) + "\r\n");
        if (c == '\n') {
            EXPECT_EQ(lines, (std::vector<std::string>{"", ""}));
        } else if (b < 0x20 || b == 0x7f) {
            ASSERT_EQ(lines.size(), 1u) << "byte " << b;
            EXPECT_TRUE(isRefusal(lines[0])) << "byte " << b;
        } else {
            EXPECT_EQ(lines, (std::vector<std::string>{std::string(1, c)})) << "byte " << b;
        }
    }
}

TEST(LineFramerTest, G08RandomBytesNeverBreakTheFramer) {
    std::mt19937 random(2449);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 700);
    LineFramer framer(255);
    for (int i = 0; i < 2000; ++i) {
        std::string chunk;
        const int n = length(random);
        for (int j = 0; j < n; ++j)
            chunk.push_back(static_cast<char>(byte(random)));
        framer.feed(chunk);
        while (auto line = framer.next()) {
            if (line->error)
                continue;
            EXPECT_LT(line->text.size(), 255u);
            for (char c : line->text) {
                const auto u = static_cast<unsigned char>(c);
                EXPECT_TRUE(u >= 0x20 && u != 0x7f) << "byte " << int(u);
            }
        }
        ASSERT_LE(framer.buffered(), 255u + 700u);
    }
    framer.feed("\r\nNOOP\r\n");
    std::optional<LineFramer::Line> last;
    while (auto line = framer.next())
        last = line;
    ASSERT_TRUE(last);
    EXPECT_EQ(last->text, "NOOP");
}

TEST(LineFramerTest, DiscardBufferedDropsPendingLines) {
    LineFramer framer(255);
    framer.feed("STLS\r\nCAPA\r\nUSER al");
    auto line = framer.next();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->text, "STLS");
    framer.discardBuffered();
    EXPECT_EQ(framer.buffered(), 0u);
    EXPECT_FALSE(framer.next());
    framer.feed("NOOP\r\n");
    line = framer.next();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->text, "NOOP");
}

TEST(LineFramerTest, DiscardBufferedEndsSkippingAnOverLongLine) {
    LineFramer framer(10);
    framer.feed(std::string(20, 'x'));
    ASSERT_TRUE(framer.next());
    framer.discardBuffered();
    framer.feed("NOOP\r\n");
    auto line = framer.next();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->text, "NOOP");
}

TEST(LineFramerTest, G07LimitIsConfigurable) {
    const std::string line = std::string(300, 'p') + "\r\n";
    EXPECT_EQ(frame(line, 255), (std::vector<std::string>{"!line too long"}));
    EXPECT_EQ(frame(line, 302), (std::vector<std::string>{std::string(300, 'p')}));

    LineFramer framer(255);
    framer.setMaxLine(1024);
    EXPECT_EQ(framer.maxLine(), 1024u);
    framer.feed(line);
    auto framed = framer.next();
    ASSERT_TRUE(framed);
    EXPECT_FALSE(framed->error);
    framer.setMaxLine(255);
    framer.feed(line);
    framed = framer.next();
    ASSERT_TRUE(framed);
    EXPECT_TRUE(framed->error);
}

TEST(ParseDecimalTest, DigitsOnlyAndWithin64Bits) {
    EXPECT_EQ(pop3::parseDecimal("0"), 0u);
    EXPECT_EQ(pop3::parseDecimal("18446744073709551615"), UINT64_MAX);
    for (const char* bad : {"", "18446744073709551616", "-1", "+1", " 1", "1 ", "1a", "0x1"})
        EXPECT_FALSE(pop3::parseDecimal(bad)) << bad;
}

} // namespace
