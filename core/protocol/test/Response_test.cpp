#include "pop3/Response.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace {

using pop3::isValidResponseCode;
using pop3::splitResponseCode;

std::pair<std::string, std::string> split(std::string_view text) {
    std::string code = "stale";
    std::string rest = "stale";
    splitResponseCode(text, code, rest);
    return {code, rest};
}

using Split = std::pair<std::string, std::string>;

TEST(ResponseCodeTest, Rfc2449Section8SplitsCodeFromText) {
    EXPECT_EQ(split("[SYS/TEMP] try later"), Split("SYS/TEMP", "try later"));
    EXPECT_EQ(split("[IN-USE] mailbox locked"), Split("IN-USE", "mailbox locked"));
    EXPECT_EQ(split("[LOGIN-DELAY] wait 900 seconds"), Split("LOGIN-DELAY", "wait 900 seconds"));
    EXPECT_EQ(split("[AUTH] bad password"), Split("AUTH", "bad password"));
}

TEST(ResponseCodeTest, CodeWithoutTextLeavesRestEmpty) {
    EXPECT_EQ(split("[SYS/PERM]"), Split("SYS/PERM", ""));
    EXPECT_EQ(split("[UTF8] "), Split("UTF8", ""));
}

TEST(ResponseCodeTest, RemovesExactlyOneSeparatingSpace) {
    EXPECT_EQ(split("[AUTH]  two spaces"), Split("AUTH", " two spaces"));
    // RFC 2449 §8: resp-code *CHAR, so text may follow the "]" directly.
    EXPECT_EQ(split("[AUTH]text"), Split("AUTH", "text"));
}

TEST(ResponseCodeTest, AcceptsMultiLevelAndUnknownCodes) {
    EXPECT_EQ(split("[A/B/C] x"), Split("A/B/C", "x"));
    EXPECT_EQ(split("[X-VENDOR.1/~!] x"), Split("X-VENDOR.1/~!", "x"));
}

TEST(ResponseCodeTest, TextWithoutCodeIsAllRest) {
    EXPECT_EQ(split(""), Split("", ""));
    EXPECT_EQ(split("hello"), Split("", "hello"));
    EXPECT_EQ(split(" [AUTH] leading space"), Split("", " [AUTH] leading space"));
    EXPECT_EQ(split("text [AUTH]"), Split("", "text [AUTH]"));
}

TEST(ResponseCodeTest, Rfc2449Section8MalformedCodeIsPartOfText) {
    for (const std::string_view text :
         {"[] empty", "[/A] x", "[A/] x", "[A//B] x", "[A B] x", "[A", "[A[B] x", "[A\tB] x",
          "[A\x7f] x", "[\xc3\x84] x", "[/] x"}) {
        EXPECT_EQ(split(text), Split("", std::string(text))) << text;
    }
}

TEST(ResponseCodeTest, SplitMayReuseItsOutputAsInput) {
    std::string code;
    std::string rest = "[SYS/TEMP] later";
    splitResponseCode(rest, code, rest);
    EXPECT_EQ(code, "SYS/TEMP");
    EXPECT_EQ(rest, "later");
}

TEST(ResponseCodeTest, KnownCodesAreValid) {
    for (const auto code : {pop3::codes::kInUse, pop3::codes::kLoginDelay, pop3::codes::kSysTemp,
                            pop3::codes::kSysPerm, pop3::codes::kAuth, pop3::codes::kUtf8}) {
        EXPECT_TRUE(isValidResponseCode(code)) << code;
    }
}

TEST(ResponseCodeTest, Rfc2449Section8RejectsMalformedCodes) {
    EXPECT_FALSE(isValidResponseCode(""));
    EXPECT_FALSE(isValidResponseCode("/"));
    EXPECT_FALSE(isValidResponseCode("/A"));
    EXPECT_FALSE(isValidResponseCode("A/"));
    EXPECT_FALSE(isValidResponseCode("A//B"));
    EXPECT_FALSE(isValidResponseCode("A B"));
    EXPECT_FALSE(isValidResponseCode("[A]"));
    EXPECT_FALSE(isValidResponseCode("A]"));
    EXPECT_FALSE(isValidResponseCode(std::string_view("A\0", 2)));
    EXPECT_FALSE(isValidResponseCode("A\r"));
    EXPECT_FALSE(isValidResponseCode("\x7f"));
    EXPECT_FALSE(isValidResponseCode("\xc3\xa9"));
    EXPECT_TRUE(isValidResponseCode("A"));
    EXPECT_TRUE(isValidResponseCode("!/~"));
}

TEST(ResponseStatusLineTest, OkReflectsStatus) {
    pop3::StatusLine line;
    EXPECT_FALSE(line.ok());
    line.status = pop3::Status::Ok;
    EXPECT_TRUE(line.ok());
}

} // namespace
