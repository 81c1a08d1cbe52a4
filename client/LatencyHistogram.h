#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tavern::client {

// Round-trip times in nanoseconds, in log-linear buckets (32 per power of two, so a percentile
// is within about 3% of the true value). Recording is one relaxed atomic add: safe from any
// thread, cheap enough for every pong of a thousand bots.
class LatencyHistogram {
public:
    using Counts = std::vector<std::uint64_t>;

    // Safe from any thread.
    void Record(std::uint64_t nanoseconds);
    // Safe from any thread: the counts so far, for Percentile (or to subtract an older one).
    Counts Snapshot() const;

    // The value below which `fraction` (0..1) of the samples in `counts` fall; 0 if empty.
    static double Percentile(const Counts& counts, double fraction);
    // counts - older, bucket by bucket.
    static Counts Since(const Counts& counts, const Counts& older);
    static std::uint64_t Total(const Counts& counts);

private:
    static constexpr int kSubBits = 5;
    static constexpr std::size_t kBuckets = (64 - kSubBits + 1) << kSubBits;
    static std::size_t Index(std::uint64_t value);
    static double Midpoint(std::size_t index);

    std::array<std::atomic<std::uint64_t>, kBuckets> _counts{};
};

}  // namespace tavern::client
