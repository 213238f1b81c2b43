#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pop3::cli {

/// A mailbox address: `pop3://USER[:PASS]@HOST[:PORT]`, or `pop3s://...` for implicit TLS
/// (RFC 8314). User and password are percent-decoded (`%40` for "@", `%3A` for ":").
struct MailboxUrl {
    /// True for pop3s://.
    bool implicitTls = false;
    std::string user;
    /// Absent when the URL has no ":PASS".
    std::optional<std::string> password;
    /// Without brackets for IPv6 literals.
    std::string host;
    /// 0 when the URL names none: 995 for pop3s, 110 for pop3 (pop3::Client's rule too).
    std::uint16_t port = 0;

    /// Parses `url`; throws CommandLineError saying what is wrong.
    static MailboxUrl parse(const std::string& url);
};

} // namespace pop3::cli
