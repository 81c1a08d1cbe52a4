#include "client/LatencyHistogram.h"

#include <algorithm>
#include <bit>

namespace tavern::client {

std::size_t LatencyHistogram::Index(std::uint64_t value) {
    constexpr std::uint64_t kSub = 1u << kSubBits;
    if (value < kSub) return static_cast<std::size_t>(value);
    const int shift = std::bit_width(value) - 1 - kSubBits;
    return (static_cast<std::size_t>(shift + 1) << kSubBits) +
           static_cast<std::size_t>((value >> shift) & (kSub - 1));
}

double LatencyHistogram::Midpoint(std::size_t index) {
    constexpr std::size_t kSub = std::size_t{1} << kSubBits;
    if (index < kSub) return static_cast<double>(index);
    const int shift = static_cast<int>(index >> kSubBits) - 1;
    const double low = static_cast<double>((kSub + (index & (kSub - 1))) << shift);
    return low + static_cast<double>(std::uint64_t{1} << shift) / 2.0;
}

void LatencyHistogram::Record(std::uint64_t nanoseconds) {
    _counts[Index(nanoseconds)].fetch_add(1, std::memory_order_relaxed);
}

LatencyHistogram::Counts LatencyHistogram::Snapshot() const {
    Counts counts(kBuckets);
    for (std::size_t i = 0; i < kBuckets; ++i)
        counts[i] = _counts[i].load(std::memory_order_relaxed);
    return counts;
}

LatencyHistogram::Counts LatencyHistogram::Since(const Counts& counts, const Counts& older) {
    Counts diff(counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i)
        diff[i] = counts[i] - (i < older.size() ? older[i] : 0);
    return diff;
}

std::uint64_t LatencyHistogram::Total(const Counts& counts) {
    std::uint64_t total = 0;
    for (const std::uint64_t count : counts) total += count;
    return total;
}

double LatencyHistogram::Percentile(const Counts& counts, double fraction) {
    const std::uint64_t total = Total(counts);
    if (total == 0) return 0;
    // The rank of the sample at `fraction`, 1-based: p99 of 100 samples is the 99th.
    auto rank = static_cast<std::uint64_t>(fraction * static_cast<double>(total) + 0.999999);
    rank = std::max<std::uint64_t>(rank, 1);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        seen += counts[i];
        if (seen >= rank) return Midpoint(i);
    }
    return Midpoint(counts.size() - 1);
}

}  // namespace tavern::client
