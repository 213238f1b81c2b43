#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "CommandLineError.h"
#include "MailboxUrl.h"

namespace pop3::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// The message of the CommandLineError that parsing `url` throws.
std::string errorOf(const std::string& url) {
    try {
        MailboxUrl::parse(url);
    } catch (const CommandLineError& e) {
        return e.what();
    }
    ADD_FAILURE() << url << " was accepted";
    return {};
}

TEST(MailboxUrlTest, PlainUrlWithEverything) {
    const MailboxUrl url = MailboxUrl::parse("pop3://alice:secret@mail.example.org:1110");
    EXPECT_FALSE(url.implicitTls);
    EXPECT_EQ(url.user, "alice");
    EXPECT_EQ(url.password, "secret");
    EXPECT_EQ(url.host, "mail.example.org");
    EXPECT_EQ(url.port, 1110);
}

TEST(MailboxUrlTest, Pop3sIsImplicitTlsAndPortDefaultsToZero) {
    const MailboxUrl url = MailboxUrl::parse("POP3S://bob@mail.example.org/");
    EXPECT_TRUE(url.implicitTls);
    EXPECT_EQ(url.user, "bob");
    EXPECT_FALSE(url.password.has_value());
    EXPECT_EQ(url.port, 0) << "pop3::Client picks 995 for implicit TLS";
}

TEST(MailboxUrlTest, UserAndPasswordArePercentDecoded) {
    const MailboxUrl url = MailboxUrl::parse("pop3://alice%40example.org:p%3Aw%40%25d@[::1]:2110");
    EXPECT_EQ(url.user, "alice@example.org");
    EXPECT_EQ(url.password, "p:w@%d");
    EXPECT_EQ(url.host, "::1");
    EXPECT_EQ(url.port, 2110);
}

TEST(MailboxUrlTest, MalformedUrlsAreUsageErrors) {
    EXPECT_THAT(errorOf("imap://alice@host"), HasSubstr("pop3://"));
    EXPECT_THAT(errorOf("alice@host"), HasSubstr("pop3://"));
    EXPECT_THAT(errorOf("pop3://host"), HasSubstr("no user name"));
    EXPECT_THAT(errorOf("pop3://:pw@host"), HasSubstr("no user name"));
    EXPECT_THAT(errorOf("pop3://alice@"), HasSubstr("no host"));
    EXPECT_THAT(errorOf("pop3://alice@host:99999"), HasSubstr("malformed"));
    EXPECT_THAT(errorOf("pop3://alice@host:port"), HasSubstr("malformed"));
    EXPECT_THAT(errorOf("pop3://alice@host/INBOX"), HasSubstr("path"));
    EXPECT_THAT(errorOf("pop3://alice@host?x=1"), HasSubstr("query"));
    EXPECT_THAT(errorOf("pop3://alice%4@host"), HasSubstr("percent-encoding"));
}

TEST(MailboxUrlTest, UnencodedAtInThePasswordIsRefusedNotTruncated) {
    EXPECT_THAT(errorOf("pop3://alice:p@ss@host"), HasSubstr("%40"));
}

TEST(MailboxUrlTest, ControlCharactersCannotInjectCommands) {
    EXPECT_THAT(errorOf("pop3://alice%0D%0ADELE%201@host"), HasSubstr("control characters"));
    EXPECT_THAT(errorOf("pop3://alice:pw%0A@host"), HasSubstr("control characters"));
}

TEST(MailboxUrlTest, ErrorsDoNotEchoThePassword) {
    EXPECT_THAT(errorOf("pop3://alice:hunter2@host:99999"), Not(HasSubstr("hunter2")));
}

} // namespace
} // namespace pop3::cli
