#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "jobs/OrderedLane.h"

namespace tavern {
namespace {

// A job that records its number when run, and counts its own destruction (a leak or a double
// destruction shows in `alive`).
struct Numbered {
    std::vector<int>* seen;
    int number;
    std::shared_ptr<int> alive;
    void operator()() const { seen->push_back(number); }
};

TEST(OrderedLaneTest, ChainsAndSinglePushesComeOutInPushOrderWhateverTheBatch) {
    // Chains longer than a block, single pushes between them, and batches that end inside a
    // block (3) or span several (64).
    for (const std::size_t batch : {std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
        OrderedLane lane;
        std::vector<int> seen;
        const auto alive = std::make_shared<int>();
        int next = 0;
        for (int round = 0; round < 5; ++round) {
            lane.Push(Numbered{&seen, next++, alive});
            OrderedLane::Chain chain;
            const int length = round * 13 + 1;  // 1, 14, 27, 40, 53: 1-4 blocks
            for (int i = 0; i < length; ++i) chain.Append(Numbered{&seen, next++, alive});
            lane.PushChain(chain);
            EXPECT_TRUE(chain.Empty());
        }
        EXPECT_EQ(lane.SizeApprox(), static_cast<std::size_t>(next));
        std::vector<Job> out(batch);
        for (;;) {
            const std::size_t n = lane.Pop(out.data(), batch);
            if (n == 0) break;
            for (std::size_t i = 0; i < n; ++i) out[i]();
            for (std::size_t i = 0; i < n; ++i) out[i].Reset();
        }
        ASSERT_EQ(seen.size(), static_cast<std::size_t>(next)) << "batch " << batch;
        for (int i = 0; i < next; ++i) ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
        EXPECT_TRUE(lane.Empty());
        EXPECT_EQ(alive.use_count(), 1) << "every job destroyed once taken";
    }
}

TEST(OrderedLaneTest, JobsLeftInTheLaneAreDestroyedWithIt) {
    const auto alive = std::make_shared<int>();
    std::vector<int> seen;
    {
        OrderedLane lane;
        OrderedLane::Chain chain;
        for (int i = 0; i < 40; ++i) chain.Append(Numbered{&seen, i, alive});
        lane.PushChain(chain);
        lane.Push(Numbered{&seen, 40, alive});
        Job out[5];
        ASSERT_EQ(lane.Pop(out, 5), 5u);  // stops inside the first block
        for (Job& job : out) job.Reset();
        EXPECT_EQ(alive.use_count(), 1 + 36);
    }
    EXPECT_EQ(alive.use_count(), 1);
    EXPECT_TRUE(seen.empty());
}

TEST(OrderedLaneTest, ChainsFromTwoThreadsKeepEachThreadsOrderAndLoseNothing) {
    // Two producers push chains of 1-40 jobs while the consumer pops in batches of 7: each
    // producer's numbers come out in order, all of them, once.
    constexpr int kPerProducer = 200'000;
    OrderedLane lane;
    std::vector<int> seen;
    std::atomic<int> done{0};
    auto produce = [&](int producer) {
        int sent = 0;
        int length = 1;
        while (sent < kPerProducer) {
            OrderedLane::Chain chain;
            for (int i = 0; i < length && sent < kPerProducer; ++i, ++sent)
                chain.Append(Numbered{&seen, producer * kPerProducer + sent, nullptr});
            lane.PushChain(chain);
            length = length % 40 + 1;
            if (sent < kPerProducer)
                lane.Push(Numbered{&seen, producer * kPerProducer + sent++, nullptr});
        }
        done.fetch_add(1);
    };
    std::thread a(produce, 0);
    std::thread b(produce, 1);
    Job out[7];
    while (done.load() < 2 || !lane.Empty()) {
        const std::size_t n = lane.Pop(out, 7);
        for (std::size_t i = 0; i < n; ++i) {
            out[i]();
            out[i].Reset();
        }
    }
    a.join();
    b.join();
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(2 * kPerProducer));
    int expected[2] = {0, kPerProducer};
    for (const int number : seen) {
        const int producer = number / kPerProducer;
        ASSERT_EQ(number, expected[producer]);
        ++expected[producer];
    }
}

}  // namespace
}  // namespace tavern
