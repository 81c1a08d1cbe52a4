#include "jobs/Ask.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "jobs/Scheduler.h"
#include "tests/jobs/JobsTestSupport.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;

class Counter : public JobQueue {
public:
    using JobQueue::JobQueue;
    int value = 0;  // only on this actor's jobs
};

// Runs `body` as a job of `asker` (on a worker of the pool).
template <class F>
void OnActor(const std::shared_ptr<JobQueue>& asker, F body) {
    asker->DoAsync(std::move(body));
}

TEST(AskTest, TheReplyArrivesAsAJobOnTheAsker) {
    auto scheduler = Scheduler::Create();
    WorkerPool pool(scheduler, 2);
    auto asker = std::make_shared<JobQueue>(scheduler);
    auto counter = std::make_shared<Counter>(scheduler);
    std::atomic<JobQueue*> ranOn{nullptr};
    std::atomic<int> answer{0};
    Countdown done(1);
    OnActor(asker, [&] {
        Ask(*asker, counter, [](Counter& c) { return ++c.value * 10; }, 5s,
            [&](AskResult<int> result) {
                ranOn = JobQueue::Current();
                answer = result.Ok() ? result.Value() : -1;
                done.CountDown();
            });
    });
    ASSERT_TRUE(done.Wait());
    EXPECT_EQ(ranOn.load(), asker.get());
    EXPECT_EQ(answer.load(), 10);
}

TEST(AskTest, ATimeoutFiresOnceAndALateReplyIsDropped) {
    auto scheduler = Scheduler::Create();
    WorkerPool pool(scheduler, 2);
    auto asker = std::make_shared<JobQueue>(scheduler);
    auto slow = std::make_shared<Counter>(scheduler);
    std::atomic<int> calls{0};
    std::atomic<bool> timedOut{false};
    std::atomic<bool> replied{false};
    OnActor(asker, [&] {
        Ask(*asker, slow,
            [&](Counter&) {
                std::this_thread::sleep_for(300ms);
                replied = true;
                return 1;
            },
            50ms,
            [&](AskResult<int> result) {
                calls.fetch_add(1);
                timedOut = !result.Ok() && result.ErrorKind() == AskError::Timeout;
            });
    });
    const auto end = Clock::now() + kWaitLimit;
    while (!replied && Clock::now() < end) std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(200ms);  // room for a wrong second call to arrive
    EXPECT_TRUE(replied.load());
    EXPECT_EQ(calls.load(), 1);
    EXPECT_TRUE(timedOut.load());
}

TEST(AskTest, AnAskerDestroyedBeforeTheReplyNeverRunsItsContinuation) {
    auto scheduler = Scheduler::Create();
    WorkerPool pool(scheduler, 2);
    auto asker = std::make_shared<JobQueue>(scheduler);
    std::weak_ptr<JobQueue> weakAsker = asker;
    auto target = std::make_shared<Counter>(scheduler);
    std::atomic<bool> release{false};
    std::atomic<bool> answered{false};
    std::atomic<bool> continued{false};
    LiveCount live;
    OnActor(asker, [&, a = asker.get(), token = live.Make()] {
        Ask(*a, target,
            [&](Counter&) {
                while (!release) std::this_thread::sleep_for(1ms);
                answered = true;
                return 7;
            },
            10s, [&, token](AskResult<int>) { continued = true; });
    });
    // Wait until the asking job ran (the request now blocks the target), then drop the asker.
    const auto end = Clock::now() + kWaitLimit;
    while (asker->PendingJobs() != 0 && Clock::now() < end) std::this_thread::sleep_for(1ms);
    asker.reset();
    while (!weakAsker.expired() && Clock::now() < end) std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(weakAsker.expired()) << "a pending ask must not keep its asker alive";
    release = true;
    while (!answered && Clock::now() < end) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(answered.load());
    EXPECT_FALSE(continued.load());
}

TEST(AskTest, AnExecutorWhoseQueueIsFullAnswersWithAnError) {
    auto scheduler = Scheduler::Create();
    WorkerPool pool(scheduler, 2);
    BlockingExecutor executor(ExecutorOptions{.name = "db", .threads = 1, .queueLimit = 2});
    auto asker = std::make_shared<JobQueue>(scheduler);
    std::atomic<bool> release{false};
    std::atomic<int> ok{0};
    std::atomic<int> rejected{0};
    std::atomic<JobQueue*> rejectedOn{nullptr};
    std::atomic<std::thread::id> requestThread{};
    Countdown done(6);
    auto ask = [&] {
        Ask(*asker, executor,
            [&] {
                requestThread = std::this_thread::get_id();
                while (!release) std::this_thread::sleep_for(1ms);
                return std::string("row");
            },
            10s,
            [&](AskResult<std::string> result) {
                if (result.Ok() && result.Value() == "row") ok.fetch_add(1);
                if (!result.Ok() && result.ErrorKind() == AskError::Rejected) {
                    rejected.fetch_add(1);
                    rejectedOn = JobQueue::Current();
                }
                done.CountDown();
            });
    };
    // One runs and holds the only thread; then two wait in the queue and three are refused.
    OnActor(asker, ask);
    const auto started = Clock::now() + kWaitLimit;
    while (requestThread.load() == std::thread::id{} && Clock::now() < started) {
        std::this_thread::sleep_for(1ms);
    }
    OnActor(asker, [&] {
        for (int i = 0; i < 5; ++i) ask();
    });
    const auto end = Clock::now() + kWaitLimit;
    while (rejected.load() < 3 && Clock::now() < end) std::this_thread::sleep_for(1ms);
    EXPECT_EQ(rejected.load(), 3);
    EXPECT_EQ(rejectedOn.load(), asker.get());
    release = true;
    ASSERT_TRUE(done.Wait());
    EXPECT_EQ(ok.load(), 3);
}

TEST(AskTest, AClosedTargetAnswersGoneAndAThrowingRequestAnswersFailed) {
    auto scheduler = Scheduler::Create();
    WorkerPool pool(scheduler, 2);
    auto asker = std::make_shared<JobQueue>(scheduler);
    auto closed = std::make_shared<Counter>(scheduler);
    closed->Close();
    auto thrower = std::make_shared<Counter>(scheduler);
    std::atomic<int> gone{0};
    std::atomic<int> failed{0};
    std::string message;  // written by the asker's job, read after the countdown
    Countdown done(2);
    OnActor(asker, [&] {
        Ask(*asker, closed, [](Counter& c) { return c.value; }, 5s, [&](AskResult<int> r) {
            if (!r.Ok() && r.ErrorKind() == AskError::Gone) gone.fetch_add(1);
            done.CountDown();
        });
        Ask(*asker, thrower, [](Counter&) -> int { throw std::runtime_error("disk on fire"); }, 5s,
            [&](AskResult<int> r) {
                if (!r.Ok() && r.ErrorKind() == AskError::Failed) {
                    failed.fetch_add(1);
                    message = r.Message();
                }
                done.CountDown();
            });
    });
    ASSERT_TRUE(done.Wait());
    EXPECT_EQ(gone.load(), 1);
    EXPECT_EQ(failed.load(), 1);
    EXPECT_NE(message.find("disk on fire"), std::string::npos);
}

// A request on an executor thread pushes to an actor: that actor never runs on the executor's
// thread (it is no worker), it goes through the GlobalQueue to a worker.
TEST(AskTest, AnExecutorThreadNeverRunsAnActorInline) {
    auto scheduler = Scheduler::Create();
    WorkerPool pool(scheduler, 2);
    BlockingExecutor executor(ExecutorOptions{.name = "io", .threads = 1, .queueLimit = 8});
    auto asker = std::make_shared<JobQueue>(scheduler);
    auto other = std::make_shared<JobQueue>(scheduler);
    std::atomic<std::thread::id> executorThread{};
    std::atomic<std::thread::id> otherRanOn{};
    Countdown done(2);
    OnActor(asker, [&] {
        Ask(*asker, executor,
            [&] {
                executorThread = std::this_thread::get_id();
                other->DoAsync([&] {
                    otherRanOn = std::this_thread::get_id();
                    done.CountDown();
                });
            },
            5s, [&](AskResult<std::monostate> r) {
                EXPECT_TRUE(r.Ok());
                done.CountDown();
            });
    });
    ASSERT_TRUE(done.Wait());
    EXPECT_NE(otherRanOn.load(), std::thread::id{});
    EXPECT_NE(otherRanOn.load(), executorThread.load());
}

}  // namespace
}  // namespace tavern::test
