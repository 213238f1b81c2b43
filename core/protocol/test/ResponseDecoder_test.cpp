#include "pop3/ResponseDecoder.h"
#include "pop3/ResponseWriter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "support/Chunkings.h"

namespace {

using pop3::ResponseDecoder;
using pop3::ResponseKind;
using State = pop3::ResponseDecoder::State;

using pop3::test::chunkings;
using pop3::test::Chunks;
using pop3::test::describe;

/// Everything observable about one decoded response.
struct Decoded {
    State state = State::Idle;
    std::size_t consumed = 0;
    bool ok = false;
    std::string code;
    std::string text;
    bool continuation = false;
    std::string challenge;
    std::string body;
    std::uint64_t bodyOctets = 0;
    std::string error;

    bool operator==(const Decoded& o) const {
        return state == o.state && consumed == o.consumed && ok == o.ok && code == o.code &&
               text == o.text && continuation == o.continuation && challenge == o.challenge &&
               body == o.body && bodyOctets == o.bodyOctets && error == o.error;
    }
};

std::ostream& operator<<(std::ostream& os, const Decoded& d) {
    return os << "{state " << static_cast<int>(d.state) << ", consumed " << d.consumed << ", ok "
              << d.ok << ", code '" << d.code << "', text '" << d.text << "', continuation "
              << d.continuation << ", challenge '" << d.challenge << "', body "
              << ::testing::PrintToString(d.body) << ", bodyOctets " << d.bodyOctets << ", error '"
              << d.error << "'}";
}

/// Feeds `chunks` the way a connection would: stop feeding once a chunk is not consumed in
/// full (the response ended, the rest belongs to the next one).
Decoded decode(ResponseKind kind, const Chunks& chunks,
               std::size_t maxStatusLine = pop3::limits::kMaxDecodedStatusLine) {
    Decoded d;
    ResponseDecoder decoder(maxStatusLine);
    decoder.expect(kind, [&d](std::string_view data) { d.body.append(data); });
    for (auto chunk : chunks) {
        const auto used = decoder.feed(chunk);
        EXPECT_LE(used, chunk.size());
        d.consumed += used;
        if (used < chunk.size()) {
            EXPECT_NE(decoder.state(), State::Incomplete) << "stopped early while incomplete";
            break;
        }
    }
    d.state = decoder.state();
    d.ok = decoder.status().ok();
    d.code = decoder.status().code;
    d.text = decoder.status().text;
    d.continuation = decoder.isContinuation();
    d.challenge = decoder.challenge();
    d.bodyOctets = decoder.bodyOctets();
    d.error = decoder.error();
    return d;
}

Decoded decode(ResponseKind kind, std::string_view input) {
    return decode(kind, Chunks{input});
}

/// Decodes `input` in every chunking; all must agree. Returns the common result.
Decoded decodeAllWays(ResponseKind kind, std::string_view input) {
    const auto expected = decode(kind, input);
    for (const auto& chunks : chunkings(input, 24)) {
        const auto got = decode(kind, chunks);
        EXPECT_EQ(got, expected) << describe(chunks) << " input "
                                 << ::testing::PrintToString(std::string(input));
        if (!(got == expected))
            break;
    }
    return expected;
}

// --- status line ---

TEST(ResponseDecoderTest, StartsIdleAndConsumesNothing) {
    ResponseDecoder decoder;
    EXPECT_EQ(decoder.state(), State::Idle);
    EXPECT_EQ(decoder.feed("+OK\r\n"), 0u);
    EXPECT_EQ(decoder.state(), State::Idle);
}

TEST(ResponseDecoderTest, Rfc1939Section3AcceptsBareOk) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "+OK\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_TRUE(d.ok);
    EXPECT_EQ(d.text, "");
    EXPECT_EQ(d.code, "");
    EXPECT_EQ(d.consumed, 5u);
}

TEST(ResponseDecoderTest, Rfc1939Section3AcceptsOkWithText) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "+OK 2 320\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_TRUE(d.ok);
    EXPECT_EQ(d.text, "2 320");
}

TEST(ResponseDecoderTest, Rfc1939Section3AcceptsBareErr) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "-ERR\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_FALSE(d.ok);
    EXPECT_EQ(d.text, "");
}

TEST(ResponseDecoderTest, Rfc1939Section3AcceptsErrWithText) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "-ERR no such message\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_FALSE(d.ok);
    EXPECT_EQ(d.text, "no such message");
}

TEST(ResponseDecoderTest, AcceptsEmptyTextAfterSpace) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "+OK \r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.text, "");
}

TEST(ResponseDecoderTest, KeepsEightBitText) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "+OK gr\xc3\xbc\xc3\x9f"
                                                           "e\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.text, "gr\xc3\xbc\xc3\x9f"
                      "e");
}

TEST(ResponseDecoderTest, Rfc1939Section3RejectsOkay) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "+OKAY\r\n");
    EXPECT_EQ(d.state, State::Failed);
    EXPECT_FALSE(d.error.empty());
}

TEST(ResponseDecoderTest, Rfc1939Section3RejectsGarbageAfterPlus) {
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "+garbage\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::MultiLine, "+garbage\r\n").state, State::Failed);
}

TEST(ResponseDecoderTest, Rfc1939Section3RejectsLowerCaseIndicator) {
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "+ok\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "-err\r\n").state, State::Failed);
}

TEST(ResponseDecoderTest, Rfc1939Section3RejectsMissingSign) {
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "OK\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "ERR\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "\r\n").state, State::Failed);
}

TEST(ResponseDecoderTest, RejectsErrorWithoutSeparator) {
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "-ERROR\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "+OK\tx\r\n").state, State::Failed);
}

TEST(ResponseDecoderTest, Rfc1939Section3RejectsBareLf) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "+OK text\n");
    EXPECT_EQ(d.state, State::Failed);
    EXPECT_NE(d.error.find("LF"), std::string::npos) << d.error;
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "+OK\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "\n").state, State::Failed);
}

TEST(ResponseDecoderTest, RejectsStrayCrOrNulInStatusLine) {
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "+OK a\rb\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, "+OK\r\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SingleLine, std::string_view("+OK a\0b\r\n", 10)).state,
              State::Failed);
}

TEST(ResponseDecoderTest, FailsEarlyOnMalformedIndicator) {
    ResponseDecoder decoder;
    decoder.expect(ResponseKind::SingleLine);
    EXPECT_EQ(decoder.feed("+OKA"), 4u);
    EXPECT_EQ(decoder.state(), State::Failed);
}

TEST(ResponseDecoderTest, Rfc2449Section8ParsesResponseCode) {
    auto d = decodeAllWays(ResponseKind::SingleLine, "-ERR [SYS/TEMP] try later\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.code, "SYS/TEMP");
    EXPECT_EQ(d.text, "try later");
    d = decodeAllWays(ResponseKind::SingleLine, "-ERR [IN-USE]\r\n");
    EXPECT_EQ(d.code, "IN-USE");
    EXPECT_EQ(d.text, "");
    d = decodeAllWays(ResponseKind::SingleLine, "+OK [UTF8] hi\r\n");
    EXPECT_TRUE(d.ok);
    EXPECT_EQ(d.code, "UTF8");
    EXPECT_EQ(d.text, "hi");
}

TEST(ResponseDecoderTest, Rfc2449Section8MalformedCodeStaysInText) {
    const auto d = decodeAllWays(ResponseKind::SingleLine, "-ERR [SYS TEMP] x\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.code, "");
    EXPECT_EQ(d.text, "[SYS TEMP] x");
}

TEST(ResponseDecoderTest, StatusLineAtLimitIsAccepted) {
    const std::size_t limit = 32;
    const std::string line = "+OK " + std::string(limit - 6, 'x') + "\r\n";
    ASSERT_EQ(line.size(), limit);
    EXPECT_EQ(decode(ResponseKind::SingleLine, Chunks{line}, limit).state, State::Complete);
    const std::string over = "+OK " + std::string(limit - 5, 'x') + "\r\n";
    EXPECT_EQ(decode(ResponseKind::SingleLine, Chunks{over}, limit).state, State::Failed);
}

TEST(ResponseDecoderTest, RejectsOverlongStatusLineWithoutBuffering) {
    // Fails at the first octet past the limit, long before a line end arrives.
    const std::size_t limit = pop3::limits::kMaxDecodedStatusLine;
    ResponseDecoder decoder;
    decoder.expect(ResponseKind::SingleLine);
    decoder.feed("+OK ");
    for (std::size_t sent = 4; sent < limit - 1; ++sent) {
        ASSERT_EQ(decoder.feed("x"), 1u);
        ASSERT_EQ(decoder.state(), State::Incomplete) << sent;
    }
    decoder.feed("x");
    EXPECT_EQ(decoder.state(), State::Failed);
    EXPECT_NE(decoder.error().find("longer"), std::string::npos) << decoder.error();
}

TEST(ResponseDecoderTest, OverlongStatusLineInOneHugeChunkFails) {
    const std::string huge = "+OK " + std::string(1 << 20, 'x');
    ResponseDecoder decoder;
    decoder.expect(ResponseKind::SingleLine);
    decoder.feed(huge);
    EXPECT_EQ(decoder.state(), State::Failed);
}

TEST(ResponseDecoderTest, StatusLineErrorsDoNotDependOnChunking) {
    for (const std::string_view input :
         {"+OKAY\r\n", "+ok\n", "OK\r\n", "+OK x\n", "+OK a\rb\r\n", "-ERRx\r\n", "+ abc\r\n"}) {
        decodeAllWays(ResponseKind::SingleLine, input);
        decodeAllWays(ResponseKind::MultiLine, input);
        decodeAllWays(ResponseKind::SaslStep, input);
    }
}

TEST(ResponseDecoderTest, ChunkingDoesNotChangeTheLengthVerdict) {
    for (std::size_t extra = 0; extra < 3; ++extra) {
        const std::string line = "+OK " + std::string(10 + extra, 'y') + "\r\n";
        const auto expected = decode(ResponseKind::SingleLine, Chunks{line}, 16);
        for (const auto& chunks : chunkings(line, 24))
            EXPECT_EQ(decode(ResponseKind::SingleLine, chunks, 16), expected) << describe(chunks);
    }
}

// --- SASL continuations ---

TEST(ResponseDecoderTest, Rfc5034Section4SaslContinuation) {
    const auto d = decodeAllWays(ResponseKind::SaslStep, "+ abc=\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_TRUE(d.continuation);
    EXPECT_EQ(d.challenge, "abc=");
}

TEST(ResponseDecoderTest, Rfc5034Section4EmptyContinuation) {
    auto d = decodeAllWays(ResponseKind::SaslStep, "+\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_TRUE(d.continuation);
    EXPECT_EQ(d.challenge, "");
    d = decodeAllWays(ResponseKind::SaslStep, "+ \r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_TRUE(d.continuation);
    EXPECT_EQ(d.challenge, "");
}

TEST(ResponseDecoderTest, Rfc5034Section4SaslStepAcceptsFinalStatus) {
    auto d = decodeAllWays(ResponseKind::SaslStep, "+OK maildrop locked\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_FALSE(d.continuation);
    EXPECT_TRUE(d.ok);
    d = decodeAllWays(ResponseKind::SaslStep, "-ERR [AUTH] bad\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_FALSE(d.continuation);
    EXPECT_FALSE(d.ok);
    EXPECT_EQ(d.code, "AUTH");
}

TEST(ResponseDecoderTest, ContinuationOnlyInSaslStep) {
    for (const auto kind : {ResponseKind::SingleLine, ResponseKind::MultiLine}) {
        EXPECT_EQ(decodeAllWays(kind, "+ abc=\r\n").state, State::Failed);
        EXPECT_EQ(decodeAllWays(kind, "+\r\n").state, State::Failed);
        EXPECT_EQ(decodeAllWays(kind, "+ \r\n").state, State::Failed);
    }
}

TEST(ResponseDecoderTest, SaslStepStillRejectsMalformedLines) {
    EXPECT_EQ(decodeAllWays(ResponseKind::SaslStep, "+abc\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SaslStep, "+OKAY\r\n").state, State::Failed);
    EXPECT_EQ(decodeAllWays(ResponseKind::SaslStep, "+ abc\n").state, State::Failed);
}

// --- multi-line bodies ---

TEST(ResponseDecoderTest, Rfc1939Section3ErrHasNoBody) {
    const std::string input = "-ERR no such message\r\n.\r\n";
    const auto d = decodeAllWays(ResponseKind::MultiLine, input);
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_FALSE(d.ok);
    EXPECT_EQ(d.consumed, input.size() - 3) << "the dot line belongs to the next response";
    EXPECT_EQ(d.body, "");
}

TEST(ResponseDecoderTest, Rfc1939Section3EmptyBody) {
    const auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\n.\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.body, "");
    EXPECT_EQ(d.bodyOctets, 0u);
    EXPECT_EQ(d.consumed, 8u);
}

TEST(ResponseDecoderTest, Rfc1939Section3DeliversBodyWithCrlf) {
    const auto d =
        decodeAllWays(ResponseKind::MultiLine, "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.text, "2 messages");
    EXPECT_EQ(d.body, "1 120\r\n2 200\r\n");
    EXPECT_EQ(d.bodyOctets, 14u);
}

TEST(ResponseDecoderTest, Rfc1939Section3UnstuffsLeadingDot) {
    auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\n..x\r\n.\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.body, ".x\r\n");
    EXPECT_EQ(d.bodyOctets, 4u);
    d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\n..\r\n...\r\n.\r\n");
    EXPECT_EQ(d.body, ".\r\n..\r\n");
}

TEST(ResponseDecoderTest, UnstuffsOnlyAtLineStart) {
    const auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\na..b\r\n x.\r\n.\r\n");
    EXPECT_EQ(d.body, "a..b\r\n x.\r\n");
}

TEST(ResponseDecoderTest, Rfc1939Section3RemovesUnneededStuffingDot) {
    // A server that stuffs a line not starting with "." still loses the dot: RFC 1939 §3.
    const auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\n.x\r\n.\r\n");
    EXPECT_EQ(d.body, "x\r\n");
}

TEST(ResponseDecoderTest, Rfc1939Section3LoneDotLfIsData) {
    const auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\na\r\n.\nb\r\n.\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.body, "a\r\n\nb\r\n");
}

TEST(ResponseDecoderTest, DotAfterBareLfIsNotALineStart) {
    const auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\na\n.\r\nb\r\n.\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.body, "a\n.\r\nb\r\n");
}

TEST(ResponseDecoderTest, DotCrFollowedByDataIsData) {
    const auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\n.\rx\r\n.\r\r\n.\r\n");
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.body, "\rx\r\n\r\r\n");
}

TEST(ResponseDecoderTest, BodyKeepsBareCrAndLfBytes) {
    const auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\na\rb\nc\r\r\n\r\n.\r\n");
    EXPECT_EQ(d.body, "a\rb\nc\r\r\n\r\n");
}

TEST(ResponseDecoderTest, BodySplitMidTerminator) {
    const std::string input = "+OK\r\nline\r\n.\r\n";
    for (std::size_t cut = input.size() - 5; cut < input.size(); ++cut) {
        ResponseDecoder decoder;
        std::string body;
        decoder.expect(ResponseKind::MultiLine, [&body](std::string_view d) { body.append(d); });
        EXPECT_EQ(decoder.feed(std::string_view(input).substr(0, cut)), cut);
        EXPECT_EQ(decoder.state(), State::Incomplete) << cut;
        EXPECT_EQ(decoder.feed(std::string_view(input).substr(cut)), input.size() - cut);
        EXPECT_EQ(decoder.state(), State::Complete) << cut;
        EXPECT_EQ(body, "line\r\n") << cut;
    }
}

TEST(ResponseDecoderTest, UnterminatedBodyStaysIncomplete) {
    const auto d = decodeAllWays(ResponseKind::MultiLine, "+OK\r\nline 1\r\nline 2\r\n.");
    EXPECT_EQ(d.state, State::Incomplete);
    EXPECT_EQ(d.body, "line 1\r\nline 2\r\n");
    EXPECT_EQ(d.bodyOctets, 16u);
}

TEST(ResponseDecoderTest, BodyOctetsCountsDeliveredBytes) {
    ResponseDecoder decoder;
    decoder.expect(ResponseKind::MultiLine); // no sink: body is discarded but counted
    decoder.feed("+OK\r\n..ab\r\n");
    EXPECT_EQ(decoder.bodyOctets(), 5u);
    decoder.feed("cd");
    EXPECT_EQ(decoder.bodyOctets(), 7u);
    decoder.feed("\r\n.\r\n");
    EXPECT_EQ(decoder.state(), State::Complete);
    EXPECT_EQ(decoder.bodyOctets(), 9u);
}

TEST(ResponseDecoderTest, StreamsLongLineWithoutWaitingForItsEnd) {
    ResponseDecoder decoder;
    std::string body;
    decoder.expect(ResponseKind::MultiLine, [&body](std::string_view d) { body.append(d); });
    decoder.feed("+OK\r\n");
    decoder.feed(std::string(1000, 'z'));
    EXPECT_EQ(body.size(), 1000u);
    EXPECT_EQ(decoder.state(), State::Incomplete);
}

TEST(ResponseDecoderTest, SingleLineOkHasNoBody) {
    const std::string input = "+OK 1 2\r\n.\r\n";
    const auto d = decodeAllWays(ResponseKind::SingleLine, input);
    EXPECT_EQ(d.state, State::Complete);
    EXPECT_EQ(d.consumed, 9u);
}

TEST(ResponseDecoderTest, Rfc2449Section6PipelinedResponsesInOneBuffer) {
    const std::string buffer = "+OK 2 messages\r\n1 10\r\n..2 20\r\n.\r\n"
                               "-ERR [SYS/TEMP] busy\r\n"
                               "+OK\r\n.\r\n"
                               "+OK 9";
    ResponseDecoder decoder;
    std::string body;
    std::string_view rest(buffer);

    decoder.expect(ResponseKind::MultiLine, [&body](std::string_view d) { body.append(d); });
    auto used = decoder.feed(rest);
    EXPECT_EQ(decoder.state(), State::Complete);
    EXPECT_EQ(body, "1 10\r\n.2 20\r\n");
    EXPECT_EQ(decoder.feed(rest.substr(used)), 0u) << "nothing consumed after Complete";
    rest.remove_prefix(used);

    decoder.expect(ResponseKind::MultiLine);
    used = decoder.feed(rest);
    EXPECT_EQ(decoder.state(), State::Complete);
    EXPECT_FALSE(decoder.status().ok());
    EXPECT_EQ(decoder.status().code, "SYS/TEMP");
    rest.remove_prefix(used);

    decoder.expect(ResponseKind::MultiLine);
    used = decoder.feed(rest);
    EXPECT_EQ(decoder.state(), State::Complete);
    EXPECT_EQ(decoder.bodyOctets(), 0u);
    rest.remove_prefix(used);

    decoder.expect(ResponseKind::SingleLine);
    used = decoder.feed(rest);
    EXPECT_EQ(used, rest.size());
    EXPECT_EQ(decoder.state(), State::Incomplete);
}

TEST(ResponseDecoderTest, ExpectResetsAfterFailure) {
    ResponseDecoder decoder;
    decoder.expect(ResponseKind::SingleLine);
    decoder.feed("garbage\r\n");
    ASSERT_EQ(decoder.state(), State::Failed);
    EXPECT_EQ(decoder.feed("+OK\r\n"), 0u) << "nothing consumed after Failed";
    decoder.expect(ResponseKind::SingleLine);
    EXPECT_EQ(decoder.feed("+OK\r\n"), 5u);
    EXPECT_EQ(decoder.state(), State::Complete);
    EXPECT_TRUE(decoder.error().empty());
}

TEST(ResponseDecoderTest, BodyChunkingDoesNotChangeResult) {
    for (const std::string_view input :
         {"+OK\r\n.\r\n", "+OK\r\n..\r\n.\r\n", "+OK\r\n.\n.\r\n", "+OK\r\n.\r.\r\n.\r\n",
          "+OK\r\n\r\n\r\n.\r\n", "+OK\r\na\r\r\n.\r\n", "+OK x\r\n.\r\nNEXT"}) {
        decodeAllWays(ResponseKind::MultiLine, input);
    }
}

// --- encoder -> decoder round trip ---

/// Encodes `body` in chunks of `chunkSize` behind a "+OK" line, decodes it in chunks of
/// `readSize`, and checks that the client sees exactly the canonical message, its size and
/// nothing more.
void expectRoundTrip(const std::string& body, std::size_t chunkSize, std::size_t readSize) {
    std::string wire;
    pop3::ResponseWriter writer(wire);
    writer.ok("message follows");
    for (std::size_t i = 0; i < body.size(); i += chunkSize)
        writer.bodyData(std::string_view(body).substr(i, chunkSize));
    writer.endBody();
    wire += "+OK next";

    ResponseDecoder decoder;
    std::string received;
    decoder.expect(ResponseKind::MultiLine,
                   [&received](std::string_view d) { received.append(d); });
    std::size_t consumed = 0;
    while (consumed < wire.size() && decoder.state() == State::Incomplete)
        consumed += decoder.feed(std::string_view(wire).substr(consumed, readSize));

    const auto label = ::testing::PrintToString(body.substr(0, 40)) + " size " +
                       std::to_string(body.size()) + " chunk " + std::to_string(chunkSize) +
                       " read " + std::to_string(readSize);
    ASSERT_EQ(decoder.state(), State::Complete) << label;
    EXPECT_EQ(std::string_view(wire).substr(consumed), "+OK next") << label;
    EXPECT_TRUE(received == pop3::canonicalMessage(body)) << label;
    const auto stats = pop3::measureMessage(body);
    EXPECT_EQ(decoder.bodyOctets(), stats.octets) << label;
    EXPECT_EQ(received.size(), stats.octets) << label;
    EXPECT_EQ(static_cast<std::uint64_t>(std::count(received.begin(), received.end(), '\n')),
              stats.lines)
        << label;
}

TEST(MultilineRoundTripTest, Rfc1939Section5SizeEqualsOctetsReceived) {
    const std::vector<std::string> bodies = {
        "",
        ".",
        "..",
        "...",
        ".\r\n",
        "..\r\n",
        "a\r\n.\r\nb\r\n",
        "a\r\n.\r\n",
        ".\r\n.\r\n.\r\n",
        "\r\n",
        "\r\n\r\n\r\n",
        "no final newline",
        "no final newline\r",
        "cr at end\r",
        "lf only\nlines\n.\n..\n",
        "cr only\rlines\r.\r",
        "mixed\r\r\n\n\r.",
        std::string("binary\0\x01\xff\x80\r\n.\xfe\r\n", 15),
        "Subject: x\r\n\r\n.\r\n",
        ".\r",
        ".\n",
    };
    for (const auto& body : bodies) {
        for (std::size_t chunk :
             {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{1000}})
            for (std::size_t read :
                 {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{4096}})
                expectRoundTrip(body, chunk, read);
    }
}

TEST(MultilineRoundTripTest, LongLineOfOneMegabyte) {
    std::string body(1 << 20, 'L');
    body[0] = '.';
    body += "\r\n.tail";
    expectRoundTrip(body, 65536, 4096);
    expectRoundTrip(body, 1 << 21, 1 << 21);
    expectRoundTrip(body, 4095, 1);
}

TEST(MultilineRoundTripTest, PseudoRandomTrickyBodies) {
    // Deterministic bodies over an alphabet of the bytes that matter to framing.
    const char alphabet[] = {'.', '\r', '\n', 'a', '\0', '\xff'};
    std::uint32_t seed = 12345;
    auto next = [&seed]() {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    for (int round = 0; round < 400; ++round) {
        std::string body;
        const auto length = next() % 40;
        for (std::uint32_t i = 0; i < length; ++i)
            body += alphabet[next() % sizeof(alphabet)];
        expectRoundTrip(body, 1 + next() % 7, 1 + next() % 7);
    }
}

TEST(SplitBodyLinesTest, SplitsAtCrlfOnlyAndKeepsALastPartialLine) {
    using pop3::splitBodyLines;
    EXPECT_EQ(splitBodyLines(""), std::vector<std::string>{});
    EXPECT_EQ(splitBodyLines("a\r\n\r\nb\nc\r\n"), (std::vector<std::string>{"a", "", "b\nc"}));
    EXPECT_EQ(splitBodyLines("a\r\nrest"), (std::vector<std::string>{"a", "rest"}));
}

} // namespace
