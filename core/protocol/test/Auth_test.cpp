#include "pop3/Auth.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

using namespace std::string_literals;
using pop3::AuthMethod;
using pop3::Credentials;

namespace {

constexpr std::string_view kRfc1939Timestamp = "<1896.697170952@dbc.mtview.ca.us>";
constexpr std::string_view kRfc1939Secret = "tanstaaf";
constexpr std::string_view kRfc1939Digest = "c4c9334bac560ecc979e58001b3e22fb";

constexpr std::string_view kRfc2195Challenge = "<1896.697170952@postoffice.reston.mci.net>";
constexpr std::string_view kRfc2195Secret = "tanstaaftanstaaf";
constexpr std::string_view kRfc2195Digest = "b913a602c7eda7a495b4e6e7334d3890";

} // namespace

TEST(AuthMethodTest, ToStringNamesEveryMethod) {
    EXPECT_EQ(pop3::toString(AuthMethod::UserPass), "USER/PASS");
    EXPECT_EQ(pop3::toString(AuthMethod::Apop), "APOP");
    EXPECT_EQ(pop3::toString(AuthMethod::SaslPlain), "PLAIN");
    EXPECT_EQ(pop3::toString(AuthMethod::SaslLogin), "LOGIN");
    EXPECT_EQ(pop3::toString(AuthMethod::SaslCramMd5), "CRAM-MD5");
}

// --- APOP -----------------------------------------------------------------------------------

TEST(ApopTest, Rfc1939Section7ExampleDigest) {
    EXPECT_EQ(pop3::apopDigest(kRfc1939Timestamp, kRfc1939Secret), kRfc1939Digest);
}

TEST(ApopTest, EmptyInputsGiveMd5OfNothing) {
    EXPECT_EQ(pop3::apopDigest("", ""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(ApopTest, DigestDependsOnTimestamp) {
    EXPECT_NE(pop3::apopDigest("<1896.697170953@dbc.mtview.ca.us>", kRfc1939Secret),
              kRfc1939Digest);
}

TEST(ApopTest, ExtractsRfc1939GreetingTimestamp) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
              std::string(kRfc1939Timestamp));
}

TEST(ApopTest, ExtractsTimestampFollowedByText) {
    EXPECT_EQ(pop3::extractApopTimestamp("POP3 <1.2@host> ready"), "<1.2@host>");
}

TEST(ApopTest, GreetingWithoutTimestampHasNone) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK POP3 server ready"), std::nullopt);
    EXPECT_EQ(pop3::extractApopTimestamp(""), std::nullopt);
}

TEST(ApopTest, BracketsWithSpaceAreNotATimestamp) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK ready <a b@c>"), std::nullopt);
}

TEST(ApopTest, BracketsWithTabAreNotATimestamp) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK ready <a\tb@c>"), std::nullopt);
}

TEST(ApopTest, BracketsWithoutAtAreNotATimestamp) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK <nonsense> ready"), std::nullopt);
}

TEST(ApopTest, AtMustHaveBothSides) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK <@host>"), std::nullopt);
    EXPECT_EQ(pop3::extractApopTimestamp("+OK <local@>"), std::nullopt);
    EXPECT_EQ(pop3::extractApopTimestamp("+OK <>"), std::nullopt);
}

TEST(ApopTest, UnterminatedBracketIsNotATimestamp) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK <1896.697170952@dbc.mtview.ca.us"), std::nullopt);
}

TEST(ApopTest, SkipsNonQualifyingBracketsBeforeTimestamp) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK <Dovecot> <a b@c> <1.2@host>"), "<1.2@host>");
}

TEST(ApopTest, NestedOpenBracketRestartsCandidate) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK <x<1.2@host>"), "<1.2@host>");
}

TEST(ApopTest, TakesFirstOfSeveralTimestamps) {
    EXPECT_EQ(pop3::extractApopTimestamp("+OK <1@a> <2@b>"), "<1@a>");
}

// --- CRAM-MD5 / HMAC-MD5 --------------------------------------------------------------------

TEST(CramMd5Test, Rfc2195ExampleDigest) {
    EXPECT_EQ(pop3::cramMd5Digest(kRfc2195Challenge, kRfc2195Secret), kRfc2195Digest);
}

TEST(CramMd5Test, Rfc2202ShortKeyVector) {
    EXPECT_EQ(pop3::cramMd5Digest("what do ya want for nothing?", "Jefe"),
              "750c783e6ab0b503eaa86e310a5db738");
}

TEST(CramMd5Test, Rfc2202KeyLongerThanBlockIsHashedFirst) {
    EXPECT_EQ(pop3::cramMd5Digest("Test Using Larger Than Block-Size Key - Hash Key First",
                                  std::string(80, '\xaa')),
              "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
}

TEST(CramMd5Test, EmptyKeyAndMessage) {
    EXPECT_EQ(pop3::cramMd5Digest("", ""), "74e6f7298a9c2d168935f58c001bad88");
}

// --- Base64 ---------------------------------------------------------------------------------

TEST(Base64Test, EncodesRfc4648Section10Vectors) {
    EXPECT_EQ(pop3::encodeBase64(""), "");
    EXPECT_EQ(pop3::encodeBase64("f"), "Zg==");
    EXPECT_EQ(pop3::encodeBase64("fo"), "Zm8=");
    EXPECT_EQ(pop3::encodeBase64("foo"), "Zm9v");
    EXPECT_EQ(pop3::encodeBase64("foob"), "Zm9vYg==");
    EXPECT_EQ(pop3::encodeBase64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(pop3::encodeBase64("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648Section10Vectors) {
    EXPECT_EQ(pop3::decodeBase64("Zg=="), "f");
    EXPECT_EQ(pop3::decodeBase64("Zm8="), "fo");
    EXPECT_EQ(pop3::decodeBase64("Zm9v"), "foo");
    EXPECT_EQ(pop3::decodeBase64("Zm9vYg=="), "foob");
    EXPECT_EQ(pop3::decodeBase64("Zm9vYmE="), "fooba");
    EXPECT_EQ(pop3::decodeBase64("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, EmptyDecodesToEmpty) {
    EXPECT_EQ(pop3::decodeBase64(""), "");
}

TEST(Base64Test, EncodesLongInputWithoutLineBreaks) {
    const std::string encoded = pop3::encodeBase64(std::string(300, 'x'));
    EXPECT_EQ(encoded.size(), 400u);
    EXPECT_EQ(encoded.find_first_of("\r\n"), std::string::npos);
}

TEST(Base64Test, RoundTripsEveryOctet) {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all.push_back(static_cast<char>(i));
    const std::string encoded = pop3::encodeBase64(all);
    EXPECT_EQ(encoded.substr(0, 8), "AAECAwQF");
    EXPECT_EQ(encoded.substr(encoded.size() - 8), "/P3+/w==");
    EXPECT_EQ(pop3::decodeBase64(encoded), all);
}

TEST(Base64Test, RoundTripsEveryLengthUpTo64) {
    std::string data;
    for (int length = 0; length <= 64; ++length) {
        const std::string encoded = pop3::encodeBase64(data);
        EXPECT_EQ(encoded.size(), (data.size() + 2) / 3 * 4);
        EXPECT_EQ(pop3::decodeBase64(encoded), data) << length;
        data.push_back(static_cast<char>(0xff - length * 7));
    }
}

TEST(Base64Test, DecodesOnlyCanonicalSpellingOfEachOctet) {
    // Of the 64 two-symbol spellings "Xy==" starting with "A", exactly the 4 with zero
    // trailing bits ("AA==", "AQ==", "Ag==", "Aw==") decode.
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int accepted = 0;
    for (char c : alphabet) {
        if (pop3::decodeBase64(std::string("A") + c + "=="))
            ++accepted;
    }
    EXPECT_EQ(accepted, 4);
}

TEST(Base64Test, RejectsCharactersOutsideAlphabet) {
    EXPECT_EQ(pop3::decodeBase64("Zm9!"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9v*AAA"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm\x80v"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm\0v"s), std::nullopt);
}

TEST(Base64Test, RejectsUrlSafeAlphabet) {
    EXPECT_EQ(pop3::decodeBase64("-_-_"), std::nullopt);
}

TEST(Base64Test, RejectsLengthNotMultipleOfFour) {
    EXPECT_EQ(pop3::decodeBase64("Z"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zg"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9vY"), std::nullopt);
}

TEST(Base64Test, RejectsMissingPadding) {
    EXPECT_EQ(pop3::decodeBase64("Zg="), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9vYg"), std::nullopt);
}

TEST(Base64Test, RejectsExtraPadding) {
    EXPECT_EQ(pop3::decodeBase64("Zg==="), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Z==="), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("===="), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("="), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9v===="), std::nullopt);
}

TEST(Base64Test, RejectsPaddingInTheMiddle) {
    EXPECT_EQ(pop3::decodeBase64("Zg==Zm9v"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm=v"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Z=g="), std::nullopt);
}

TEST(Base64Test, RejectsWhitespace) {
    EXPECT_EQ(pop3::decodeBase64(" Zm9v"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9v "), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm 9v"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9\tv"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9v\r\n"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9v\nZm9v"), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("    "), std::nullopt);
}

TEST(Base64Test, RejectsNonZeroTrailingBits) {
    // "Zh==" and "Zm9=" are non-canonical spellings of "f" and "fo" (RFC 4648 §3.5).
    EXPECT_EQ(pop3::decodeBase64("Zh=="), std::nullopt);
    EXPECT_EQ(pop3::decodeBase64("Zm9="), std::nullopt);
}

// --- constantTimeEquals ---------------------------------------------------------------------

TEST(AuthConstantTimeEqualsTest, EqualStrings) {
    EXPECT_TRUE(pop3::constantTimeEquals("secret", "secret"));
    EXPECT_TRUE(pop3::constantTimeEquals("", ""));
    EXPECT_TRUE(pop3::constantTimeEquals("a\0b"s, "a\0b"s));
}

TEST(AuthConstantTimeEqualsTest, DifferentStrings) {
    EXPECT_FALSE(pop3::constantTimeEquals("secret", "secreT"));
    EXPECT_FALSE(pop3::constantTimeEquals("secret", "Secret"));
    EXPECT_FALSE(pop3::constantTimeEquals("a\0b"s, "a\0c"s));
}

TEST(AuthConstantTimeEqualsTest, DifferentLengths) {
    EXPECT_FALSE(pop3::constantTimeEquals("secret", "secrets"));
    EXPECT_FALSE(pop3::constantTimeEquals("secrets", "secret"));
    EXPECT_FALSE(pop3::constantTimeEquals("", "x"));
    EXPECT_FALSE(pop3::constantTimeEquals("x", ""));
    // A trailing NUL must not pass for the end of the shorter string.
    EXPECT_FALSE(pop3::constantTimeEquals("a\0"s, "a"));
    EXPECT_FALSE(pop3::constantTimeEquals("a", "a\0"s));
}

// --- Credentials::matches -------------------------------------------------------------------

TEST(CredentialsTest, PlaintextMethodsComparePassword) {
    for (AuthMethod method : {AuthMethod::UserPass, AuthMethod::SaslPlain, AuthMethod::SaslLogin}) {
        Credentials credentials;
        credentials.method = method;
        credentials.username = "mrose";
        credentials.password = "tanstaaf";
        EXPECT_TRUE(credentials.matches("tanstaaf")) << pop3::toString(method);
        EXPECT_FALSE(credentials.matches("wrong")) << pop3::toString(method);
        EXPECT_FALSE(credentials.matches("tanstaa")) << pop3::toString(method);
        EXPECT_FALSE(credentials.matches("")) << pop3::toString(method);
    }
}

TEST(CredentialsTest, ApopMatchesRfc1939Example) {
    Credentials credentials;
    credentials.method = AuthMethod::Apop;
    credentials.username = "mrose";
    credentials.challenge = kRfc1939Timestamp;
    credentials.digest = kRfc1939Digest;
    EXPECT_TRUE(credentials.matches(kRfc1939Secret));
    EXPECT_FALSE(credentials.matches("wrong"));
}

TEST(CredentialsTest, ApopDoesNotCompareDigestAsPassword) {
    Credentials credentials;
    credentials.method = AuthMethod::Apop;
    credentials.challenge = kRfc1939Timestamp;
    credentials.digest = kRfc1939Digest;
    EXPECT_FALSE(credentials.matches(kRfc1939Digest));
}

TEST(CredentialsTest, DigestComparisonIgnoresHexCase) {
    Credentials credentials;
    credentials.method = AuthMethod::Apop;
    credentials.challenge = kRfc1939Timestamp;
    credentials.digest = "C4C9334BAC560ECC979E58001B3E22FB";
    EXPECT_TRUE(credentials.matches(kRfc1939Secret));
}

TEST(CredentialsTest, ApopWithoutTimestampNeverMatches) {
    Credentials credentials;
    credentials.method = AuthMethod::Apop;
    credentials.digest = pop3::apopDigest("", kRfc1939Secret);
    EXPECT_FALSE(credentials.matches(kRfc1939Secret));
}

TEST(CredentialsTest, CramMd5MatchesRfc2195Example) {
    Credentials credentials;
    credentials.method = AuthMethod::SaslCramMd5;
    credentials.username = "tim";
    credentials.challenge = kRfc2195Challenge;
    credentials.digest = kRfc2195Digest;
    EXPECT_TRUE(credentials.matches(kRfc2195Secret));
    EXPECT_FALSE(credentials.matches("wrong"));
    EXPECT_FALSE(credentials.matches(""));
}

TEST(CredentialsTest, CramMd5IsNotApop) {
    Credentials credentials;
    credentials.method = AuthMethod::SaslCramMd5;
    credentials.challenge = kRfc1939Timestamp;
    credentials.digest = kRfc1939Digest;
    EXPECT_FALSE(credentials.matches(kRfc1939Secret));
}

TEST(CredentialsTest, EmptyDigestNeverMatches) {
    Credentials credentials;
    credentials.method = AuthMethod::SaslCramMd5;
    credentials.challenge = kRfc2195Challenge;
    EXPECT_FALSE(credentials.matches(kRfc2195Secret));
    EXPECT_FALSE(credentials.matches(""));
}
