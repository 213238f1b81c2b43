#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "UidlState.h"

namespace pop3::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(UidlStateTest, MissingFileIsAnEmptyState) {
    EXPECT_THAT(UidlState::load("/nonexistent/uidls"), IsEmpty());
}

TEST(UidlStateTest, SaveThenLoadRoundTripsAndToleratesCrlf) {
    Poco::TemporaryFile dir;
    dir.createDirectories();
    const std::string file = Poco::Path(Poco::Path::forDirectory(dir.path()), "state").toString();
    UidlState::save(file, {"b", "a"});
    EXPECT_THAT(UidlState::load(file), ElementsAre("a", "b"));
    std::ofstream(file, std::ios::binary) << "x\r\n\r\ny\n";
    EXPECT_THAT(UidlState::load(file), ElementsAre("x", "y"));
}

TEST(UidlStateTest, SaveIntoAMissingFolderFailsAndLeavesNothing) {
    EXPECT_ANY_THROW(UidlState::save("/nonexistent/folder/state", {"a"}));
}

} // namespace
} // namespace pop3::cli
