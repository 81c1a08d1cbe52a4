#include "jobs/JobTimer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "JobsTestSupport.h"
#include "jobs/JobQueue.h"
#include "jobs/Scheduler.h"

namespace tavern {
namespace {

using namespace std::chrono_literals;
using test::Countdown;
using test::DriveUntil;
using test::LiveCount;
using test::WorkerPool;

// Most tests drive the wheel with explicit times ("virtual time" from t0), so they do not depend
// on how fast the machine is; the fired jobs then run when the test runs the GlobalQueue.
class JobTimerTest : public ::testing::Test {
protected:
    void Distribute(Clock::duration at) {
        scheduler->DistributeTimers(t0 + at);
        scheduler->RunGlobalQueue(Clock::now() + 10s);
    }

    SchedulerRef scheduler = Scheduler::Create();
    std::shared_ptr<JobQueue> queue = std::make_shared<JobQueue>(scheduler);
    Clock::time_point t0 = Clock::now();  // after the scheduler's (and its wheel's) epoch
};

TEST_F(JobTimerTest, FiresTimersInDueOrderAndNeverEarly) {
    constexpr int kTimers = 2000;
    std::mt19937 random(7);
    std::vector<int> delays(kTimers);
    for (int& d : delays) d = static_cast<int>(random() % 700);  // spans levels 0 and 1
    struct Fired {
        int index;
        int firedAt;
    };
    std::vector<Fired> fired;
    int virtualNow = 0;
    for (int i = 0; i < kTimers; ++i) {
        scheduler->Timer().Insert(t0 + std::chrono::milliseconds(delays[i]), queue, [&, i] {
            fired.push_back({i, virtualNow});
        });
    }
    for (virtualNow = 0; virtualNow <= 702; ++virtualNow)
        Distribute(std::chrono::milliseconds(virtualNow));

    ASSERT_EQ(fired.size(), static_cast<std::size_t>(kTimers));
    for (std::size_t k = 0; k < fired.size(); ++k) {
        const int delay = delays[fired[k].index];
        EXPECT_GE(fired[k].firedAt, delay) << "early";
        EXPECT_LE(fired[k].firedAt, delay + 1) << "late";
        if (k > 0) {
            const int previous = delays[fired[k - 1].index];
            ASSERT_LE(previous, delay) << "out of due order";
            // Equal delays from t0 round to the same tick: insert order.
            if (previous == delay) {
                ASSERT_LT(fired[k - 1].index, fired[k].index);
            }
        }
    }
    EXPECT_EQ(scheduler->Timer().Size(), 0u);
    EXPECT_FALSE(scheduler->NextTimerDelay(t0 + 703ms).has_value());
}

// A is placed in level 1 first; B, due at the same tick, goes straight to level 0 later. When
// A cascades down it lands behind B, but it was inserted first, so it must fire first.
TEST_F(JobTimerTest, KeepsInsertOrderWithinATickAcrossCascades) {
    std::vector<char> order;
    scheduler->Timer().Insert(t0 + 300ms, queue, [&] { order.push_back('A'); });
    Distribute(0ms);
    Distribute(100ms);
    scheduler->Timer().Insert(t0 + 300ms, queue, [&] { order.push_back('B'); });
    Distribute(100ms);
    Distribute(299ms);
    EXPECT_TRUE(order.empty());
    Distribute(301ms);
    EXPECT_EQ(order, (std::vector<char>{'A', 'B'}));
}

TEST_F(JobTimerTest, FiresATimerBeyondTheWheelRangeOnTime) {
    const auto far = std::chrono::milliseconds((std::int64_t{1} << 32) + 12345);  // ~50 days
    bool fired = false;
    scheduler->Timer().Insert(t0 + far, queue, [&] { fired = true; });
    for (auto at : {0ms, 1000ms, std::chrono::milliseconds(std::int64_t{1} << 32)}) {
        Distribute(at);
        auto delay = scheduler->NextTimerDelay(t0 + at);
        ASSERT_TRUE(delay.has_value());
        EXPECT_LE(*delay, far - at) << "later than the true expiry";
    }
    Distribute(far - 2ms);
    EXPECT_FALSE(fired);
    Distribute(far + 1ms);
    EXPECT_TRUE(fired);
}

TEST_F(JobTimerTest, ReportsTheNextTimerDelayNeverLaterThanTheTrueExpiry) {
    // Virtual time only: a slow or loaded machine cannot move a due time under the test.
    // When a timer due at `t` really fires: at the start of the tick `t` rounds up to.
    const auto epoch = scheduler->Timer().Epoch();
    auto fires = [&](Clock::time_point t) {
        return epoch + std::chrono::ceil<std::chrono::milliseconds>(t - epoch);
    };
    EXPECT_FALSE(scheduler->NextTimerDelay(t0).has_value());

    scheduler->Timer().Insert(t0 + 20ms, queue, [] {});
    auto delay = scheduler->NextTimerDelay(t0);
    ASSERT_TRUE(delay.has_value());
    EXPECT_EQ(*delay, fires(t0 + 20ms) - t0);  // exact while in the inbox

    scheduler->Timer().Insert(t0 + 5ms, queue, [] {});
    scheduler->Timer().Insert(t0 + 50ms, queue, [] {});
    delay = scheduler->NextTimerDelay(t0);
    ASSERT_TRUE(delay.has_value());
    EXPECT_EQ(*delay, fires(t0 + 5ms) - t0);

    Distribute(0ms);  // into the wheel: exact for level 0
    auto again = scheduler->NextTimerDelay(t0);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, *delay);

    const auto farDue = t0 + 10s;
    scheduler->Timer().Insert(farDue, queue, [] {});
    Distribute(21ms);  // the 5 ms and 20 ms timers fire; the 50 ms one is next
    delay = scheduler->NextTimerDelay(t0 + 21ms);
    ASSERT_TRUE(delay.has_value());
    EXPECT_LE(*delay, fires(t0 + 50ms) - (t0 + 21ms));
    Distribute(100ms);  // only the 10 s timer is left, in level 1: bound is its bucket's start
    delay = scheduler->NextTimerDelay(t0 + 100ms);
    ASSERT_TRUE(delay.has_value());
    EXPECT_LE(*delay, fires(farDue) - (t0 + 100ms));
    EXPECT_GE(*delay, fires(farDue) - (t0 + 100ms) - 256ms);
    Distribute(10s + 1ms);
    EXPECT_FALSE(scheduler->NextTimerDelay(t0 + 10s + 1ms).has_value());
}

// DoTimer reads the real clock, so its bounds bracket the call instead of asserting one value.
TEST_F(JobTimerTest, DoTimerWakesAWorkerOnlyForATimerEarlierThanEveryKnownOne) {
    const auto epoch = scheduler->Timer().Epoch();
    auto fires = [&](Clock::time_point t) {
        return epoch + std::chrono::ceil<std::chrono::milliseconds>(t - epoch);
    };
    std::atomic<int> wakes{0};
    scheduler->SetWakeHook([&] { wakes.fetch_add(1); });
    scheduler->Timer().Insert(Clock::now() + 10min, queue, [] {});
    EXPECT_EQ(wakes.load(), 0) << "JobTimer::Insert does not wake; JobQueue::DoTimer does";

    const auto before = Clock::now();
    queue->DoTimer(5ms, [] {});  // earlier than every known timer: wakes a worker
    const auto after = Clock::now();
    EXPECT_EQ(wakes.load(), 1);
    queue->DoTimer(1h, [] {});  // later: no wake
    EXPECT_EQ(wakes.load(), 1);

    const auto delay = scheduler->NextTimerDelay(after);
    ASSERT_TRUE(delay.has_value());
    EXPECT_LE(*delay, fires(after + 5ms) - after);
    EXPECT_GE(*delay, fires(before + 5ms) - after);
}

TEST_F(JobTimerTest, NeverFiresEarlyByTheClock) {
    WorkerPool pool(scheduler, 2);
    constexpr int kTimers = 40;
    std::atomic<int> early{0};
    Countdown done(kTimers);
    for (int i = 0; i < kTimers; ++i) {
        const auto delay = std::chrono::milliseconds(i % 20);
        const auto start = Clock::now();
        queue->DoTimer(delay, [&, start, delay] {
            if (Clock::now() - start < delay) early.fetch_add(1);
            done.CountDown();
        });
    }
    ASSERT_TRUE(done.Wait());
    EXPECT_EQ(early.load(), 0);
}

TEST_F(JobTimerTest, DoesNotFireOrKeepAliveATimerWhoseQueueIsDestroyed) {
    LiveCount live;
    bool ran = false;
    std::weak_ptr<JobQueue> weak = queue;
    const TimerHandle handle = queue->DoTimer(5ms, [&, t = live.Make()] { ran = true; });
    queue.reset();
    EXPECT_TRUE(weak.expired());
    EXPECT_TRUE(handle.Pending());
    Distribute(1s);
    EXPECT_FALSE(ran);
    EXPECT_EQ(live.Live(), 0);
    EXPECT_FALSE(handle.Pending());
}

TEST_F(JobTimerTest, CancelledTimerNeverFiresAndReleasesItsCapturesAtOnce) {
    LiveCount live;
    int ran = 0;
    TimerHandle handle = queue->DoTimer(5ms, [&, t = live.Make()] { ++ran; });
    TimerHandle copy = handle;
    TimerHandle none;
    EXPECT_FALSE(none.Pending());
    none.Cancel();    // harmless
    Distribute(0ms);  // in the wheel now
    EXPECT_TRUE(copy.Pending());
    handle.Cancel();
    EXPECT_FALSE(copy.Pending());
    EXPECT_EQ(live.Live(), 0);
    Distribute(1s);
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(scheduler->Timer().Size(), 0u);

    // Cancelling after it fired changes nothing.
    TimerHandle fired = queue->DoTimer(0ms, [&] { ++ran; });
    Distribute(2s);
    fired.Cancel();
    EXPECT_EQ(ran, 1);
}

class Room : public JobQueue {
public:
    using JobQueue::JobQueue;
    void Tick(int n) { ticks.push_back(n); }
    std::vector<int> ticks;
};

TEST_F(JobTimerTest, CallsAMemberFunctionWithoutKeepingItsOwnerAlive) {
    auto room = std::make_shared<Room>(scheduler);
    room->DoTimer(3ms, &Room::Tick, 7);
    Distribute(1s);
    EXPECT_EQ(room->ticks, std::vector<int>{7});

    std::weak_ptr<Room> weak = room;
    room->DoTimer(3ms, &Room::Tick, 8);
    room.reset();
    EXPECT_TRUE(weak.expired()) << "a pending timer kept its actor alive";
    Distribute(2s);
}

TEST_F(JobTimerTest, ExpiresAMillionTimersDistributedInALoop) {
    constexpr int kTimers = 1'000'000;
    std::vector<std::shared_ptr<JobQueue>> queues;
    for (int q = 0; q < 1000; ++q) queues.push_back(std::make_shared<JobQueue>(scheduler));
    std::atomic<int> fired{0};
    std::atomic<int> early{0};
    const auto start = Clock::now();
    for (int i = 0; i < kTimers; ++i) {
        const auto delay = std::chrono::milliseconds(i % 51);
        queues[i % queues.size()]->DoTimer(delay, [&fired, &early, start, delay] {
            if (Clock::now() - start < delay) early.fetch_add(1);
            fired.fetch_add(1, std::memory_order_relaxed);
        });
    }
    EXPECT_EQ(scheduler->Timer().Size(), static_cast<std::size_t>(kTimers));
    ASSERT_TRUE(DriveUntil(*scheduler, [&] { return fired.load() == kTimers; }));
    EXPECT_EQ(early.load(), 0);
    EXPECT_EQ(scheduler->Timer().Size(), 0u);
    EXPECT_FALSE(scheduler->NextTimerDelay(Clock::now()).has_value());
}

TEST_F(JobTimerTest, DistributesEachTimerOnceWhenThreadsRace) {
    constexpr int kTimers = 20000;
    std::vector<std::atomic<int>> runs(kTimers);
    for (int i = 0; i < kTimers; ++i) {
        scheduler->Timer().Insert(t0 + std::chrono::milliseconds(i % 300), queue,
                                  [&runs, i] { runs[i].fetch_add(1); });
    }
    std::atomic<std::size_t> fired{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&] {
            for (int ms = 0; ms <= 300; ++ms) {
                fired.fetch_add(scheduler->DistributeTimers(t0 + std::chrono::milliseconds(ms)));
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    fired.fetch_add(scheduler->DistributeTimers(t0 + 301ms));
    EXPECT_EQ(fired.load(), static_cast<std::size_t>(kTimers));
    scheduler->RunGlobalQueue(Clock::now() + 10s);
    int wrong = 0;
    for (auto& r : runs) wrong += r.load() != 1;
    EXPECT_EQ(wrong, 0);
}

// A job dropped during the distribution (its queue is gone) holds the last reference to an
// actor whose destructor calls DistributeTimers again: it must return at once, not deadlock.
TEST_F(JobTimerTest, ReturnsAtOnceFromADistributionStartedInsideOne) {
    class Reentrant : public JobQueue {
    public:
        Reentrant(SchedulerRef s, std::size_t* result)
            : JobQueue(s), _scheduler(std::move(s)), _result(result) {}
        ~Reentrant() override { *_result = _scheduler->DistributeTimers(Clock::now() + 1h); }

    private:
        SchedulerRef _scheduler;
        std::size_t* _result;
    };
    std::size_t nested = 99;
    {
        auto reentrant = std::make_shared<Reentrant>(scheduler, &nested);
        auto doomed = std::make_shared<JobQueue>(scheduler);
        doomed->DoTimer(0ms, [r = reentrant] {});
    }
    EXPECT_EQ(nested, 99u);
    Distribute(1s);
    EXPECT_EQ(nested, 0u);
}

TEST_F(JobTimerTest, ClearsFromInsideADistributionWithoutDeadlock) {
    struct StopsOnDestruction {
        SchedulerRef scheduler;
        ~StopsOnDestruction() {
            if (scheduler) scheduler->Stop();
        }
        StopsOnDestruction(SchedulerRef s) : scheduler(std::move(s)) {}
        StopsOnDestruction(StopsOnDestruction&& other) noexcept = default;
    };
    LiveCount live;
    {
        auto doomed = std::make_shared<JobQueue>(scheduler);
        doomed->DoTimer(0ms, [s = StopsOnDestruction(scheduler)] {});
        queue->DoTimer(1h, [t = live.Make()] {});
    }  // `doomed` is gone: its timer's job is destroyed during the distribution and stops all
    scheduler->DistributeTimers(t0 + 1s);
    EXPECT_TRUE(scheduler->Stopped());
    EXPECT_EQ(live.Live(), 0);
    EXPECT_EQ(scheduler->Timer().Size(), 0u);
}

// A worker that finds a timer due while another thread is inside Distribute must not spin on the
// wheel's lock (a spinning worker starves the distributor and everything else on a small
// machine): the due timer reads as one tick away, since the distributor fires it.
TEST_F(JobTimerTest, ADueTimerReadsATickAwayWhileAnotherThreadDistributes) {
    std::atomic<bool> inside{false};
    std::atomic<bool> release{false};
    // Destroyed inside the distribution (its queue is gone), it holds the distributor there.
    struct Holds {
        std::atomic<bool>* inside;
        std::atomic<bool>* release;
        Holds(std::atomic<bool>* i, std::atomic<bool>* r) : inside(i), release(r) {}
        Holds(Holds&& other) noexcept : inside(other.inside), release(other.release) {
            other.inside = nullptr;
        }
        Holds& operator=(Holds&&) = delete;
        ~Holds() {
            if (inside == nullptr) return;
            inside->store(true);
            while (!release->load()) std::this_thread::yield();
        }
    };
    {
        auto doomed = std::make_shared<JobQueue>(scheduler);
        doomed->DoTimer(0ms, [h = Holds(&inside, &release)] {});
    }
    int ran = 0;
    queue->DoTimer(0ms, [&] { ++ran; });
    std::thread distributor([&] { scheduler->DistributeTimers(t0 + 1s); });
    while (!inside.load()) std::this_thread::yield();
    const auto during = scheduler->NextTimerDelay(t0 + 1s);
    release.store(true);
    distributor.join();
    ASSERT_TRUE(during.has_value());
    EXPECT_EQ(*during, JobTimer::kTick);
    scheduler->RunGlobalQueue(Clock::now() + 10s);
    EXPECT_EQ(ran, 1);
    EXPECT_FALSE(scheduler->NextTimerDelay(t0 + 1s).has_value());  // nothing left pending
}

}  // namespace
}  // namespace tavern
