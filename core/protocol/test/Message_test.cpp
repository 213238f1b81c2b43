#include "pop3/Message.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "support/Chunkings.h"

namespace pop3 {

// For EXPECT_EQ on stats; found by argument-dependent lookup.
bool operator==(const MessageStats& a, const MessageStats& b) {
    return a.octets == b.octets && a.lines == b.lines;
}

std::ostream& operator<<(std::ostream& os, const MessageStats& stats) {
    return os << "{octets " << stats.octets << ", lines " << stats.lines << "}";
}

} // namespace pop3

namespace {

using pop3::canonicalMessage;
using pop3::LineEndNormaliser;
using pop3::measureMessage;
using pop3::MessageMeter;
using pop3::MessageStats;
using pop3::TopFilter;
using pop3::topOfMessage;

using pop3::test::allStrings;
using pop3::test::chunkings;
using pop3::test::Chunks;
using pop3::test::describe;

std::string normalise(const Chunks& chunks) {
    LineEndNormaliser normaliser;
    std::string out;
    for (auto chunk : chunks)
        normaliser.feed(chunk, out);
    normaliser.finish(out);
    return out;
}

MessageStats meter(const Chunks& chunks) {
    MessageMeter meter;
    for (auto chunk : chunks)
        meter.feed(chunk);
    return meter.finish();
}

std::string top(const Chunks& chunks, std::uint64_t bodyLines) {
    TopFilter filter(bodyLines);
    std::string out;
    for (auto chunk : chunks)
        filter.feed(chunk, out);
    filter.finish(out);
    return out;
}

/// Inputs that stress line ends at chunk boundaries.
const std::vector<std::string> kTrickyInputs = {
    "",
    "a",
    "\r",
    "\n",
    "\r\n",
    "\n\r",
    "\r\r",
    "\n\n",
    "\r\r\n",
    "\r\n\r\n",
    "a\rb\nc\r\nd",
    "Subject: x\n\nbody\n",
    "Subject: x\r\rbody\r",
    ".\r\n..\r\n.",
    std::string("bin\0\xff\x80\r\n", 8),
};

TEST(LineEndNormaliserTest, KeepsCrlf) {
    EXPECT_EQ(normalise({"a\r\nb\r\n"}), "a\r\nb\r\n");
}

TEST(LineEndNormaliserTest, LoneLfBecomesCrlf) {
    EXPECT_EQ(normalise({"a\nb\n"}), "a\r\nb\r\n");
    EXPECT_EQ(normalise({"\n\n"}), "\r\n\r\n");
}

TEST(LineEndNormaliserTest, LoneCrBecomesCrlf) {
    EXPECT_EQ(normalise({"a\rb\r"}), "a\r\nb\r\n");
    EXPECT_EQ(normalise({"\r\r\n"}), "\r\n\r\n");
    EXPECT_EQ(normalise({"\n\r"}), "\r\n\r\n");
}

TEST(LineEndNormaliserTest, LeavesOtherBytesAlone) {
    const std::string binary("\0\x01\x7f\x80\xff.", 6);
    EXPECT_EQ(normalise({binary}), binary);
}

TEST(LineEndNormaliserTest, EveryShortInputInEveryChunkingMatchesTheDefinition) {
    // The definition: CRLF stays, a lone CR or LF becomes CRLF.
    const auto reference = [](const std::string& input) {
        std::string out;
        for (std::size_t i = 0; i < input.size(); ++i) {
            if (input[i] == '\r' || input[i] == '\n') {
                out += "\r\n";
                if (input[i] == '\r' && i + 1 < input.size() && input[i + 1] == '\n')
                    ++i;
            } else {
                out += input[i];
            }
        }
        return out;
    };
    for (const auto& input : allStrings("a\r\n", 7)) {
        for (const auto& chunks : chunkings(input))
            ASSERT_EQ(normalise(chunks), reference(input)) << describe(chunks);
    }
}

TEST(LineEndNormaliserTest, HoldsCrAtChunkEndUntilNextByte) {
    LineEndNormaliser normaliser;
    std::string out;
    normaliser.feed("a\r", out);
    EXPECT_EQ(out, "a");
    normaliser.feed("\nb", out);
    EXPECT_EQ(out, "a\r\nb");
}

TEST(LineEndNormaliserTest, FinishFlushesPendingCr) {
    LineEndNormaliser normaliser;
    std::string out;
    normaliser.feed("a\r", out);
    normaliser.finish(out);
    EXPECT_EQ(out, "a\r\n");
    EXPECT_TRUE(normaliser.atLineStart());
    normaliser.finish(out);
    EXPECT_EQ(out, "a\r\n");
}

TEST(LineEndNormaliserTest, PendingCrFollowedByDataIsALineEnd) {
    LineEndNormaliser normaliser;
    std::string out;
    normaliser.feed("a\r", out);
    normaliser.feed("b", out);
    EXPECT_EQ(out, "a\r\nb");
}

TEST(LineEndNormaliserTest, TracksLineStart) {
    LineEndNormaliser normaliser;
    std::string out;
    EXPECT_TRUE(normaliser.atLineStart());
    normaliser.feed("", out);
    EXPECT_TRUE(normaliser.atLineStart());
    normaliser.feed("abc", out);
    EXPECT_FALSE(normaliser.atLineStart());
    normaliser.feed("\n", out);
    EXPECT_TRUE(normaliser.atLineStart());
    normaliser.feed("x\r\n", out);
    EXPECT_TRUE(normaliser.atLineStart());
}

TEST(LineEndNormaliserTest, ChunkBoundariesDoNotChangeOutput) {
    for (const auto& input : kTrickyInputs) {
        const auto expected = normalise({input});
        for (const auto& chunks : chunkings(input))
            ASSERT_EQ(normalise(chunks), expected) << describe(chunks);
    }
}

TEST(MessageMeterTest, EmptyMessageIsZero) {
    EXPECT_EQ(measureMessage(""), (MessageStats{0, 0}));
    EXPECT_EQ(meter({"", ""}), (MessageStats{0, 0}));
}

TEST(MessageMeterTest, Rfc1939Section5CountsCrlfOctets) {
    EXPECT_EQ(measureMessage("a\r\nb\r\n"), (MessageStats{6, 2}));
    EXPECT_EQ(measureMessage("a\nb\n"), (MessageStats{6, 2}));
    EXPECT_EQ(measureMessage("a\rb\r"), (MessageStats{6, 2}));
    EXPECT_EQ(measureMessage("\r\n"), (MessageStats{2, 1}));
    EXPECT_EQ(measureMessage("\n\n\n"), (MessageStats{6, 3}));
}

TEST(MessageMeterTest, CountsTheCrlfAddedToAnUnterminatedLastLine) {
    EXPECT_EQ(measureMessage("a"), (MessageStats{3, 1}));
    EXPECT_EQ(measureMessage("a\nb"), (MessageStats{6, 2}));
}

TEST(MessageMeterTest, Rfc1939Section5DoesNotCountByteStuffing) {
    EXPECT_EQ(measureMessage(".\r\n..\r\n"), (MessageStats{7, 2}));
}

TEST(MessageMeterTest, FinishIsRepeatable) {
    MessageMeter meter;
    meter.feed("ab\r");
    EXPECT_EQ(meter.finish(), (MessageStats{4, 1}));
    EXPECT_EQ(meter.finish(), (MessageStats{4, 1}));
    MessageMeter unterminated;
    unterminated.feed("ab");
    EXPECT_EQ(unterminated.finish(), (MessageStats{4, 1}));
    EXPECT_EQ(unterminated.finish(), (MessageStats{4, 1}));
}

TEST(MessageMeterTest, MatchesCanonicalForm) {
    for (const auto& input : kTrickyInputs) {
        const auto canonical = canonicalMessage(input);
        const auto stats = measureMessage(input);
        EXPECT_EQ(stats.octets, canonical.size()) << input;
        EXPECT_EQ(stats.lines,
                  static_cast<std::uint64_t>(std::count(canonical.begin(), canonical.end(), '\n')))
            << input;
    }
}

TEST(MessageMeterTest, ChunkBoundariesDoNotChangeStats) {
    for (const auto& input : kTrickyInputs) {
        const auto expected = measureMessage(input);
        for (const auto& chunks : chunkings(input))
            ASSERT_EQ(meter(chunks), expected) << describe(chunks);
    }
}

TEST(MessageCanonicalTest, NormalisesAndTerminates) {
    EXPECT_EQ(canonicalMessage(""), "");
    EXPECT_EQ(canonicalMessage("a"), "a\r\n");
    EXPECT_EQ(canonicalMessage("a\nb\rc\r\n"), "a\r\nb\r\nc\r\n");
    EXPECT_EQ(canonicalMessage("a\r"), "a\r\n");
    EXPECT_EQ(canonicalMessage("\r"), "\r\n");
}

const std::string kMessage = "From: a@example.org\r\n"
                             "Subject: hi\r\n"
                             "\r\n"
                             "line 1\r\n"
                             "line 2\r\n"
                             "line 3\r\n";

TEST(TopFilterTest, Rfc1939Section7ZeroLinesGivesHeadersAndBlankLine) {
    EXPECT_EQ(topOfMessage(kMessage, 0), "From: a@example.org\r\nSubject: hi\r\n\r\n");
}

TEST(TopFilterTest, Rfc1939Section7GivesRequestedBodyLines) {
    EXPECT_EQ(topOfMessage(kMessage, 1), "From: a@example.org\r\nSubject: hi\r\n\r\nline 1\r\n");
    EXPECT_EQ(topOfMessage(kMessage, 2),
              "From: a@example.org\r\nSubject: hi\r\n\r\nline 1\r\nline 2\r\n");
}

TEST(TopFilterTest, Rfc1939Section7MoreLinesThanBodyGivesWholeMessage) {
    EXPECT_EQ(topOfMessage(kMessage, 3), kMessage);
    EXPECT_EQ(topOfMessage(kMessage, 4), kMessage);
    EXPECT_EQ(topOfMessage(kMessage, UINT64_MAX), kMessage);
}

TEST(TopFilterTest, MessageWithoutBlankLineIsAllHeaders) {
    const std::string headersOnly = "From: a@example.org\r\nSubject: hi\r\n";
    EXPECT_EQ(topOfMessage(headersOnly, 0), headersOnly);
    EXPECT_EQ(topOfMessage("Subject: no end", 0), "Subject: no end\r\n");
}

TEST(TopFilterTest, EmptyMessageGivesNothing) {
    EXPECT_EQ(topOfMessage("", 0), "");
    EXPECT_EQ(topOfMessage("", 5), "");
}

TEST(TopFilterTest, EmptyHeaderSectionStartsWithBlankLine) {
    EXPECT_EQ(topOfMessage("\r\nbody 1\r\nbody 2\r\n", 0), "\r\n");
    EXPECT_EQ(topOfMessage("\r\nbody 1\r\nbody 2\r\n", 1), "\r\nbody 1\r\n");
}

TEST(TopFilterTest, NormalisesLfOnlySeparator) {
    EXPECT_EQ(topOfMessage("Subject: x\n\nbody 1\nbody 2\n", 0), "Subject: x\r\n\r\n");
    EXPECT_EQ(topOfMessage("Subject: x\n\nbody 1\nbody 2\n", 1), "Subject: x\r\n\r\nbody 1\r\n");
    EXPECT_EQ(topOfMessage("Subject: x\r\rbody 1\rbody 2\r", 1), "Subject: x\r\n\r\nbody 1\r\n");
}

TEST(TopFilterTest, BlankLinesInBodyCountAsLines) {
    EXPECT_EQ(topOfMessage("H: v\r\n\r\n\r\n\r\nbody\r\n", 2), "H: v\r\n\r\n\r\n\r\n");
}

TEST(TopFilterTest, TerminatesAnUnterminatedLastLine) {
    EXPECT_EQ(topOfMessage("H: v\r\n\r\nlast", 5), "H: v\r\n\r\nlast\r\n");
}

TEST(TopFilterTest, WholeViewEqualsCanonicalMessage) {
    for (const auto& input : kTrickyInputs)
        EXPECT_EQ(topOfMessage(input, UINT64_MAX), canonicalMessage(input)) << input;
}

TEST(TopFilterTest, StopsConsumingOnceComplete) {
    TopFilter filter(1);
    std::string out;
    EXPECT_TRUE(filter.feed("H: v\r\n", out));
    EXPECT_FALSE(filter.complete());
    EXPECT_FALSE(filter.feed("\r\nline 1\r\nline 2\r\n", out));
    EXPECT_TRUE(filter.complete());
    EXPECT_EQ(out, "H: v\r\n\r\nline 1\r\n");
    EXPECT_FALSE(filter.feed("more\r\n", out));
    filter.finish(out);
    EXPECT_EQ(out, "H: v\r\n\r\nline 1\r\n");
}

TEST(TopFilterTest, ZeroLinesCompletesAtBlankLine) {
    TopFilter filter(0);
    std::string out;
    EXPECT_TRUE(filter.feed("H: v\r\n", out));
    EXPECT_FALSE(filter.feed("\r\n", out));
    EXPECT_EQ(out, "H: v\r\n\r\n");
}

TEST(TopFilterTest, FinishCompletesTheView) {
    TopFilter filter(10);
    std::string out;
    EXPECT_TRUE(filter.feed("H: v\r\n\r\nshort body\r", out));
    EXPECT_FALSE(filter.complete());
    filter.finish(out);
    EXPECT_TRUE(filter.complete());
    EXPECT_EQ(out, "H: v\r\n\r\nshort body\r\n");
}

TEST(TopFilterTest, ChunkBoundariesDoNotChangeView) {
    std::vector<std::string> inputs = kTrickyInputs;
    inputs.push_back("H: v\n\nb1\nb2\nb3");
    inputs.push_back("H: v\r\rb1\rb2\r");
    inputs.push_back("H: v\r\n\r\n\r\n\r\n");
    for (const auto& input : inputs) {
        for (std::uint64_t lines : {0, 1, 2, 5}) {
            const auto expected = topOfMessage(input, lines);
            for (const auto& chunks : chunkings(input))
                ASSERT_EQ(top(chunks, lines), expected) << describe(chunks) << " lines " << lines;
        }
    }
}

/// The TOP view by definition: the canonical message's lines up to and including the first
/// blank one, then at most `bodyLines` more.
std::string referenceTop(std::string_view message, std::uint64_t bodyLines) {
    const std::string canonical = canonicalMessage(message);
    std::string out;
    bool inHeaders = true;
    for (std::size_t pos = 0; pos < canonical.size();) {
        const std::size_t end = canonical.find("\r\n", pos) + 2;
        if (!inHeaders && bodyLines-- == 0)
            break;
        inHeaders = inHeaders && end - pos != 2;
        out.append(canonical, pos, end - pos);
        pos = end;
    }
    return out;
}

TEST(TopFilterTest, EveryShortMessageInEveryChunkingMatchesTheDefinition) {
    for (const auto& input : allStrings("a\r\n", 7)) {
        for (std::uint64_t lines : {0, 1, 2, 3}) {
            const auto expected = referenceTop(input, lines);
            for (const auto& chunks : chunkings(input, 7)) {
                ASSERT_EQ(top(chunks, lines), expected) << testing::PrintToString(input) << " "
                                                        << describe(chunks) << " lines " << lines;
            }
        }
    }
}

TEST(TopFilterTest, StopsAtTheViewsEndInsideAChunk) {
    // The rest of the chunk, including a CR at its end, is neither converted nor written.
    TopFilter filter(1);
    std::string out;
    EXPECT_FALSE(filter.feed("H: v\n\nb1\nb2\rb3\r", out));
    EXPECT_EQ(out, "H: v\r\n\r\nb1\r\n");
    filter.finish(out);
    EXPECT_EQ(out, "H: v\r\n\r\nb1\r\n");
    EXPECT_EQ(topOfMessage(std::string("H: v\r\n\r\n") + std::string(100000, 'x'), 0),
              "H: v\r\n\r\n");
}

TEST(TopFilterTest, CrAtChunkEndCompletesTheViewWithTheNextChunk) {
    TopFilter filter(0);
    std::string out;
    EXPECT_TRUE(filter.feed("H: v\r\n\r", out));
    EXPECT_EQ(out, "H: v\r\n");
    EXPECT_FALSE(filter.feed("\nbody\r\n", out));
    EXPECT_EQ(out, "H: v\r\n\r\n");
}

TEST(TopFilterTest, FeedReturnsFalseFromTheChunkThatCompletesTheView) {
    const std::string input = "H: v\n\nb1\nb2\nb3\n";
    for (const auto& chunks : chunkings(input)) {
        TopFilter filter(1);
        std::string out;
        bool completed = false;
        for (auto chunk : chunks) {
            const bool more = filter.feed(chunk, out);
            EXPECT_EQ(more, !filter.complete());
            if (completed) {
                EXPECT_FALSE(more);
            }
            completed = completed || !more;
        }
        // The view ends at the LF of "b1", so it completes before the input runs out.
        EXPECT_TRUE(completed) << describe(chunks);
        EXPECT_EQ(out, "H: v\r\n\r\nb1\r\n") << describe(chunks);
    }
}

} // namespace
