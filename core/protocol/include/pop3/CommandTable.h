#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace pop3 {

/// RFC 1939 §3 session states, as bits so a command can allow several.
enum class SessionState : std::uint8_t { Authorization = 1, Transaction = 2, Update = 4 };

enum class CommandId {
    User,
    Pass,
    Apop,
    Auth,
    Stls,
    Capa,
    Stat,
    List,
    Uidl,
    Retr,
    Top,
    Dele,
    Noop,
    Rset,
    Quit,
    Utf8,
    Lang,
};

/// The shape of a command's arguments. Arguments are separated by one or more spaces.
enum class ArgumentRule {
    /// No argument.
    None,
    /// An optional message number.
    OptionalMessage,
    /// One message number.
    Message,
    /// A message number and a non-negative line count (TOP).
    MessageAndLines,
    /// One word without spaces (USER).
    Word,
    /// Everything after the first space, spaces included (PASS: RFC 1939 §7 lets a password
    /// contain spaces).
    RestOfLine,
    /// A name and a 32-hex-digit digest (APOP).
    NameAndDigest,
    /// A mechanism name and an optional initial response (AUTH, RFC 5034 §4). Without a
    /// mechanism it asks for the mechanism list (the RFC 1734 form).
    Mechanism,
    /// At most one word (LANG's language range, RFC 6856 §3).
    OptionalWord,
};

/// One row of the command table: everything the parser, the server session, the mock and the
/// checks need to know about a command.
struct CommandSpec {
    CommandId id;
    std::string_view name;
    /// Bitwise OR of the SessionState values in which the command is accepted.
    std::uint8_t states;
    ArgumentRule arguments;
    /// Where the command is defined.
    std::string_view rfc;

    bool allowedIn(SessionState state) const {
        return (states & static_cast<std::uint8_t>(state)) != 0;
    }
};

inline constexpr std::uint8_t kAuthorization =
    static_cast<std::uint8_t>(SessionState::Authorization);
inline constexpr std::uint8_t kTransaction = static_cast<std::uint8_t>(SessionState::Transaction);

/// The one command table (Dovecot's pop3_commands[] shape): adding a command is one row here
/// plus its handling in ServerSession.
inline constexpr std::array<CommandSpec, 17> kCommandTable{{
    {CommandId::User, "USER", kAuthorization, ArgumentRule::Word, "RFC 1939 §7"},
    {CommandId::Pass, "PASS", kAuthorization, ArgumentRule::RestOfLine, "RFC 1939 §7"},
    {CommandId::Apop, "APOP", kAuthorization, ArgumentRule::NameAndDigest, "RFC 1939 §7"},
    {CommandId::Auth, "AUTH", kAuthorization, ArgumentRule::Mechanism, "RFC 5034 §4"},
    {CommandId::Stls, "STLS", kAuthorization, ArgumentRule::None, "RFC 2595 §4"},
    {CommandId::Capa, "CAPA", kAuthorization | kTransaction, ArgumentRule::None, "RFC 2449 §5"},
    {CommandId::Stat, "STAT", kTransaction, ArgumentRule::None, "RFC 1939 §5"},
    {CommandId::List, "LIST", kTransaction, ArgumentRule::OptionalMessage, "RFC 1939 §5"},
    {CommandId::Uidl, "UIDL", kTransaction, ArgumentRule::OptionalMessage, "RFC 1939 §7"},
    {CommandId::Retr, "RETR", kTransaction, ArgumentRule::Message, "RFC 1939 §5"},
    {CommandId::Top, "TOP", kTransaction, ArgumentRule::MessageAndLines, "RFC 1939 §7"},
    {CommandId::Dele, "DELE", kTransaction, ArgumentRule::Message, "RFC 1939 §5"},
    {CommandId::Noop, "NOOP", kTransaction, ArgumentRule::None, "RFC 1939 §5"},
    {CommandId::Rset, "RSET", kTransaction, ArgumentRule::None, "RFC 1939 §5"},
    {CommandId::Quit, "QUIT", kAuthorization | kTransaction, ArgumentRule::None, "RFC 1939 §4, §6"},
    {CommandId::Utf8, "UTF8", kAuthorization, ArgumentRule::None, "RFC 6856 §2"},
    {CommandId::Lang, "LANG", kAuthorization | kTransaction, ArgumentRule::OptionalWord,
     "RFC 6856 §3"},
}};

/// The row for `keyword`, matched case-insensitively (RFC 1939 §3), or nullptr.
const CommandSpec* findCommand(std::string_view keyword);

/// The row for `id` (every id has one).
const CommandSpec& commandSpec(CommandId id);

} // namespace pop3
