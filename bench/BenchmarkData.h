#pragma once

// Bodies and wire replies shared by the protocol benchmarks.

#include "pop3/ResponseDecoder.h"
#include "pop3/ResponseWriter.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace pop3::bench {

inline constexpr std::size_t kChunk = 16 * 1024;

/// A mail body of about `octets` bytes in lines of up to 72 characters; every `dotEvery`-th line
/// starts with "." (0: none).
inline std::string mailBody(std::size_t octets, std::size_t dotEvery) {
    std::string body =
        "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: benchmark\r\n\r\n";
    for (std::size_t line = 1; body.size() < octets; ++line) {
        if (dotEvery != 0 && line % dotEvery == 0)
            body += '.';
        body += "Line " + std::to_string(line) +
                " of the message body, long enough to look like ordinary text.\r\n";
    }
    return body;
}

/// "+OK" and `body` byte-stuffed and terminated, as a server sends it.
inline std::string multiLineReply(std::string_view body) {
    std::string wire;
    ResponseWriter writer(wire);
    writer.ok();
    writer.bodyData(body);
    writer.endBody();
    return wire;
}

/// Decodes one multi-line reply fed in kChunk pieces with a fresh decoder, collecting the body
/// the way the client does.
inline std::string decodeMultiLine(std::string_view wire) {
    std::string body;
    ResponseDecoder decoder;
    decoder.expect(ResponseKind::MultiLine, [&](std::string_view data) { body.append(data); });
    for (std::size_t pos = 0; pos < wire.size(); pos += kChunk)
        decoder.feed(wire.substr(pos, std::min(kChunk, wire.size() - pos)));
    return body;
}

} // namespace pop3::bench
