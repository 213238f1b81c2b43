#pragma once

#include "pop3/CommandTable.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace pop3::mock {

/// Deliberate protocol violations the mock can commit, each breaking one rule so that a client
/// (or the checker's self-test) can be shown to notice. docs/scenarios.md describes each one.
enum class Fault {
    NoByteStuffing,
    NoTerminator,
    WrongSize,
    WrongCount,
    DeleteWithoutQuit,
    DeletedStillListed,
    DeletedStillAccessible,
    RsetKeepsMarks,
    QuitWithoutUpdate,
    UpdateRemovesUnmarked,
    QuitKeepsLock,
    StlsWithoutTls,
    StlsInjectedLines,
    StlsCommandInjection,
    IgnorePipelining,
    LfLineEnds,
    DuplicateUidl,
    UidlWithSpace,
    UidlTooLong,
    UnstableUidl,
    CapaMissing,
    TopIgnoresLines,
    LongResponseLine,
    NoResponseCodes,
    NoImplicitTls,
    UntrustedCertificate,
};

/// A set of commands, one bit per CommandId.
using CommandMask = std::uint32_t;

constexpr CommandMask commandBit(CommandId id) {
    return CommandMask{1} << static_cast<unsigned>(id);
}

inline constexpr CommandMask kAnyCommand = ~CommandMask{0};

/// One row of the fault table.
struct FaultSpec {
    Fault fault;
    /// The name used in scenarios (`fault: noByteStuffing`).
    std::string_view name;
    /// The commands a rule carrying this fault may name (a rule on "*" applies it wherever it
    /// makes sense); none for a fault that acts on the greeting only.
    CommandMask commands;
    /// Whether the fault can act on the greeting.
    bool greeting;
    /// The rule it breaks.
    std::string_view rfc;
    /// What the mock does.
    std::string_view summary;

    bool appliesTo(CommandId id) const { return (commands & commandBit(id)) != 0; }
};

// clang-format off
inline constexpr std::array<FaultSpec, 26> kFaultTable{{
    {Fault::NoByteStuffing, "noByteStuffing",
     commandBit(CommandId::Retr) | commandBit(CommandId::Top), false, "RFC 1939 §3",
     "RETR and TOP send lines that begin with '.' without doubling the dot"},
    {Fault::NoTerminator, "noTerminator",
     commandBit(CommandId::Capa) | commandBit(CommandId::List) | commandBit(CommandId::Uidl) |
         commandBit(CommandId::Retr) | commandBit(CommandId::Top),
     false, "RFC 1939 §3",
     "multi-line responses end without the terminating '.' line"},
    {Fault::WrongSize, "wrongSize",
     commandBit(CommandId::List) | commandBit(CommandId::Stat), false, "RFC 1939 §5",
     "LIST and STAT report every message one octet larger than RETR sends it"},
    {Fault::WrongCount, "wrongCount", commandBit(CommandId::Stat), false, "RFC 1939 §5",
     "STAT reports one message more than the maildrop holds"},
    {Fault::DeleteWithoutQuit, "deleteWithoutQuit", commandBit(CommandId::Dele), false,
     "RFC 1939 §6",
     "DELE removes the message at once: it stays removed without QUIT, and RSET does not bring it back"},
    {Fault::DeletedStillListed, "deletedStillListed",
     commandBit(CommandId::List) | commandBit(CommandId::Stat) | commandBit(CommandId::Uidl),
     false, "RFC 1939 §5", "LIST, UIDL and STAT still count messages marked deleted"},
    {Fault::DeletedStillAccessible, "deletedStillAccessible",
     commandBit(CommandId::Retr) | commandBit(CommandId::Top) | commandBit(CommandId::Dele),
     false, "RFC 1939 §5",
     "RETR, TOP and DELE of a message marked deleted succeed instead of answering -ERR"},
    {Fault::RsetKeepsMarks, "rsetKeepsMarks", commandBit(CommandId::Rset), false, "RFC 1939 §5",
     "RSET answers +OK but keeps the deletion marks"},
    {Fault::QuitWithoutUpdate, "quitWithoutUpdate", commandBit(CommandId::Quit), false,
     "RFC 1939 §6", "QUIT answers +OK but deletes nothing"},
    {Fault::UpdateRemovesUnmarked, "updateRemovesUnmarked", commandBit(CommandId::Quit), false,
     "RFC 1939 §6", "QUIT also removes the first message that was not marked deleted"},
    {Fault::QuitKeepsLock, "quitKeepsLock", commandBit(CommandId::Quit), false, "RFC 1939 §6",
     "QUIT keeps the maildrop locked: later logins of the user get -ERR [IN-USE]"},
    {Fault::StlsWithoutTls, "stlsWithoutTls", commandBit(CommandId::Stls), false, "RFC 2595 §4",
     "STLS answers +OK but the connection stays plaintext"},
    {Fault::StlsInjectedLines, "stlsInjectedLines", commandBit(CommandId::Stls), false,
     "RFC 2595 §4",
     "the +OK to STLS is followed, before the handshake, by '+OK injected' in the same segment"},
    {Fault::StlsCommandInjection, "stlsCommandInjection", commandBit(CommandId::Stls), false,
     "RFC 2595 §4",
     "commands pipelined after STLS in plaintext are answered inside TLS instead of discarded"},
    {Fault::IgnorePipelining, "ignorePipelining", kAnyCommand, false, "RFC 2449 §6.6",
     "only the first command of each received segment is answered; the rest are dropped"},
    {Fault::LfLineEnds, "lfLineEnds", kAnyCommand, true, "RFC 1939 §3",
     "response lines end with LF instead of CRLF"},
    {Fault::DuplicateUidl, "duplicateUidl", commandBit(CommandId::Uidl), false, "RFC 1939 §7",
     "UIDL gives the second message the first message's unique-id"},
    {Fault::UidlWithSpace, "uidlWithSpace", commandBit(CommandId::Uidl), false, "RFC 1939 §7",
     "unique-ids contain a space (outside 0x21..0x7E)"},
    {Fault::UidlTooLong, "uidlTooLong", commandBit(CommandId::Uidl), false, "RFC 1939 §7",
     "unique-ids are 71 characters long (the limit is 70)"},
    {Fault::UnstableUidl, "unstableUidl", commandBit(CommandId::Uidl), false, "RFC 1939 §7",
     "unique-ids change from one session to the next"},
    {Fault::CapaMissing, "capaMissing", commandBit(CommandId::Capa), false, "RFC 2449 §5",
     "CAPA is answered -ERR, as by a server without RFC 2449"},
    {Fault::TopIgnoresLines, "topIgnoresLines", commandBit(CommandId::Top), false,
     "RFC 1939 §7", "TOP sends the whole message whatever line count was asked for"},
    {Fault::LongResponseLine, "longResponseLine", kAnyCommand, true, "RFC 2449 §4",
     "status lines are padded to 600 octets (the limit is 512)"},
    {Fault::NoResponseCodes, "noResponseCodes", kAnyCommand, false, "RFC 2449 §8, RFC 3206",
     "-ERR replies leave out their response codes ([AUTH], [IN-USE], [SYS/TEMP], ...)"},
    {Fault::NoImplicitTls, "noImplicitTls", 0, true, "RFC 8314 §3.1",
     "the implicit-TLS port speaks plaintext: the greeting comes at once, with no TLS handshake"},
    {Fault::UntrustedCertificate, "untrustedCertificate", 0, true, "RFC 8314 §4.4",
     "TLS uses another self-signed certificate than the one clients are told to trust"},
}};
// clang-format on

/// The row for `fault` (every fault has one).
const FaultSpec& faultSpec(Fault fault);

/// The row named `name` (exact, case-sensitive), or nullptr.
const FaultSpec* findFault(std::string_view name);

/// The scenario name of `fault`.
std::string_view toString(Fault fault);

} // namespace pop3::mock
