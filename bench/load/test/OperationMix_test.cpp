#include "pop3/load/OperationMix.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace pop3::load {
namespace {

std::string parseError(const std::string& text) {
    try {
        OperationMix::parse(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST(OperationMix, ParsesWeightsAndPrintsThemCanonically) {
    const OperationMix mix = OperationMix::parse(" retr=60, top=20,uidl=10 ,dele=10,noop=0");
    EXPECT_EQ(mix.totalWeight(), 100u);
    EXPECT_EQ(mix.toString(), "retr=60,top=20,uidl=10,dele=10");
    EXPECT_EQ(mix.weights().size(), 4u);
}

TEST(OperationMix, PicksEachOperationInProportionToItsWeight) {
    const OperationMix mix = OperationMix::parse("retr=3,noop=1");
    std::map<Operation, int> picks;
    for (std::uint64_t random = 0; random < 400; ++random)
        ++picks[mix.pick(random)];
    EXPECT_EQ(picks[Operation::retr], 300);
    EXPECT_EQ(picks[Operation::noop], 100);
}

TEST(OperationMix, RejectsWhatCannotBeAMixWithTheReason) {
    EXPECT_NE(parseError("fetch=10").find("unknown operation 'fetch'"), std::string::npos);
    EXPECT_NE(parseError("retr").find("expected OPERATION=WEIGHT"), std::string::npos);
    EXPECT_NE(parseError("retr=ten").find("whole number"), std::string::npos);
    EXPECT_NE(parseError("retr=-1").find("whole number"), std::string::npos);
    EXPECT_NE(parseError("retr=1,retr=2").find("given twice"), std::string::npos);
    EXPECT_NE(parseError("retr=0").find("at least one operation"), std::string::npos);
    EXPECT_NE(parseError("").find("at least one operation"), std::string::npos);
}

} // namespace
} // namespace pop3::load
