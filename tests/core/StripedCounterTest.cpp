#include "core/StripedCounter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

namespace tavern::test {
namespace {

// More threads than slots, so some share one: the sum is still exact.
TEST(StripedCounterTest, SumsWhatEveryThreadAddedWhileThreadsShareSlots) {
    StripedCounter counter;
    constexpr int kThreads = static_cast<int>(StripedCounter::kSlots) + 4;
    constexpr std::uint64_t kAdds = 20'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&counter, t] {
            for (std::uint64_t i = 0; i < kAdds; ++i)
                counter.fetch_add(static_cast<std::uint64_t>(t + 1));
        });
    }
    for (std::thread& thread : threads) thread.join();
    const auto perRound = static_cast<std::uint64_t>(kThreads) * (kThreads + 1) / 2;
    EXPECT_EQ(counter.load(), perRound * kAdds);
}

TEST(StripedCounterTest, StartsAtZeroAndCountsOnOneThread) {
    StripedCounter counter;
    EXPECT_EQ(counter.load(), 0u);
    counter.fetch_add(3);
    counter.fetch_add(4);
    EXPECT_EQ(counter.load(), 7u);
}

}  // namespace
}  // namespace tavern::test
