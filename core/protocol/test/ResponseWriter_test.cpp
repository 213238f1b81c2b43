#include "pop3/Message.h"
#include "pop3/ResponseWriter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "support/Chunkings.h"

namespace {

using pop3::MultilineEncoder;
using pop3::ResponseWriter;
using pop3::Status;

using pop3::test::allStrings;
using pop3::test::chunkings;
using pop3::test::Chunks;
using pop3::test::describe;

std::string encode(const Chunks& chunks) {
    MultilineEncoder encoder;
    std::string out;
    for (auto chunk : chunks)
        encoder.encode(chunk, out);
    encoder.finish(out);
    return out;
}

std::string encode(std::string_view body) {
    return encode(Chunks{body});
}

TEST(MultilineEncoderTest, Rfc1939Section3EmptyBodyIsJustTerminator) {
    EXPECT_EQ(encode(""), ".\r\n");
}

TEST(MultilineEncoderTest, Rfc1939Section3TerminatesWithDotCrlf) {
    EXPECT_EQ(encode("a\r\nb\r\n"), "a\r\nb\r\n.\r\n");
}

TEST(MultilineEncoderTest, Rfc1939Section3ByteStuffsLeadingDot) {
    EXPECT_EQ(encode(".hidden\r\n"), "..hidden\r\n.\r\n");
    EXPECT_EQ(encode("a\r\n.\r\nb\r\n"), "a\r\n..\r\nb\r\n.\r\n");
    EXPECT_EQ(encode("..\r\n"), "...\r\n.\r\n");
    EXPECT_EQ(encode("."), "..\r\n.\r\n");
}

TEST(MultilineEncoderTest, DoesNotStuffDotsInsideALine) {
    EXPECT_EQ(encode("a.b.\r\n"), "a.b.\r\n.\r\n");
    EXPECT_EQ(encode(" .\r\n"), " .\r\n.\r\n");
}

TEST(MultilineEncoderTest, Rfc1939Section3NormalisesLoneLfAndCr) {
    EXPECT_EQ(encode("a\nb\rc\r\n"), "a\r\nb\r\nc\r\n.\r\n");
    EXPECT_EQ(encode("\n\n"), "\r\n\r\n.\r\n");
    EXPECT_EQ(encode("\r\r\n"), "\r\n\r\n.\r\n");
}

TEST(MultilineEncoderTest, StuffsDotAfterNormalisedLineEnd) {
    // Without normalising first, ".\n" after a bare LF would reach the client as a terminator.
    EXPECT_EQ(encode("a\n.\nb"), "a\r\n..\r\nb\r\n.\r\n");
    EXPECT_EQ(encode("a\r.\rb"), "a\r\n..\r\nb\r\n.\r\n");
}

TEST(MultilineEncoderTest, Rfc1939Section3AddsCrlfToUnterminatedLastLine) {
    EXPECT_EQ(encode("no newline"), "no newline\r\n.\r\n");
    EXPECT_EQ(encode("trailing cr\r"), "trailing cr\r\n.\r\n");
}

TEST(MultilineEncoderTest, EmptyLinesPassThrough) {
    EXPECT_EQ(encode("\r\n"), "\r\n.\r\n");
    EXPECT_EQ(encode("\r\n\r\n"), "\r\n\r\n.\r\n");
}

TEST(MultilineEncoderTest, PassesEightBitAndNulBytes) {
    const std::string body("\0\xff\x80\x7f\r\n", 6);
    EXPECT_EQ(encode(body), body + ".\r\n");
}

TEST(MultilineEncoderTest, CrAtChunkEndJoinsLfOfNextChunk) {
    MultilineEncoder encoder;
    std::string out;
    encoder.encode("a\r", out);
    encoder.encode("\n.b", out);
    encoder.finish(out);
    EXPECT_EQ(out, "a\r\n..b\r\n.\r\n");
}

TEST(MultilineEncoderTest, DotAtChunkStartAfterLineEndIsStuffed) {
    MultilineEncoder encoder;
    std::string out;
    encoder.encode("a\r\n", out);
    encoder.encode(".", out);
    encoder.encode(".", out);
    encoder.finish(out);
    EXPECT_EQ(out, "a\r\n...\r\n.\r\n");
}

TEST(MultilineEncoderTest, ChunkBoundariesDoNotChangeOutput) {
    const std::vector<std::string> bodies = {
        "",
        ".",
        "..",
        ".\r\n",
        "a\r\n.\r\n",
        "\r\n.\r\n",
        ".\n.\r.",
        "a\rb\nc\r\n",
        "\r\r\n\n",
        std::string(".\0\r\xff\n.", 6),
        "x\r\n..\r\n.\r\n.x",
    };
    for (const auto& body : bodies) {
        const auto expected = encode(body);
        for (const auto& chunks : chunkings(body))
            ASSERT_EQ(encode(chunks), expected) << describe(chunks);
    }
}

/// The encoding by definition: the canonical message (CRLF line ends, last line terminated),
/// byte by byte, with a dot doubled at each line start, then the terminator.
std::string referenceEncoding(std::string_view body) {
    std::string out;
    bool lineStart = true;
    for (char c : pop3::canonicalMessage(body)) {
        if (lineStart && c == '.')
            out += '.';
        out += c;
        lineStart = c == '\n';
    }
    return out + ".\r\n";
}

TEST(MultilineEncoderTest, EveryShortBodyInEveryChunkingMatchesTheDefinition) {
    for (const auto& body : allStrings(".a\r\n", 6)) {
        const auto expected = referenceEncoding(body);
        for (const auto& chunks : chunkings(body, 6))
            ASSERT_EQ(encode(chunks), expected) << testing::PrintToString(body) << describe(chunks);
    }
}

TEST(MultilineEncoderTest, LongBodyInUnevenChunksMatchesTheDefinition) {
    // Long runs between line ends, dotted lines, blank lines and every kind of line end.
    std::string body;
    std::uint32_t seed = 12345;
    auto next = [&seed](std::uint32_t bound) {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) % bound;
    };
    const std::vector<std::string> pieces = {".", "..", "\r\n", "\n", "\r", "\r\r\n", "\n\r", "x"};
    while (body.size() < 20000) {
        body += pieces[next(static_cast<std::uint32_t>(pieces.size()))];
        body.append(next(4) == 0 ? next(200) : 0, 'y');
    }
    const auto expected = referenceEncoding(body);
    ASSERT_EQ(encode(body), expected);
    for (std::uint32_t maxChunk : {1u, 2u, 3u, 7u, 64u, 1000u}) {
        Chunks chunks;
        for (std::size_t pos = 0; pos < body.size();) {
            const std::size_t size = std::min<std::size_t>(1 + next(maxChunk), body.size() - pos);
            chunks.push_back(std::string_view(body).substr(pos, size));
            pos += size;
        }
        ASSERT_EQ(encode(chunks), expected) << "chunks of up to " << maxChunk;
    }
}

TEST(MultilineEncoderTest, EmptyChunksChangeNothing) {
    EXPECT_EQ(encode(Chunks{"a\r", "", "\n", "", ".", ""}), "a\r\n..\r\n.\r\n");
    EXPECT_EQ(encode(Chunks{"", "", ""}), ".\r\n");
}

TEST(MultilineEncoderTest, IsReusableAfterFinish) {
    MultilineEncoder encoder;
    std::string out;
    encoder.encode("first", out);
    encoder.finish(out);
    encoder.encode(".second\r", out);
    encoder.finish(out);
    EXPECT_EQ(out, "first\r\n.\r\n..second\r\n.\r\n");
}

std::string write(void (*use)(ResponseWriter&)) {
    std::string out;
    ResponseWriter writer(out);
    use(writer);
    return out;
}

TEST(ResponseWriterTest, Rfc1939Section3OkWithoutTextIsBare) {
    EXPECT_EQ(write([](ResponseWriter& w) { w.ok(); }), "+OK\r\n");
}

TEST(ResponseWriterTest, Rfc1939Section3OkWithText) {
    EXPECT_EQ(write([](ResponseWriter& w) { w.ok("2 320"); }), "+OK 2 320\r\n");
}

TEST(ResponseWriterTest, Rfc1939Section3ErrWithText) {
    EXPECT_EQ(write([](ResponseWriter& w) { w.err("no such message"); }),
              "-ERR no such message\r\n");
    EXPECT_EQ(write([](ResponseWriter& w) { w.err(""); }), "-ERR\r\n");
}

TEST(ResponseWriterTest, Rfc2449Section8WritesResponseCode) {
    EXPECT_EQ(write([](ResponseWriter& w) { w.err("text", pop3::codes::kSysTemp); }),
              "-ERR [SYS/TEMP] text\r\n");
    EXPECT_EQ(write([](ResponseWriter& w) { w.ok("welcome", pop3::codes::kUtf8); }),
              "+OK [UTF8] welcome\r\n");
    EXPECT_EQ(write([](ResponseWriter& w) { w.err("", pop3::codes::kInUse); }),
              "-ERR [IN-USE]\r\n");
}

TEST(ResponseWriterTest, StatusPicksIndicator) {
    EXPECT_EQ(write([](ResponseWriter& w) { w.status(Status::Ok, "fine"); }), "+OK fine\r\n");
    EXPECT_EQ(write([](ResponseWriter& w) { w.status(Status::Err, "bad", "AUTH"); }),
              "-ERR [AUTH] bad\r\n");
}

TEST(ResponseWriterTest, SanitisesStatusTextAgainstInjection) {
    std::string out;
    ResponseWriter writer(out);
    writer.ok("a\r\n+OK injected");
    writer.err(std::string_view("x\0y\rz\n", 6), "SYS\r\nTEMP");
    EXPECT_EQ(out, "+OK a  +OK injected\r\n-ERR [SYS  TEMP] x y z \r\n");
}

TEST(ResponseWriterTest, Rfc5034Section4EmptyContinuation) {
    EXPECT_EQ(write([](ResponseWriter& w) { w.continuation(""); }), "+ \r\n");
}

TEST(ResponseWriterTest, Rfc5034Section4Continuation) {
    EXPECT_EQ(write([](ResponseWriter& w) { w.continuation("PDE4OTYuNjk3MTcwOTUyQHBvc3Q+"); }),
              "+ PDE4OTYuNjk3MTcwOTUyQHBvc3Q+\r\n");
    EXPECT_EQ(write([](ResponseWriter& w) { w.continuation("ab\r\ncd"); }), "+ ab  cd\r\n");
}

TEST(ResponseWriterTest, Rfc1939Section3BodyLinesAreStuffedAndTerminated) {
    std::string out;
    ResponseWriter writer(out);
    writer.ok("capability list follows");
    writer.bodyLine("USER");
    writer.bodyLine(".weird");
    writer.bodyLine("");
    writer.endBody();
    EXPECT_EQ(out, "+OK capability list follows\r\nUSER\r\n..weird\r\n\r\n.\r\n");
}

TEST(ResponseWriterTest, BodyLineCannotInjectLinesOrTerminator) {
    std::string out;
    ResponseWriter writer(out);
    writer.bodyLine("1 a\r\n.\r\n");
    writer.endBody();
    EXPECT_EQ(out, "1 a  .  \r\n.\r\n");
}

TEST(ResponseWriterTest, EmptyBodyIsJustTerminator) {
    std::string out;
    ResponseWriter writer(out);
    writer.ok("0 messages");
    writer.endBody();
    EXPECT_EQ(out, "+OK 0 messages\r\n.\r\n");
}

TEST(ResponseWriterTest, Rfc1939Section3BodyDataStreamsThroughEncoder) {
    std::string out;
    ResponseWriter writer(out);
    writer.ok("message follows");
    writer.bodyData("Subject: x\n\n.");
    writer.bodyData("hidden\r");
    writer.bodyData("\n.");
    writer.endBody();
    EXPECT_EQ(out, "+OK message follows\r\nSubject: x\r\n\r\n..hidden\r\n..\r\n.\r\n");
}

TEST(ResponseWriterTest, WritesConsecutiveResponses) {
    std::string out;
    ResponseWriter writer(out);
    writer.ok();
    writer.bodyData("unterminated");
    writer.endBody();
    writer.ok();
    writer.bodyLine(".");
    writer.endBody();
    writer.err("gone");
    EXPECT_EQ(out, "+OK\r\nunterminated\r\n.\r\n+OK\r\n..\r\n.\r\n-ERR gone\r\n");
}

TEST(ResponseWriterTest, AppendsToExistingOutput) {
    std::string out = "earlier";
    ResponseWriter writer(out);
    writer.ok();
    EXPECT_EQ(out, "earlier+OK\r\n");
}

} // namespace
