#include "pop3/mock/Fault.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

using namespace pop3::mock;

TEST(ScenarioFaultTest, TableHasOneRowPerFaultWithUniqueNames) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < kFaultTable.size(); ++i) {
        const FaultSpec& spec = kFaultTable[i];
        EXPECT_EQ(i, static_cast<std::size_t>(spec.fault)) << spec.name << " is out of order";
        EXPECT_TRUE(names.emplace(spec.name).second) << spec.name;
        EXPECT_TRUE(spec.commands != 0 || spec.greeting) << spec.name;
        EXPECT_FALSE(spec.rfc.empty());
        EXPECT_FALSE(spec.summary.empty());
    }
}

TEST(ScenarioFaultTest, LookupByNameAndBack) {
    for (const FaultSpec& spec : kFaultTable) {
        ASSERT_EQ(&spec, findFault(spec.name));
        EXPECT_EQ(spec.name, toString(spec.fault));
        EXPECT_EQ(&spec, &faultSpec(spec.fault));
    }
    EXPECT_EQ(nullptr, findFault("NoByteStuffing"));
    EXPECT_EQ(nullptr, findFault(""));
}

TEST(ScenarioFaultTest, CommandsOfAFault) {
    const FaultSpec& stls = faultSpec(Fault::StlsWithoutTls);
    EXPECT_TRUE(stls.appliesTo(pop3::CommandId::Stls));
    EXPECT_FALSE(stls.appliesTo(pop3::CommandId::Retr));
    EXPECT_TRUE(faultSpec(Fault::LfLineEnds).appliesTo(pop3::CommandId::Quit));
    EXPECT_TRUE(faultSpec(Fault::LfLineEnds).greeting);
}

} // namespace
