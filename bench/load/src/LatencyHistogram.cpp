#include "pop3/load/LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace pop3::load {

namespace {

constexpr std::uint64_t kUnitNs = 100;

int highestBit(std::uint64_t value) {
    return 63 - __builtin_clzll(value);
}

} // namespace

// Values below 64 units have a bucket each; above, every octave [2^h, 2^(h+1)) is cut into 32
// equal buckets.
std::size_t LatencyHistogram::bucketOf(std::uint64_t units) {
    if (units < 2 * kSubBuckets)
        return static_cast<std::size_t>(units);
    const int high = highestBit(units);
    const std::size_t bucket = static_cast<std::size_t>(kSubBuckets * (high - 4)) +
                               static_cast<std::size_t>((units >> (high - 5)) - kSubBuckets);
    return std::min(bucket, static_cast<std::size_t>(kSubBuckets * kOctaves - 1));
}

std::uint64_t LatencyHistogram::upperBoundOf(std::size_t bucket) {
    if (bucket < 2 * kSubBuckets)
        return bucket + 1;
    const int high = static_cast<int>(bucket / kSubBuckets) + 4;
    const std::uint64_t sub = bucket % kSubBuckets;
    return (kSubBuckets + sub + 1) << (high - 5);
}

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
    const std::uint64_t ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count()));
    ++_buckets[bucketOf(ns / kUnitNs)];
    ++_count;
    _max = std::max(_max, ns);
    _sum += static_cast<long double>(ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < _buckets.size(); ++i)
        _buckets[i] += other._buckets[i];
    _count += other._count;
    _max = std::max(_max, other._max);
    _sum += other._sum;
}

std::chrono::nanoseconds LatencyHistogram::percentile(double fraction) const {
    if (_count == 0)
        return std::chrono::nanoseconds(0);
    const double clamped = std::clamp(fraction, 0.0, 1.0);
    const std::uint64_t rank =
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(clamped * _count)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < _buckets.size(); ++i) {
        seen += _buckets[i];
        if (seen >= rank)
            return std::chrono::nanoseconds(std::min(upperBoundOf(i) * kUnitNs, _max));
    }
    return max();
}

std::chrono::nanoseconds LatencyHistogram::mean() const {
    if (_count == 0)
        return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(_sum / _count));
}

} // namespace pop3::load
