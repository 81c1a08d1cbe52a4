#include "jobs/Scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "JobsTestSupport.h"
#include "jobs/JobQueue.h"
#include "jobs/ThreadContext.h"

namespace tavern {
namespace {

using namespace std::chrono_literals;
using test::Countdown;
using test::DriveUntil;
using test::LiveCount;
using test::RunInsideJob;
using test::Spin;

// A busy room (A: ten 1 ms jobs) and a quiet one (B: one job) are both in the GlobalQueue.
// Thread 1 runs until its deadline, which ends A's slice in the middle of A's work; A goes back
// to the GlobalQueue. Thread 2 then resumes A, and B gets to run on it before A is finished.
TEST(SchedulerTest, HandsABusyQueueBackAtTheEndOfItsSliceSoOthersRunAndAnotherThreadResumesIt) {
    auto scheduler = Scheduler::Create(SchedulerOptions{.timeSlice = 3ms});
    auto busy = std::make_shared<JobQueue>(scheduler);
    auto quiet = std::make_shared<JobQueue>(scheduler);
    constexpr int kBusyJobs = 10;
    std::vector<std::thread::id> busyThreads;  // written inside A only
    std::set<Clock::rep> busyRuns;             // distinct slices A's jobs ran in
    int busyDone = 0;
    int busyDoneWhenQuietRan = -1;
    std::thread::id quietThread;
    RunInsideJob(scheduler, [&] {
        for (int i = 0; i < kBusyJobs; ++i) {
            busy->DoAsync([&] {
                Spin(1ms);
                busyThreads.push_back(std::this_thread::get_id());
                busyRuns.insert(ThisThread().slice->end.time_since_epoch().count());
                ++busyDone;
            });
        }
        quiet->DoAsync([&] {
            busyDoneWhenQuietRan = busyDone;
            quietThread = std::this_thread::get_id();
        });
    });

    std::thread::id first;
    std::thread([&] {
        first = std::this_thread::get_id();
        scheduler->RunGlobalQueue(Clock::now() + 3ms);
    }).join();
    ASSERT_GT(busyDone, 0);
    ASSERT_LT(busyDone, kBusyJobs) << "the slice did not stop the busy queue";
    EXPECT_TRUE(scheduler->HasGlobalWork());

    std::thread::id second;
    std::thread([&] {
        second = std::this_thread::get_id();
        const auto end = Clock::now() + test::kWaitLimit;
        while (busyDone < kBusyJobs && Clock::now() < end) scheduler->RunGlobalQueue(end);
    }).join();
    EXPECT_EQ(busyDone, kBusyJobs);
    EXPECT_EQ(busyThreads.front(), first);
    EXPECT_EQ(busyThreads.back(), second);
    EXPECT_EQ(quietThread, second);
    EXPECT_GE(busyDoneWhenQuietRan, 1);
    EXPECT_LT(busyDoneWhenQuietRan, kBusyJobs) << "the quiet queue waited for the busy one";
    EXPECT_GE(busyRuns.size(), 3u);
}

TEST(SchedulerTest, DoesNotRunTheGlobalQueueFromInsideAJob) {
    auto scheduler = Scheduler::Create();
    auto other = std::make_shared<JobQueue>(scheduler);
    std::size_t ranInside = 99;
    RunInsideJob(scheduler, [&] {
        other->DoAsync([] {});
        ranInside = scheduler->RunGlobalQueue(Clock::now() + 1s);
    });
    EXPECT_EQ(ranInside, 0u);
    EXPECT_EQ(scheduler->RunGlobalQueue(Clock::now() + 1s), 1u);
}

TEST(SchedulerTest, StopDropsQueuedActorsAndPendingTimersWithoutRunningThem) {
    auto scheduler = Scheduler::Create();
    LiveCount live;
    std::atomic<int> ran{0};
    std::vector<std::shared_ptr<JobQueue>> queues;
    for (int q = 0; q < 4; ++q) queues.push_back(std::make_shared<JobQueue>(scheduler));
    std::vector<TimerHandle> timers;
    RunInsideJob(scheduler, [&] {
        for (auto& queue : queues) {
            for (int i = 0; i < 100; ++i) queue->DoAsync([&, t = live.Make()] { ++ran; });
            timers.push_back(queue->DoTimer(1ms, [&, t = live.Make()] { ++ran; }));
        }
    });
    EXPECT_EQ(live.Live(), 404);
    EXPECT_EQ(scheduler->Timer().Size(), 4u);

    scheduler->Stop();
    EXPECT_TRUE(scheduler->Stopped());
    EXPECT_EQ(live.Live(), 0);
    EXPECT_FALSE(scheduler->HasGlobalWork());
    EXPECT_EQ(scheduler->Timer().Size(), 0u);
    EXPECT_FALSE(scheduler->NextTimerDelay(Clock::now()).has_value());
    for (auto& queue : queues) {
        EXPECT_EQ(queue->DroppedJobs(), 100u);
        EXPECT_EQ(queue->PendingJobs(), 0u);
    }
    for (auto& timer : timers) EXPECT_FALSE(timer.Pending());
    Spin(3ms);
    EXPECT_EQ(scheduler->DistributeTimers(), 0u);
    EXPECT_EQ(scheduler->RunGlobalQueue(Clock::now() + 1s), 0u);
    EXPECT_EQ(ran.load(), 0);
    scheduler->Stop();  // idempotent
}

TEST(SchedulerTest, AfterStopDropsPushesThatNeedTheGlobalQueueAndNewTimers) {
    auto scheduler = Scheduler::Create();
    auto queue = std::make_shared<JobQueue>(scheduler);
    scheduler->Stop();
    LiveCount live;
    int ran = 0;
    RunInsideJob(scheduler, [&] { queue->DoAsync([&, t = live.Make()] { ++ran; }); });
    const TimerHandle timer = queue->DoTimer(0ms, [&, t = live.Make()] { ++ran; });
    EXPECT_FALSE(timer.Pending());
    EXPECT_EQ(live.Live(), 0);
    EXPECT_EQ(queue->DroppedJobs(), 2u);
    // A worker that runs no queue still runs a push inline: nothing needs the GlobalQueue.
    const WorkerScope worker(*scheduler);
    queue->DoAsync([&] { ++ran; });
    EXPECT_EQ(ran, 1);
}

// A job that captures the scheduler while its queue waits in the GlobalQueue makes a cycle
// (scheduler -> GlobalQueue -> queue -> job -> scheduler). Stop breaks it.
TEST(SchedulerTest, StopBreaksReferenceCyclesThroughTheGlobalQueue) {
    auto scheduler = Scheduler::Create();
    std::weak_ptr<Scheduler> weakScheduler = scheduler;
    auto queue = std::make_shared<JobQueue>(scheduler);
    std::weak_ptr<JobQueue> weakQueue = queue;
    RunInsideJob(scheduler, [&] {
        queue->DoAsync([s = scheduler, q = queue] {});
        queue->DoTimer(1h, [s = scheduler, q = queue] {});
    });
    queue.reset();
    scheduler->Stop();
    scheduler.reset();
    EXPECT_TRUE(weakScheduler.expired());
    EXPECT_TRUE(weakQueue.expired());
}

TEST(SchedulerTest, DestroyingTheSchedulerReleasesItsQueuedActors) {
    auto scheduler = Scheduler::Create();
    auto queue = std::make_shared<JobQueue>(scheduler);
    LiveCount live;
    RunInsideJob(scheduler, [&] { queue->DoAsync([t = live.Make()] {}); });
    scheduler.reset();
    EXPECT_EQ(live.Live(), 0);
    EXPECT_EQ(queue->PendingJobs(), 0u);
    EXPECT_EQ(queue->DroppedJobs(), 1u);
    int ran = 0;
    const auto other = Scheduler::Create();
    const WorkerScope worker(*other);  // a worker (of another scheduler) runs an idle actor inline
    queue->DoAsync([&] { ++ran; });    // not stuck: runs inline
    EXPECT_EQ(ran, 1);
}

TEST(SchedulerTest, CallsTheWakeHookWhenAQueueEntersTheGlobalQueue) {
    auto scheduler = Scheduler::Create();
    std::atomic<int> wakes{0};
    scheduler->SetWakeHook([&] { wakes.fetch_add(1); });
    auto queue = std::make_shared<JobQueue>(scheduler);
    RunInsideJob(scheduler, [&] {
        queue->DoAsync([] {});
        queue->DoAsync([] {});  // already queued: no second wake
    });
    EXPECT_EQ(wakes.load(), 1);
    scheduler->RunGlobalQueue(Clock::now() + 1s);
    EXPECT_EQ(wakes.load(), 1);
}

TEST(SchedulerTest, StopRacingWithPushesLeavesNothingBehind) {
    for (int round = 0; round < 20; ++round) {
        auto scheduler = Scheduler::Create();
        auto queue = std::make_shared<JobQueue>(scheduler);
        LiveCount live;
        std::atomic<bool> go{false};
        std::thread pusher([&] {
            while (!go.load()) {
            }
            RunInsideJob(scheduler, [&] {
                for (int i = 0; i < 2000; ++i) {
                    queue->DoAsync([t = live.Make()] {});
                    queue->DoTimer(1ms, [t = live.Make()] {});
                }
            });
        });
        go.store(true);
        scheduler->Stop();
        pusher.join();
        EXPECT_EQ(live.Live(), 0) << "round " << round;
        EXPECT_EQ(queue->PendingJobs(), 0u);
        EXPECT_EQ(scheduler->Timer().Size(), 0u);
    }
}

}  // namespace
}  // namespace tavern
