#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace pop3::load {

/// Latencies in steps of 100 ns up to about 57 minutes, in log-linear buckets (relative error at
/// most 1/32) of constant memory; merging two histograms adds their counts.
class LatencyHistogram {
public:
    void record(std::chrono::nanoseconds latency);
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return _count; }
    /// The latency below which `fraction` (0..1) of the samples fall; 0 when empty.
    std::chrono::nanoseconds percentile(double fraction) const;
    std::chrono::nanoseconds max() const { return std::chrono::nanoseconds(_max); }
    std::chrono::nanoseconds mean() const;

private:
    static constexpr int kSubBuckets = 32;
    static constexpr int kOctaves = 31; // up to 2^35 units of 100 ns
    static std::size_t bucketOf(std::uint64_t units);
    static std::uint64_t upperBoundOf(std::size_t bucket);

    std::array<std::uint64_t, kSubBuckets * kOctaves> _buckets{};
    std::uint64_t _count = 0;
    std::uint64_t _max = 0;
    long double _sum = 0;
};

} // namespace pop3::load
