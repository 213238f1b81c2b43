#include "pop3/Message.h"
#include "pop3/mock/MessageGenerator.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace {

using pop3::mock::MessageGenerator;

TEST(ScenarioMessageGeneratorTest, SizeIsExactForEverySize) {
    for (std::uint64_t size = MessageGenerator::kMinSize; size < MessageGenerator::kMinSize + 600;
         ++size) {
        const std::string text = MessageGenerator::generate(3, size, size);
        ASSERT_EQ(size, text.size()) << size;
        ASSERT_EQ(size, pop3::measureMessage(text).octets) << size;
    }
    for (std::uint64_t size : {4096u, 65537u, 1000000u})
        EXPECT_EQ(size, pop3::measureMessage(MessageGenerator::generate(9, 1, size)).octets);
}

TEST(ScenarioMessageGeneratorTest, SmallestMessageIsHeadersAndBlankLine) {
    const std::string text = MessageGenerator::generate(1, 0, 0);
    EXPECT_EQ(MessageGenerator::kMinSize, text.size());
    EXPECT_EQ("\r\n\r\n", text.substr(text.size() - 4));
}

TEST(ScenarioMessageGeneratorTest, DeterministicPerSeedAndOrdinal) {
    EXPECT_EQ(MessageGenerator::generate(42, 7, 3000), MessageGenerator::generate(42, 7, 3000));
    EXPECT_NE(MessageGenerator::generate(42, 7, 3000), MessageGenerator::generate(43, 7, 3000));
    EXPECT_NE(MessageGenerator::generate(42, 7, 3000), MessageGenerator::generate(42, 8, 3000));
}

TEST(ScenarioMessageGeneratorTest, WellFormedCrlfLinesWithDotLines) {
    const std::string text = MessageGenerator::generate(5, 12, 20000);
    std::istringstream in(text);
    std::string line;
    bool inHeaders = true;
    int dotLines = 0;
    while (std::getline(in, line)) {
        ASSERT_FALSE(line.empty());
        ASSERT_EQ('\r', line.back()) << "bare LF";
        line.pop_back();
        ASSERT_LE(line.size() + 2, 78u);
        ASSERT_EQ(std::string::npos, line.find('\r'));
        if (inHeaders && line.empty())
            inHeaders = false;
        else if (inHeaders)
            ASSERT_NE(std::string::npos, line.find(": ")) << line;
        else if (!line.empty() && line[0] == '.')
            ++dotLines;
    }
    EXPECT_FALSE(inHeaders);
    EXPECT_GT(dotLines, 0);
    EXPECT_NE(std::string::npos, text.find("Message-ID: <0000000000000005.0000000012@"));
}

} // namespace
