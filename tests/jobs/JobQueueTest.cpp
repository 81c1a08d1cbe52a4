#include "jobs/JobQueue.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "JobsTestSupport.h"
#include "jobs/Scheduler.h"
#include "jobs/ThreadContext.h"

namespace tavern {
namespace {

using namespace std::chrono_literals;
using test::Countdown;
using test::DriveUntil;
using test::LiveCount;
using test::RunInsideJob;
using test::WorkerPool;

TEST(JobQueueTest, IdleQueueCostsAFewHundredBytes) {
    // The mailbox is constructed without blocks; see the comment on JobQueue.
    EXPECT_LE(sizeof(JobQueue), 512u);
}

TEST(JobQueueTest, RunsAJobInlineWhenAWorkerThatRunsNoQueuePushesIt) {
    auto scheduler = Scheduler::Create();
    const WorkerScope worker(*scheduler);  // this thread runs the actors it pushes to
    auto queue = std::make_shared<JobQueue>(scheduler);
    std::thread::id ranOn;
    JobQueue* current = nullptr;
    queue->DoAsync([&] {
        ranOn = std::this_thread::get_id();
        current = JobQueue::Current();
    });
    EXPECT_EQ(ranOn, std::this_thread::get_id());
    EXPECT_EQ(current, queue.get());
    EXPECT_EQ(JobQueue::Current(), nullptr);
    EXPECT_EQ(queue->PendingJobs(), 0u);
}

// A thread that is no worker (a database pool, a bus client) never runs an actor: its push
// hands the queue to the GlobalQueue, and a worker runs the job.
TEST(JobQueueTest, NeverRunsAJobOnAThreadThatIsNoWorker) {
    auto scheduler = Scheduler::Create();
    auto queue = std::make_shared<JobQueue>(scheduler);
    std::thread::id ranOn;
    std::thread foreign([&] { queue->DoAsync([&] { ranOn = std::this_thread::get_id(); }); });
    const std::thread::id foreignId = foreign.get_id();
    foreign.join();
    EXPECT_EQ(ranOn, std::thread::id{});
    EXPECT_TRUE(scheduler->HasGlobalWork());
    const WorkerScope worker(*scheduler);
    EXPECT_EQ(scheduler->RunGlobalQueue(Clock::now() + 1s), 1u);
    EXPECT_EQ(ranOn, std::this_thread::get_id());
    EXPECT_NE(ranOn, foreignId);
}

TEST(JobQueueTest, SendsAQueuePushedFromInsideAJobToTheGlobalQueue) {
    auto scheduler = Scheduler::Create();
    auto other = std::make_shared<JobQueue>(scheduler);
    bool ran = false;
    RunInsideJob(scheduler, [&] { other->DoAsync([&] { ran = true; }); });
    EXPECT_FALSE(ran);
    EXPECT_TRUE(scheduler->HasGlobalWork());
    EXPECT_EQ(scheduler->RunGlobalQueue(Clock::now() + 1s), 1u);
    EXPECT_TRUE(ran);
    EXPECT_FALSE(scheduler->HasGlobalWork());
}

TEST(JobQueueTest, RunsJobsOfOneProducerInPushOrder) {
    auto scheduler = Scheduler::Create(SchedulerOptions{.queueWarnLength = std::size_t{1} << 30});
    auto queue = std::make_shared<JobQueue>(scheduler);
    constexpr int kJobs = 20000;
    std::vector<int> order;
    order.reserve(kJobs);
    RunInsideJob(scheduler, [&] {
        for (int i = 0; i < kJobs; ++i) queue->DoAsync([&order, i] { order.push_back(i); });
    });
    ASSERT_TRUE(DriveUntil(*scheduler, [&] { return queue->PendingJobs() == 0; }));
    ASSERT_EQ(order.size(), static_cast<std::size_t>(kJobs));
    for (int i = 0; i < kJobs; ++i) ASSERT_EQ(order[i], i);
}

// Overloads one queue on purpose: no overload warnings wanted in the log.
constexpr SchedulerOptions kQuiet{.queueWarnLength = std::size_t{1} << 30};

TEST(JobQueueTest, RunsJobsOfEachOfFourProducersInPushOrder) {
    auto scheduler = Scheduler::Create(kQuiet);
    WorkerPool pool(scheduler, 2);
    auto queue = std::make_shared<JobQueue>(scheduler);
    constexpr int kProducers = 4;
    constexpr int kJobs = 20000;
    std::vector<int> next(kProducers, 0);  // only touched inside the actor
    std::atomic<int> outOfOrder{0};
    Countdown done(kProducers * kJobs);
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&, p] {
            for (int i = 0; i < kJobs; ++i) {
                queue->DoAsync([&, p, i] {
                    if (next[p] != i) outOfOrder.fetch_add(1);
                    next[p] = i + 1;
                    done.CountDown();
                });
            }
        });
    }
    for (std::thread& t : producers) t.join();
    ASSERT_TRUE(done.Wait());
    EXPECT_EQ(outOfOrder.load(), 0);
    for (int p = 0; p < kProducers; ++p) EXPECT_EQ(next[p], kJobs);
}

// Four producers and two workers hammer four queues; jobs also push to other queues, so queues
// move through the GlobalQueue too. A job that finds its queue's flag already set has run
// concurrently with another job of the same queue.
TEST(JobQueueTest, NeverRunsTwoJobsOfOneQueueAtOnceAndRunsEveryJobExactlyOnce) {
    auto scheduler = Scheduler::Create(
        SchedulerOptions{.timeSlice = 200us, .queueWarnLength = kQuiet.queueWarnLength});
    WorkerPool pool(scheduler, 2);
    constexpr int kQueues = 4;
    constexpr int kProducers = 4;
    constexpr int kJobs = 10000;  // per producer
    struct Actor {
        std::shared_ptr<JobQueue> queue;
        std::atomic<bool> inside{false};
    };
    std::vector<Actor> actors(kQueues);
    for (Actor& a : actors) a.queue = std::make_shared<JobQueue>(scheduler);
    std::vector<std::atomic<std::uint8_t>> runs(kProducers * kJobs * 2);
    std::atomic<int> overlaps{0};
    Countdown done(runs.size());

    auto body = [&](int q, std::size_t id) {
        if (actors[q].inside.exchange(true)) overlaps.fetch_add(1);
        runs[id].fetch_add(1);
        actors[q].inside.store(false);
        done.CountDown();
    };
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&, p] {
            for (int i = 0; i < kJobs; ++i) {
                const std::size_t id = (static_cast<std::size_t>(p) * kJobs + i) * 2;
                const int q = (p + i) % kQueues;
                actors[q].queue->DoAsync([&, q, id] {
                    body(q, id);
                    // A follow-up job on another actor, pushed from inside this one.
                    const int r = (q + 1) % kQueues;
                    actors[r].queue->DoAsync([&, r, id] { body(r, id + 1); });
                });
            }
        });
    }
    for (std::thread& t : producers) t.join();
    ASSERT_TRUE(done.Wait());
    EXPECT_EQ(overlaps.load(), 0);
    int wrong = 0;
    for (auto& r : runs) wrong += r.load() != 1;
    EXPECT_EQ(wrong, 0);
}

// The hand-over race: a push lands while the owner lets go of the queue. Two threads push one
// job each per round, at the same moment, then wait for their own job; nobody runs the
// GlobalQueue (and the slice is long), so a job left in the mailbox of an idle queue would
// never run and its pusher would wait in vain.
TEST(JobQueueTest, APushRacingTheOwnersReleaseIsNeverStranded) {
    auto scheduler =
        Scheduler::Create(SchedulerOptions{.timeSlice = 10s, .queueWarnLength = 1u << 30});
    auto queue = std::make_shared<JobQueue>(scheduler);
    constexpr int kRounds = 20000;
    std::atomic<int> arrived{0};  // a spin barrier: both threads leave each round together
    std::atomic<bool> stranded{false};
    auto pusher = [&] {
        const WorkerScope worker(*scheduler);
        std::atomic<int> ran{0};
        for (int i = 0; i < kRounds; ++i) {
            arrived.fetch_add(1);
            while (arrived.load() < 2 * (i + 1) && !stranded.load()) std::this_thread::yield();
            if (stranded.load()) return;  // the other one gave up: so does this one
            queue->DoAsync([&ran] { ran.fetch_add(1, std::memory_order_release); });
            const auto deadline = Clock::now() + std::chrono::seconds(10);
            while (ran.load(std::memory_order_acquire) != i + 1) {
                if (Clock::now() > deadline) {
                    stranded.store(true);
                    return;
                }
                std::this_thread::yield();
            }
        }
    };
    std::thread a(pusher);
    std::thread b(pusher);
    a.join();
    b.join();
    EXPECT_FALSE(stranded.load());
    EXPECT_EQ(queue->PendingJobs(), 0u);
    EXPECT_FALSE(scheduler->HasGlobalWork());
}

class Recorder : public JobQueue {
public:
    using JobQueue::JobQueue;
    std::vector<std::string> errors;

    void Add(int value, const std::string& tag) { values.push_back(tag + std::to_string(value)); }
    std::vector<std::string> values;

protected:
    void OnJobException(std::exception_ptr error) override {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            errors.emplace_back(e.what());
        } catch (...) {
            errors.emplace_back("?");
        }
        if (errors.size() == 3) throw std::runtime_error("the handler itself throws");
    }
};

TEST(JobQueueTest, PassesAThrownExceptionToOnJobExceptionAndRunsLaterJobs) {
    auto scheduler = Scheduler::Create();
    auto queue = std::make_shared<Recorder>(scheduler);
    int after = 0;
    RunInsideJob(scheduler, [&] {
        queue->DoAsync([] { throw std::runtime_error("first"); });
        queue->DoAsync([&] { ++after; });
        queue->DoAsync([] { throw 42; });
        queue->DoAsync([] { throw std::logic_error("third"); });  // handler throws: swallowed
        queue->DoAsync([&] { ++after; });
    });
    ASSERT_TRUE(DriveUntil(*scheduler, [&] { return queue->PendingJobs() == 0; }));
    EXPECT_EQ(queue->errors, (std::vector<std::string>{"first", "?", "third"}));
    EXPECT_EQ(after, 2);
}

TEST(JobQueueTest, CallsAMemberFunctionAndKeepsItsOwnerAliveUntilItRuns) {
    auto scheduler = Scheduler::Create();
    auto recorder = std::make_shared<Recorder>(scheduler);
    std::weak_ptr<Recorder> weak = recorder;
    std::vector<std::string> seen;
    RunInsideJob(scheduler, [&] {
        recorder->DoAsync(&Recorder::Add, 7, std::string("x"));
        recorder->DoAsync([&seen, r = recorder.get()] { seen = r->values; });
    });
    recorder.reset();
    EXPECT_FALSE(weak.expired());  // the queued job holds it
    ASSERT_TRUE(DriveUntil(*scheduler, [&] { return weak.expired(); }));
    EXPECT_EQ(seen, std::vector<std::string>{"x7"});
}

TEST(JobQueueTest, SurvivesAJobThatDropsTheLastReferenceToItsQueue) {
    auto scheduler = Scheduler::Create();
    const WorkerScope worker(*scheduler);  // this thread runs the actors it pushes to
    auto owner = std::make_shared<JobQueue>(scheduler);
    std::weak_ptr<JobQueue> weak = owner;
    JobQueue* queue = owner.get();
    int ran = 0;
    // Inline: the pusher runs it; the queue must outlive its own run (ASan checks).
    queue->DoAsync([&] {
        owner.reset();
        ++ran;
    });
    EXPECT_EQ(ran, 1);
    EXPECT_TRUE(weak.expired());

    // Through the GlobalQueue, with more jobs behind the one that drops the reference.
    owner = std::make_shared<JobQueue>(scheduler);
    weak = owner;
    queue = owner.get();
    RunInsideJob(scheduler, [&] {
        queue->DoAsync([&] { owner.reset(); });
        queue->DoAsync([&] { ++ran; });
    });
    ASSERT_TRUE(DriveUntil(*scheduler, [&] { return weak.expired(); }));
    EXPECT_EQ(ran, 2);
}

TEST(JobQueueTest, CloseDropsPendingJobsAndEveryLaterPush) {
    auto scheduler = Scheduler::Create();
    const WorkerScope worker(*scheduler);  // this thread runs the actors it pushes to
    auto queue = std::make_shared<JobQueue>(scheduler);
    LiveCount live;
    int ran = 0;
    queue->DoAsync([&] {
        for (int i = 0; i < 3; ++i) queue->DoAsync([&, t = live.Make()] { ++ran; });
        EXPECT_EQ(live.Live(), 3);
        queue->Close();
    });
    EXPECT_TRUE(queue->Closed());
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(live.Live(), 0);
    EXPECT_EQ(queue->DroppedJobs(), 3u);
    queue->DoAsync([&, t = live.Make()] { ++ran; });
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(live.Live(), 0);
    EXPECT_EQ(queue->DroppedJobs(), 4u);
    EXPECT_EQ(queue->PendingJobs(), 0u);
}

TEST(JobQueueTest, CloseDropsTheJobsOfAQueueWaitingInTheGlobalQueue) {
    auto scheduler = Scheduler::Create();
    auto queue = std::make_shared<JobQueue>(scheduler);
    LiveCount live;
    int ran = 0;
    RunInsideJob(scheduler, [&] {
        for (int i = 0; i < 5; ++i) queue->DoAsync([&, t = live.Make()] { ++ran; });
    });
    queue->Close();
    scheduler->RunGlobalQueue(Clock::now() + 1s);
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(live.Live(), 0);
    EXPECT_EQ(queue->DroppedJobs(), 5u);
    EXPECT_EQ(queue->PendingJobs(), 0u);
}

TEST(JobQueueTest, DropsJobsThatNeedTheGlobalQueueWhenTheSchedulerIsGone) {
    auto scheduler = Scheduler::Create();
    const WorkerScope worker(*scheduler);  // this thread runs the actors it pushes to
    auto orphan = std::make_shared<JobQueue>();                      // never given a scheduler
    auto expired = std::make_shared<JobQueue>(Scheduler::Create());  // scheduler died at once
    LiveCount live;
    int ran = 0;
    RunInsideJob(scheduler, [&] {
        orphan->DoAsync([&, t = live.Make()] { ++ran; });
        expired->DoAsync([&, t = live.Make()] { ++ran; });
    });
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(live.Live(), 0);
    EXPECT_EQ(orphan->DroppedJobs(), 1u);
    EXPECT_EQ(expired->DroppedJobs(), 1u);
    // Released, not stuck: a push from a worker that runs no queue still runs inline.
    orphan->DoAsync([&] { ++ran; });
    EXPECT_EQ(ran, 1);
}

// The owner looks at the backlog after each full batch: an actor that keeps up never warns.
TEST(JobQueueTest, WarnsOnceASecondWhenTheMailboxPassesTheWarnLength) {
    std::ostringstream log;
    auto previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
    spdlog::set_default_logger(logger);

    auto scheduler = Scheduler::Create(SchedulerOptions{.queueWarnLength = 10});
    auto quiet = std::make_shared<JobQueue>(scheduler);
    auto queue = std::make_shared<JobQueue>(scheduler);
    int ran = 0;
    quiet->DoAsync([&] {
        for (int i = 0; i < 9; ++i) quiet->DoAsync([&] { ++ran; });
    });
    queue->DoAsync([&] {
        for (int i = 0; i < 3000; ++i) queue->DoAsync([&] { ++ran; });
    });
    // Slow machines (sanitizers) may end the slice and leave the rest in the GlobalQueue.
    EXPECT_TRUE(DriveUntil(*scheduler, [&] {
        return queue->PendingJobs() == 0 && quiet->PendingJobs() == 0;
    }));
    spdlog::set_default_logger(previous);

    EXPECT_EQ(ran, 3009);
    const std::string text = log.str();
    std::size_t warnings = 0;
    for (auto at = text.find(" jobs pending (warning threshold 10)"); at != std::string::npos;
         at = text.find(" jobs pending (warning threshold 10)", at + 1)) {
        const auto start = text.rfind(' ', at - 1) + 1;
        EXPECT_GE(std::stoul(text.substr(start, at - start)), 10u) << text;
        ++warnings;
    }
    const auto address = [](const void* p) { return fmt::format("JobQueue {}:", p); };
    EXPECT_NE(text.find(address(queue.get())), std::string::npos) << text;
    EXPECT_EQ(text.find(address(quiet.get())), std::string::npos) << text;
    EXPECT_EQ(warnings, 1u) << text;  // rate-limited
}

// The gauge behind /metrics' tavern_actors_overloaded: an actor counts while its backlog is at
// or over the threshold, and stops counting once it has drained.
TEST(JobQueueTest, CountsAnActorAsOverloadedUntilItsBacklogDrains) {
    auto scheduler = Scheduler::Create(SchedulerOptions{.queueWarnLength = 10});
    auto queue = std::make_shared<JobQueue>(scheduler);
    std::uint64_t seenWhileBusy = 0;
    int ran = 0;
    queue->DoAsync([&] {
        for (int i = 0; i < 3000; ++i) {
            queue->DoAsync([&] {
                ++ran;
                seenWhileBusy = std::max(seenWhileBusy, scheduler->OverloadedActors());
            });
        }
    });
    EXPECT_TRUE(DriveUntil(*scheduler, [&] { return queue->PendingJobs() == 0; }));
    EXPECT_EQ(ran, 3000);
    EXPECT_EQ(seenWhileBusy, 1u);
    EXPECT_TRUE(DriveUntil(*scheduler, [&] { return scheduler->OverloadedActors() == 0; }));
    EXPECT_EQ(scheduler->OverloadedActors(), 0u);
}

}  // namespace
}  // namespace tavern
