#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include <concurrentqueue/concurrentqueue.h>

#include "jobs/Clock.h"
#include "jobs/Job.h"
#include "jobs/JobsFwd.h"
#include "jobs/OrderedLane.h"
#include "jobs/Runnable.h"
#include "jobs/TimerHandle.h"

namespace tavern {

// An actor: a mailbox of Jobs that run one at a time, never concurrently.
//
// The mailbox has two lanes, drained in turn by whoever owns the queue:
//   - a moodycamel::ConcurrentQueue for pushes from threads that run no actor (an I/O worker
//     handing over received packets, a timer, a blocking executor, a test's main thread):
//     FIFO per pushing thread, which is per sender for them;
//   - an OrderedLane for pushes made by a running actor: FIFO in push order, so what one actor
//     sends to another arrives in send order, whichever workers ran the sender's jobs.
// `_state` says whether some thread owns the queue (runs it, or has handed it to the
// GlobalQueue, which then owns it). Only the owner dequeues. A push writes its job and then
// reads the state: while the queue is owned a moodycamel push touches no shared counter at all,
// so threads pushing into a busy actor cost each other only the job's own cache lines. (An
// atomic count of pending jobs made every push an RMW on a line the owner also writes: measured
// at 90% of the push's time with two producers.)
//
//   Push:  idle and this thread takes it (CAS) ?
//            yes: mailbox empty ? run the job here, straight away (or, if this thread already
//                                 runs a queue or is no worker, park it in _firstJob and give
//                                 the queue to the GlobalQueue)
//                 else: enqueue it, then run the queue here (or hand it to the GlobalQueue)
//            no : enqueue it; fence; idle now and this thread takes it ? run / hand off as above
//   Run:   dequeue a batch and run it, until the mailbox is empty or the slice is over (then the
//          GlobalQueue). Release: state = idle; fence; mailbox still not empty ? take it back
//          (unless a pusher just did) and go on.
//
// The two fences make the hand-over safe: a push that enqueued while the owner was releasing is
// either seen by the owner (which keeps the queue) or sees the queue idle (and takes it). This is
// also why "a dequeue can miss a job another thread is still enqueuing" is harmless here: a push
// looks at the state only after its enqueue has completed.
//
// Order: jobs that one actor pushes to another run in the order pushed, and so do jobs one
// non-actor thread pushes; there is no order across senders (README, "Jobs").
//
// Memory (x86-64, libstdc++): make_shared<JobQueue> takes 528 bytes of heap. An idle queue
// costs nothing more, and neither does one that only ever gets one job at a time (that job is run
// at once, or waits in _firstJob). The first job that finds the queue busy, from a given
// non-actor thread, adds that thread's moodycamel producer and a 64-job block: about 4.4 KiB per
// (queue, pushing thread), kept for reuse until the queue is destroyed. A job an actor pushes
// into a busy queue costs one 80-byte node while it waits (a burst: a 64-byte slot of a
// 1,088-byte block of 16).
class JobQueue : public Runnable, public std::enable_shared_from_this<JobQueue> {
public:
    // Scheduler set later with SetScheduler.
    JobQueue();
    explicit JobQueue(const SchedulerRef& scheduler);
    virtual ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    // Only before the first push (not thread-safe). Held weakly: a queue never keeps its scheduler
    // alive. Copies the options it needs so that a push never touches the scheduler.
    void SetScheduler(const SchedulerRef& scheduler);

    // Safe to call from any thread. Runs the job here and now if this push makes the queue busy
    // and this thread is a worker (WorkerScope) not running a queue already; otherwise the
    // queue's owner runs it (a worker that takes it from the GlobalQueue).
    void Push(Job job);

    // Safe to call from any thread.
    // (clang-format 14 mangles requires-clauses, hence the markers.)
    // clang-format off
    template <class F>
        requires std::invocable<std::decay_t<F>&>
    void DoAsync(F&& f) {
        Push(Job(std::forward<F>(f)));
    }
    // clang-format on

    // Safe to call from any thread. Calls (owner->*method)(args...) on this queue; the job keeps
    // the owner alive. Arguments are decay-copied into the job and moved into the call (as with
    // std::thread): use std::ref for a non-const reference parameter.
    template <class T, class R, class... Params, class... Args>
    void DoAsync(R (T::*method)(Params...), Args&&... args) {
        Push(BindStrong(method, std::forward<Args>(args)...));
    }
    template <class T, class R, class... Params, class... Args>
    void DoAsync(R (T::*method)(Params...) const, Args&&... args) {
        Push(BindStrong(method, std::forward<Args>(args)...));
    }

    // Safe to call from any thread. Pushes `f` into this queue after `delay` (never earlier, at
    // 1 ms resolution). The timer holds this queue weakly: if the queue is gone, nothing runs.
    // clang-format off
    template <class F>
        requires std::invocable<std::decay_t<F>&>
    TimerHandle DoTimer(Clock::duration delay, F&& f) {
        return AddTimer(delay, Job(std::forward<F>(f)));
    }
    // clang-format on

    // Safe to call from any thread. As above with a member function; the timer and its job hold
    // the owner weakly, so a pending timer never keeps an actor alive.
    template <class T, class R, class... Params, class... Args>
    TimerHandle DoTimer(Clock::duration delay, R (T::*method)(Params...), Args&&... args) {
        return AddTimer(delay, BindWeak(method, std::forward<Args>(args)...));
    }
    template <class T, class R, class... Params, class... Args>
    TimerHandle DoTimer(Clock::duration delay, R (T::*method)(Params...) const, Args&&... args) {
        return AddTimer(delay, BindWeak(method, std::forward<Args>(args)...));
    }

    // Safe to call from any thread. Pending jobs are dropped (destroyed, never run) by the queue's
    // owner: at once if the queue is running, else when a worker next takes it from the
    // GlobalQueue (or at Scheduler::Stop). Every later push is dropped. Idempotent.
    void Close();
    // Safe to call from any thread.
    bool Closed() const { return _closed.load(std::memory_order_acquire); }
    // Safe to call from any thread. Approximate: jobs pushed and not yet run or dropped.
    std::size_t PendingJobs() const;
    // Safe to call from any thread. Jobs destroyed without running (closed, stopped, no scheduler).
    std::uint64_t DroppedJobs() const { return _dropped.load(std::memory_order_relaxed); }

    // Only on this thread: the queue this thread is running now, or nullptr.
    static JobQueue* Current();
    // Only on this thread, for the runtime: publishes the sends a job left unpublished.
    static void FlushOutboxOfThisThread();

protected:
    // Safe to call from any thread: this actor as its own class T (a class derived from
    // JobQueue), for handing out shared handles without a cast in every subclass.
    template <class T>
        requires std::derived_from<T, JobQueue>
    std::shared_ptr<T> SharedAs() {
        return std::static_pointer_cast<T>(shared_from_this());
    }

    // Called on the running thread when a job throws; the queue then goes on with the next job.
    // The default logs with spdlog::error. Exceptions thrown from here are logged and swallowed.
    virtual void OnJobException(std::exception_ptr error);

private:
    // Runnable, for the Scheduler and its JobTimer only.
    void RunOwned() override;
    void DropOwned() override;
    void PostFromTimer(Job job) override;

    // Small indexes: a server holds 10,000+ queues, most of them nearly empty. Blocks of 64 jobs
    // (4 KiB), not smaller: each block costs the pusher and the owner a trip through moodycamel's
    // block index and free list, lines that both cores write. Two threads pushing into one actor
    // ran 2.3x-2.5x the mutex baseline with 16-job blocks, 2.8x-3.0x with 32, 3.0x-4.0x with 64;
    // the game server's peak resident memory did not move (README, "Decisions written down").
    struct MailboxTraits : moodycamel::ConcurrentQueueDefaultTraits {
        static constexpr std::size_t BLOCK_SIZE = 64;
        static constexpr std::size_t EXPLICIT_INITIAL_INDEX_SIZE = 2;
        static constexpr std::size_t IMPLICIT_INITIAL_INDEX_SIZE = 4;
        static constexpr std::size_t INITIAL_IMPLICIT_PRODUCER_HASH_SIZE = 4;
    };
    using Mailbox = moodycamel::ConcurrentQueue<Job, MailboxTraits>;
    // Jobs per dequeue, at most; the slice clock is read once per batch. A fresh queue starts
    // with small batches until it has measured its jobs (see FitBatch).
    static constexpr std::size_t kBatch = 16;
    static constexpr std::uint8_t kFirstBatch = 4;

    template <class M, class... Args>
    Job BindStrong(M method, Args&&... args) {
        using T = MemberOwner<M>;
        return Job([owner = std::static_pointer_cast<T>(shared_from_this()), method,
                    ... a = std::forward<Args>(args)]() mutable {
            std::invoke(method, *owner, std::move(a)...);
        });
    }

    template <class M, class... Args>
    Job BindWeak(M method, Args&&... args) {
        using T = MemberOwner<M>;
        std::weak_ptr<T> weak = std::static_pointer_cast<T>(shared_from_this());
        return Job([weak = std::move(weak), method, ... a = std::forward<Args>(args)]() mutable {
            if (auto owner = weak.lock()) std::invoke(method, *owner, std::move(a)...);
        });
    }

    template <class M>
    struct MemberOwnerOf;
    template <class R, class T, class... P>
    struct MemberOwnerOf<R (T::*)(P...)> {
        using Type = T;
    };
    template <class R, class T, class... P>
    struct MemberOwnerOf<R (T::*)(P...) const> {
        using Type = const T;
    };
    template <class M>
    using MemberOwner = typename MemberOwnerOf<M>::Type;

    // Any thread. `mayRunHere`: false for the timer thread, which must not run user jobs inline.
    void Post(Job job, bool mayRunHere);
    // Only by the owner: runs jobs until the queue is empty or the thread's time slice is over.
    void Execute();
    // Only by the owner: dequeues up to `max` jobs from both lanes, taking turns which goes first.
    std::size_t Dequeue(Job* out, std::size_t max);
    // Only by the owner: both lanes empty (a push in progress counts as a job).
    bool MailboxEmpty() const;
    TimerHandle AddTimer(Clock::duration delay, Job job);

    // Only by the owner. Without a slice (a pusher running the queue inline) the slice starts at
    // the first clock reading, so a run that empties the queue in one batch never reads the clock.
    void Run(std::optional<Clock::time_point> lastCheck, std::optional<Clock::time_point> sliceEnd);
    void FitBatch(std::size_t ran, Clock::duration elapsed);
    // Only by the owner, when its push made the queue busy: runs that job, then the rest.
    void RunFirst(Job job);
    // Any thread. Puts a job in the mailbox, in the ordered lane if an actor pushed it
    // (terminates on allocation failure).
    void Enqueue(Job job, bool fromActor);
    void EnqueueFromThread(Job job);
    // Any thread, after putting jobs in the mailbox of a queue it does not own: takes the queue
    // if it went idle meanwhile, and runs it here or hands it to the GlobalQueue.
    void PublishedFromOutside(bool runHere);
    // This thread: publishes what the running batch sent to a busy actor (ThreadContext::outbox).
    static void FlushOutbox();
    // Any thread: takes ownership of an idle queue. False if it is owned.
    bool TryAcquire();
    // Only by the owner, the mailbox seen empty: gives up ownership. False if the queue had to be
    // taken back (a push came in meanwhile): the caller still owns it.
    bool TryRelease();
    // Only by the owner: runs the queue here, or gives it to the GlobalQueue.
    void RunOrHandOff(bool runHere);
    // Only by the owner: gives the queue to the GlobalQueue (or drops its jobs if the scheduler is
    // stopped). False if there is no scheduler to hand it to; the caller still owns the queue.
    bool HandOff();
    void RunOne(Job& job) noexcept;
    JobQueueRef SelfOrNull() noexcept;
    // Only by the owner: warns (once a second at most) when the mailbox passes the warn length.
    void WarnIfLong();
    // Owner only (or the destructor): enters or leaves the scheduler's overloaded count.
    void SetOverloaded(bool overloaded);

    // Read-mostly: set before the first push, read by every push.
    std::weak_ptr<Scheduler> _scheduler;
    Scheduler* _schedulerAddress = nullptr;  // compared, never used unless known alive
    Clock::duration _timeSlice;
    std::size_t _warnLength;
    std::atomic<bool> _closed{false};
    std::uint8_t _batchHint = kFirstBatch;  // owner only
    Mailbox _mailbox;
    bool _orderedFirst = false;  // owner only: which lane the next dequeue tries first
    bool _overloaded = false;    // owner only: counted in the scheduler's OverloadedActors
    // Read by every push, written only when the queue changes hands: kept off the cache lines of
    // the fields above and of the mailbox's header (its producer hash is read by every enqueue).
    static constexpr std::uint8_t kIdle = 0;
    static constexpr std::uint8_t kOwned = 1;
    alignas(64) std::atomic<std::uint8_t> _state{kIdle};
    OrderedLane _ordered;  // its tail is written by every push from an actor
    std::atomic<bool> _firstJobWaiting{false};  // for PendingJobs: written by the owner
    std::atomic<std::uint64_t> _dropped{0};
    Clock::rep _lastWarn = 0;  // owner only
    Job _firstJob;  // owner only: the job of a push that made the queue busy and handed it off
};

}  // namespace tavern
