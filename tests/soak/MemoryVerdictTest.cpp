#include "tests/soak/MemoryVerdict.h"

#include <gtest/gtest.h>

namespace tavern::soak {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

// `waves` samples starting at `start` and rising by `step` each wave.
std::vector<std::uint64_t> Series(std::size_t waves, std::uint64_t start, std::int64_t step) {
    std::vector<std::uint64_t> heap;
    for (std::size_t i = 0; i < waves; ++i)
        heap.push_back(start + static_cast<std::uint64_t>(step * static_cast<std::int64_t>(i)));
    return heap;
}

TEST(MemoryVerdictTest, AFlatHeapWithNoisePasses) {
    auto heap = Series(20, 8 * kMiB, 0);
    for (std::size_t i = 0; i < heap.size(); ++i) heap[i] += (i % 3) * 40 * 1024;  // wobble
    const MemoryVerdict verdict = JudgeMemory(heap);
    EXPECT_TRUE(verdict.ok) << verdict.reason;
    EXPECT_EQ(verdict.warmupWaves, 4u);
    EXPECT_EQ(verdict.margin, 2 * kMiB);
}

TEST(MemoryVerdictTest, GrowthDuringTheWarmUpDoesNotCount) {
    auto heap = Series(10, 8 * kMiB, 0);
    heap[0] = 2 * kMiB;  // the first wave makes the rooms and fills the caches
    EXPECT_TRUE(JudgeMemory(heap).ok);
}

TEST(MemoryVerdictTest, EndingPastTheMarginFails) {
    auto heap = Series(10, 8 * kMiB, 0);
    heap.back() += 3 * kMiB;  // one jump: not a trend, but past max(2 MiB, 10%)
    const MemoryVerdict verdict = JudgeMemory(heap);
    EXPECT_FALSE(verdict.ok);
    EXPECT_NE(verdict.reason.find("grew"), std::string::npos) << verdict.reason;
}

TEST(MemoryVerdictTest, TheMarginIsTenPercentOfALargeHeap) {
    auto heap = Series(10, 100 * kMiB, 0);
    heap.back() += 9 * kMiB;
    EXPECT_TRUE(JudgeMemory(heap).ok);
    heap.back() += 2 * kMiB;
    EXPECT_FALSE(JudgeMemory(heap).ok);
}

TEST(MemoryVerdictTest, ASteadyClimbBelowTheMarginFails) {
    const MemoryVerdict verdict = JudgeMemory(Series(10, 8 * kMiB, 100 * 1024));
    EXPECT_FALSE(verdict.ok);
    EXPECT_NE(verdict.reason.find("each of the last"), std::string::npos) << verdict.reason;
}

TEST(MemoryVerdictTest, AClimbThatPausesIsNotATrend) {
    auto heap = Series(10, 8 * kMiB, 100 * 1024);
    heap[7] = heap[6];  // one wave in the last five did not rise
    heap[8] = heap[6] + 100 * 1024;
    heap[9] = heap[6] + 200 * 1024;
    EXPECT_TRUE(JudgeMemory(heap).ok);
}

TEST(MemoryVerdictTest, TooFewWavesFail) {
    EXPECT_EQ(MinimumWaves(), 7u);
    EXPECT_FALSE(JudgeMemory(Series(6, 8 * kMiB, 0)).ok);
    EXPECT_TRUE(JudgeMemory(Series(7, 8 * kMiB, 0)).ok);
}

}  // namespace
}  // namespace tavern::soak
