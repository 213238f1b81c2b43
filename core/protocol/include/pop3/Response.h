#pragma once

#include <string>
#include <string_view>

namespace pop3 {

/// The two status indicators of RFC 1939 §3.
enum class Status { Ok, Err };

/// Which way a traced protocol line went, seen from the side that traces it.
enum class TraceDirection { sent, received };

/// Extended response codes (RFC 2449 §8, RFC 3206, RFC 6856), without the brackets.
namespace codes {
inline constexpr std::string_view kInUse = "IN-USE";
inline constexpr std::string_view kLoginDelay = "LOGIN-DELAY";
inline constexpr std::string_view kSysTemp = "SYS/TEMP";
inline constexpr std::string_view kSysPerm = "SYS/PERM";
inline constexpr std::string_view kAuth = "AUTH";
inline constexpr std::string_view kUtf8 = "UTF8";
} // namespace codes

/// A decoded status line: `+OK [CODE] text` or `-ERR [CODE] text`.
struct StatusLine {
    Status status = Status::Err;
    /// The response code without brackets ("SYS/TEMP"), empty when there is none.
    std::string code;
    /// The text after the status indicator and the code, without leading space.
    std::string text;

    bool ok() const { return status == Status::Ok; }
};

/// Splits a status text into its RFC 2449 §8 response code and the rest:
/// "[SYS/TEMP] try later" gives code "SYS/TEMP" and rest "try later". When the text does not
/// start with a well-formed code (resp-code = "[" resp-level *("/" resp-level) "]", a level
/// being one or more CHARs other than "/", "[", "]", SP or CTL), code is empty and rest is the
/// whole text.
void splitResponseCode(std::string_view text, std::string& code, std::string& rest);

/// True when `code` is a well-formed RFC 2449 §8 response code (without brackets).
bool isValidResponseCode(std::string_view code);

} // namespace pop3
