#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tavern::soak {

// When the heap counts as still growing. The numbers come from measured runs (README, "Soak"):
// after the warm-up the in-use heap of a healthy run wanders around a flat line. In three 300 s
// runs it moved from one wave to the next by 16-18 KiB (root mean square; at most 61 KiB), and
// rose by more than 16 KiB between 12-17% of consecutive waves, never more than twice in a row.
struct MemoryRule {
    // The warm-up: the first `warmupFraction` of the waves, and at least `minWarmupWaves`.
    // Rooms, pools, per-thread caches and hash tables reach their working size here.
    double warmupFraction = 0.2;
    std::size_t minWarmupWaves = 2;
    // The end may exceed the post-warm-up value by max(minMargin, marginFraction of it).
    std::uint64_t minMargin = 2 * 1024 * 1024;
    double marginFraction = 0.10;
    // A steady climb fails too: each of the last `trendWaves` waves above the one before it by
    // more than `noise` bytes. It catches in a short run a leak too small for the margin: in
    // the 10-wave CTest run, 2 KiB per connection (about 90 KiB a wave) fails.
    std::size_t trendWaves = 5;
    std::uint64_t noise = 16 * 1024;
};

struct MemoryVerdict {
    bool ok = false;
    std::string reason;  // why it failed, or what was checked
    std::size_t warmupWaves = 0;
    std::uint64_t afterWarmup = 0;  // the heap after the last warm-up wave
    std::uint64_t atEnd = 0;        // after the last wave
    std::uint64_t margin = 0;
};

// The fewest waves JudgeMemory can judge for `rule`.
std::size_t MinimumWaves(const MemoryRule& rule = {});

// `heap[i]`: the in-use heap after wave i + 1, at a quiet point. Fails when there are too few
// waves to judge, when the end passes the margin, or on a steady climb.
MemoryVerdict JudgeMemory(const std::vector<std::uint64_t>& heap, const MemoryRule& rule = {});

}  // namespace tavern::soak
