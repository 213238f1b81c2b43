// fuzz_response_decoder: the client's ResponseDecoder over arbitrary server bytes.
//
// Input: [limit selector, sink off (bit 2)] [kinds: two bits per response] [chunk seed]
// payload. The payload is decoded as pipelined responses, each starting where the previous one
// ended, until one fails or the bytes run out. Invariants: feed() consumes at most what it is
// given; Complete and Failed are final (feeding more consumes nothing and changes nothing); the
// sink receives exactly bodyOctets() octets, no more than were consumed; a decoded status has a
// valid response code and one line of text; the results do not depend on the chunking. And a
// round trip: any bytes encoded by MultilineEncoder decode to their canonical form.

#include "pop3/Message.h"
#include "pop3/ResponseDecoder.h"
#include "pop3/ResponseWriter.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "FuzzSupport.h"

namespace {

using pop3::ResponseDecoder;
using pop3::ResponseKind;
using pop3::fuzz::Chunker;
using pop3::fuzz::InputReader;

struct Decoded {
    ResponseDecoder::State state = ResponseDecoder::State::Idle;
    std::size_t consumed = 0;
    bool ok = false;
    std::string code;
    std::string text;
    bool continuation = false;
    std::string challenge;
    std::string body;
    std::string error;

    bool operator==(const Decoded& other) const {
        return std::tie(state, consumed, ok, code, text, continuation, challenge, body, error) ==
               std::tie(other.state, other.consumed, other.ok, other.code, other.text,
                        other.continuation, other.challenge, other.body, other.error);
    }
};

struct Options {
    std::size_t maxStatusLine = pop3::limits::kMaxDecodedStatusLine;
    bool sink = true;
    std::uint8_t kinds = 0;
};

ResponseKind kindAt(const Options& options, std::size_t index) {
    return static_cast<ResponseKind>(((options.kinds >> (2 * (index % 4))) & 3u) % 3u);
}

bool isFinal(ResponseDecoder::State state) {
    return state == ResponseDecoder::State::Complete || state == ResponseDecoder::State::Failed;
}

void checkFinal(ResponseDecoder& decoder, const Decoded& result, std::string_view more) {
    POP3_FUZZ_CHECK(decoder.feed(more) == 0);
    POP3_FUZZ_CHECK(decoder.feed("+OK\r\n.\r\n") == 0);
    POP3_FUZZ_CHECK(decoder.state() == result.state);
    POP3_FUZZ_CHECK(decoder.bodyOctets() == result.body.size());
    if (result.state == ResponseDecoder::State::Failed) {
        POP3_FUZZ_CHECK(!decoder.error().empty());
        return;
    }
    if (result.continuation)
        return;
    POP3_FUZZ_CHECK(result.code.empty() || pop3::isValidResponseCode(result.code));
    POP3_FUZZ_CHECK(result.text.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
}

/// Decodes `payload` as pipelined responses fed in the chunks `chunker` picks.
std::vector<Decoded> decodeAll(std::string_view payload, const Options& options, Chunker chunker) {
    std::vector<Decoded> results;
    ResponseDecoder decoder(options.maxStatusLine);
    std::size_t position = 0;
    while (position < payload.size()) {
        Decoded result;
        std::string* body = &result.body;
        decoder.expect(kindAt(options, results.size()),
                       options.sink ? ResponseDecoder::BodySink(
                                          [body](std::string_view data) { body->append(data); })
                                    : ResponseDecoder::BodySink());
        while (position < payload.size() && !isFinal(decoder.state())) {
            const std::string_view chunk =
                payload.substr(position, chunker.next(payload.size() - position));
            const std::size_t used = decoder.feed(chunk);
            POP3_FUZZ_CHECK(used <= chunk.size());
            POP3_FUZZ_CHECK(used == chunk.size() || isFinal(decoder.state()));
            position += used;
            result.consumed += used;
        }
        result.state = decoder.state();
        if (!options.sink)
            result.body.assign(static_cast<std::size_t>(decoder.bodyOctets()), '?');
        POP3_FUZZ_CHECK(decoder.bodyOctets() == result.body.size());
        POP3_FUZZ_CHECK(result.body.size() <= result.consumed);
        if (result.state == ResponseDecoder::State::Complete) {
            result.ok = decoder.status().ok();
            result.code = decoder.status().code;
            result.text = decoder.status().text;
            result.continuation = decoder.isContinuation();
            result.challenge = decoder.challenge();
        }
        result.error = decoder.error();
        if (isFinal(result.state))
            checkFinal(decoder, result, payload.substr(position));
        results.push_back(std::move(result));
        if (results.back().state != ResponseDecoder::State::Complete)
            break;
    }
    return results;
}

/// Any bytes, encoded as a multi-line body, decode to their canonical form.
void roundTrip(std::string_view message, Chunker chunker) {
    pop3::MultilineEncoder encoder;
    std::string wire = "+OK\r\n";
    std::string_view rest = message;
    while (!rest.empty()) {
        const std::size_t size = chunker.next(rest.size());
        encoder.encode(rest.substr(0, size), wire);
        rest.remove_prefix(size);
    }
    encoder.finish(wire);

    std::string body;
    ResponseDecoder decoder;
    decoder.expect(ResponseKind::MultiLine, [&body](std::string_view data) { body.append(data); });
    POP3_FUZZ_CHECK(decoder.feed(wire) == wire.size());
    POP3_FUZZ_CHECK(decoder.state() == ResponseDecoder::State::Complete);
    POP3_FUZZ_CHECK(body == pop3::canonicalMessage(message));
    POP3_FUZZ_CHECK(pop3::measureMessage(message).octets == body.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    InputReader input(data, size);
    Options options;
    const std::uint8_t flags = input.byte();
    constexpr std::size_t limits[] = {pop3::limits::kMaxDecodedStatusLine, 1, 8,
                                      pop3::limits::kMaxResponseLine};
    options.maxStatusLine = limits[flags & 3];
    options.sink = (flags & 4) == 0;
    options.kinds = input.byte();
    const std::uint8_t seed = input.byte();
    const std::string_view payload = input.rest();

    const std::vector<Decoded> whole = decodeAll(payload, options, Chunker(0));
    POP3_FUZZ_CHECK(decodeAll(payload, options, Chunker(seed)) == whole);
    POP3_FUZZ_CHECK(decodeAll(payload, options, Chunker(1)) == whole);
    roundTrip(payload, Chunker(seed));
    return 0;
}
