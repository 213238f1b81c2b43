#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "ProgressBar.h"

namespace pop3::cli {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

TEST(ProgressBarTest, DrawsInPlaceAndOnlyWhenThePercentageChanges) {
    std::ostringstream out;
    ProgressBar bar(out, 10);
    bar.startMessage(1, 3, 200);
    EXPECT_EQ(out.str(), "\r[2/3] [          ]   0% 0/200 octets        ");
    out.str("");
    bar.update(100, 200);
    EXPECT_EQ(out.str(), "\r[2/3] [#####     ]  50% 100/200 octets        ");
    out.str("");
    bar.update(101, 200);
    EXPECT_EQ(out.str(), "") << "still 50%";
    bar.update(200, 0);
    EXPECT_THAT(out.str(), HasSubstr("[##########] 100% 200/200 octets"));
    bar.finish();
    EXPECT_THAT(out.str(), EndsWith("\n"));
}

TEST(ProgressBarTest, FinishWithoutDrawingWritesNothing) {
    std::ostringstream out;
    ProgressBar bar(out);
    bar.finish();
    EXPECT_EQ(out.str(), "");
}

} // namespace
} // namespace pop3::cli
