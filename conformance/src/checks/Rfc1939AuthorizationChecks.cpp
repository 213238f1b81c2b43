// RFC 1939 §3 (framing), §4 (AUTHORIZATION state) and §7's USER, PASS, APOP and QUIT.
#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

namespace pop3::conformance {

namespace {

void greetingIsOk(CheckContext& c) {
    Probe probe = c.connect();
    const Reply& greeting = probe.greeting();
    c.expect(greeting.ok(), "the greeting is not +OK", "+OK ...", greeting.describe());
    probe.quit();
}

void transactionCommandsRefusedBeforeLogin(CheckContext& c) {
    Probe probe = c.connect();
    for (const char* line : {"STAT", "LIST", "RETR 1", "DELE 1", "NOOP", "RSET", "TOP 1 0", "UIDL",
                             "LIST 1", "UIDL 1"}) {
        const Reply reply = probe.command(line);
        c.expectErr(reply, std::string(line) + " before login");
    }
    probe.quit();
}

} // namespace

std::vector<Check> rfc1939AuthorizationChecks() {
    return {
        {{"rfc1939-4-greeting-ok", "1939", "4", Level::must,
          "The greeting is one +OK line sent as soon as the connection opens",
          "Once the TCP connection has been opened by a POP3 client, the POP3 server issues a "
          "one line greeting.",
          0,
          "rules:\n"
          "  - {command: greeting, reply: \"-ERR not now\"}\n"},
         greetingIsOk},
        {{"rfc1939-3-transaction-commands-need-login", "1939", "3", Level::must,
          "STAT, LIST, RETR, DELE, NOOP, RSET, TOP and UIDL before login get -ERR",
          "Each POP3 command is valid in particular states; in the AUTHORIZATION state the "
          "TRANSACTION commands are not available.",
          0,
          "rules:\n"
          "  - {command: NOOP, reply: \"+OK\"}\n"},
         transactionCommandsRefusedBeforeLogin},
    };
}

} // namespace pop3::conformance
