#include "pop3/load/LatencyHistogram.h"

#include <gtest/gtest.h>

namespace pop3::load {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(LatencyHistogram, PercentilesAreWithinOneThirtySecondOfTheTrueValue) {
    LatencyHistogram histogram;
    for (int i = 1; i <= 1000; ++i)
        histogram.record(microseconds(i * 10)); // 10 µs .. 10 ms
    EXPECT_EQ(histogram.count(), 1000u);
    const auto near = [](nanoseconds actual, nanoseconds expected) {
        const double ratio = static_cast<double>(actual.count()) / expected.count();
        return ratio >= 1.0 && ratio <= 1.0 + 1.0 / 32;
    };
    EXPECT_TRUE(near(histogram.percentile(0.50), microseconds(5000)));
    EXPECT_TRUE(near(histogram.percentile(0.90), microseconds(9000)));
    EXPECT_TRUE(near(histogram.percentile(0.99), microseconds(9900)));
    EXPECT_EQ(histogram.max(), microseconds(10000));
    EXPECT_EQ(histogram.mean(), microseconds(5005));
}

TEST(LatencyHistogram, NeverReportsMoreThanTheMaximum) {
    LatencyHistogram histogram;
    histogram.record(nanoseconds(12345));
    EXPECT_EQ(histogram.percentile(0.5), nanoseconds(12345));
    EXPECT_EQ(histogram.percentile(1.0), nanoseconds(12345));
}

TEST(LatencyHistogram, MergingAddsTheSamples) {
    LatencyHistogram fast;
    LatencyHistogram slow;
    for (int i = 0; i < 90; ++i)
        fast.record(microseconds(100));
    for (int i = 0; i < 10; ++i)
        slow.record(milliseconds(50));
    fast.merge(slow);
    EXPECT_EQ(fast.count(), 100u);
    EXPECT_LE(fast.percentile(0.90), microseconds(104));
    EXPECT_GE(fast.percentile(0.99), milliseconds(50));
    EXPECT_EQ(fast.max(), milliseconds(50));
}

TEST(LatencyHistogram, EmptyAndHugeValuesAreSafe) {
    LatencyHistogram histogram;
    EXPECT_EQ(histogram.percentile(0.99), nanoseconds(0));
    EXPECT_EQ(histogram.mean(), nanoseconds(0));
    histogram.record(std::chrono::hours(5));
    histogram.record(nanoseconds(-3));
    EXPECT_EQ(histogram.count(), 2u);
    EXPECT_EQ(histogram.max(), std::chrono::hours(5));
    EXPECT_LE(histogram.percentile(0.0), nanoseconds(100)); // the resolution
}

} // namespace
} // namespace pop3::load
