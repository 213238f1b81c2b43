#pragma once

#include <chrono>
#include <cstddef>

/// Protocol limits, each named with the rule that sets it.
namespace pop3::limits {

/// RFC 2449 §4: servers that support CAPA accept command lines of up to 255 octets, CRLF
/// included.
inline constexpr std::size_t kMaxCommandLine = 255;

/// RFC 2449 §4: the first line of a response is at most 512 octets, CRLF included.
inline constexpr std::size_t kMaxResponseLine = 512;

/// RFC 1939 §7: a unique-id is 1 to 70 characters, each in 0x21..0x7E.
inline constexpr std::size_t kMaxUniqueIdLength = 70;

/// RFC 1939 §3: an autologout timer, if present, is at least 10 minutes.
inline constexpr std::chrono::minutes kMinAutologout{10};

/// Our policy (no RFC sets one): a session that sends this many bad commands (unknown,
/// malformed, over-long or in the wrong state) is closed. Dovecot uses the same number.
inline constexpr unsigned kMaxBadCommands = 20;

/// Our policy: an AUTH exchange whose client lines exceed this many octets, CRLF included, is
/// aborted. RFC 5034 §4 lets SASL responses exceed the 255-octet command limit.
inline constexpr std::size_t kMaxSaslLine = 8192;

/// Our policy: an AUTH exchange that needs more than this many client lines is aborted.
inline constexpr unsigned kMaxSaslSteps = 8;

/// Our policy for decoding a server's status line: longer lines are a protocol error. Larger
/// than RFC 2449's 512 so that slightly-off servers still work; the checker reports the RFC
/// limit separately.
inline constexpr std::size_t kMaxDecodedStatusLine = 4096;

} // namespace pop3::limits
