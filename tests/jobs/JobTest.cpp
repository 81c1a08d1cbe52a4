#include "jobs/Job.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>

#include "JobsTestSupport.h"

namespace tavern {
namespace {

// A callable that reports where it lives when called: inside the Job's bytes, or elsewhere.
template <std::size_t Padding, bool NothrowMove = true>
struct WhereAmI {
    const void** seen;
    std::array<std::byte, Padding> padding{};

    WhereAmI(const void** s) : seen(s) {}
    WhereAmI(const WhereAmI&) = default;
    WhereAmI(WhereAmI&& other) noexcept(NothrowMove) : seen(other.seen), padding(other.padding) {}
    void operator()() { *seen = this; }
};

bool LivesInside(const Job& job, const void* where) {
    const auto* begin = reinterpret_cast<const std::byte*>(&job);
    const auto* at = static_cast<const std::byte*>(where);
    return at >= begin && at < begin + sizeof(Job);
}

TEST(JobTest, IsOneCacheLine) {
    EXPECT_EQ(sizeof(Job), 64u);
}

TEST(JobTest, DefaultConstructedJobIsEmpty) {
    Job job;
    EXPECT_FALSE(job);
}

TEST(JobTest, StoresCapturesUpTo48BytesInline) {
    using Small = WhereAmI<48 - sizeof(void*)>;
    static_assert(sizeof(Small) == 48);
    static_assert(Job::kStoredInline<Small>);
    const void* seen = nullptr;
    Job job(Small{&seen});
    ASSERT_TRUE(job);
    job();
    EXPECT_TRUE(LivesInside(job, seen));

    // Moving the job moves the callable into the new Job's bytes.
    Job moved(std::move(job));
    EXPECT_FALSE(job);  // NOLINT(bugprone-use-after-move): a moved-from Job is empty
    moved();
    EXPECT_TRUE(LivesInside(moved, seen));
}

TEST(JobTest, StoresBiggerCapturesOnTheHeap) {
    using Big = WhereAmI<64>;
    static_assert(!Job::kStoredInline<Big>);
    const void* seen = nullptr;
    Job job(Big{&seen});
    job();
    EXPECT_FALSE(LivesInside(job, seen));

    // Moving a heap job moves the pointer, not the callable.
    const void* first = seen;
    Job moved(std::move(job));
    moved();
    EXPECT_EQ(seen, first);
}

TEST(JobTest, StoresSmallCapturesWithThrowingMoveOnTheHeap) {
    using Throwing = WhereAmI<8, false>;
    static_assert(!Job::kStoredInline<Throwing>);
    const void* seen = nullptr;
    Job job(Throwing{&seen});
    job();
    EXPECT_FALSE(LivesInside(job, seen));
}

TEST(JobTest, RunsMoveOnlyCaptures) {
    auto value = std::make_unique<int>(41);
    int result = 0;
    Job job([v = std::move(value), &result]() mutable { result = ++*v; });
    Job moved(std::move(job));
    moved();
    EXPECT_EQ(result, 42);
}

TEST(JobTest, DestroysCapturesExactlyOnceOnResetAssignmentAndDestruction) {
    test::LiveCount live;
    {
        Job inlineJob([t = live.Make()] {});
        Job heapJob([t = live.Make(), pad = std::array<std::byte, 128>{}] { (void)pad; });
        EXPECT_EQ(live.Live(), 2);
        Job moved(std::move(inlineJob));
        Job movedHeap(std::move(heapJob));
        EXPECT_EQ(live.Live(), 2);
        moved.Reset();
        EXPECT_EQ(live.Live(), 1);
        movedHeap = Job([t = live.Make()] {});  // assignment destroys the old callable
        EXPECT_EQ(live.Live(), 1);
    }
    EXPECT_EQ(live.Live(), 0);
}

TEST(JobTest, AcceptsCallablesThatReturnAValue) {
    int calls = 0;
    Job job([&calls] { return ++calls; });
    job();
    job();
    EXPECT_EQ(calls, 2);
}

TEST(JobTest, LetsExceptionsPropagateToTheCaller) {
    Job job([] { throw std::runtime_error("boom"); });
    EXPECT_THROW(job(), std::runtime_error);
}

}  // namespace
}  // namespace tavern
