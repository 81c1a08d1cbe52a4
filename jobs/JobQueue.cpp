#include "jobs/JobQueue.h"

#include <algorithm>
#include <array>
#include <thread>

#include <spdlog/spdlog.h>

#include "jobs/Scheduler.h"
#include "jobs/SchedulerOptions.h"
#include "jobs/SliceScope.h"

namespace tavern {

namespace {

thread_local JobQueue* tCurrent = nullptr;

// Marks the queue this thread runs, for JobQueue::Current and for Push's "run it here?" test.
class CurrentScope {
public:
    explicit CurrentScope(JobQueue* queue) noexcept : _previous(tCurrent) { tCurrent = queue; }
    ~CurrentScope() { tCurrent = _previous; }
    CurrentScope(const CurrentScope&) = delete;
    CurrentScope& operator=(const CurrentScope&) = delete;

private:
    JobQueue* _previous;
};

// The owner waits here for a job that a pusher has counted but not yet enqueued: a few cycles
// normally, longer only if that pusher was preempted in between.
void Backoff(unsigned spins) {
    if (spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    } else {
        std::this_thread::yield();
    }
}

}  // namespace

JobQueue::JobQueue()
    : _timeSlice(SchedulerOptions{}.timeSlice),
      _warnLength(SchedulerOptions{}.queueWarnLength),
      _mailbox(0) {}

JobQueue::JobQueue(const SchedulerRef& scheduler) : JobQueue() {
    SetScheduler(scheduler);
}

// Jobs still in the mailbox (possible only if the queue was never shared-owned or its scheduler
// died with it queued) are destroyed by the mailbox's destructor: nothing leaks.
JobQueue::~JobQueue() = default;

void JobQueue::SetScheduler(const SchedulerRef& scheduler) {
    _scheduler = scheduler;
    _schedulerAddress = scheduler.get();
    if (scheduler) {
        _timeSlice = scheduler->Options().timeSlice;
        _warnLength = scheduler->Options().queueWarnLength;
    }
}

void JobQueue::Push(Job job) {
    Post(std::move(job), true);
}

void JobQueue::Post(Job job, bool mayRunHere) {
    if (!job) return;
    if (_closed.load(std::memory_order_acquire)) {
        job.Reset();
        _dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    // Count first, then enqueue: the owner keeps the queue while the count says a job is coming,
    // even if it cannot dequeue it yet.
    const std::size_t before = _count.fetch_add(1, std::memory_order_acq_rel);
    if (before == 0 && mayRunHere && tCurrent == nullptr) {
        // This push made the queue busy and this thread owns it now. The mailbox is empty (every
        // earlier job was taken out and counted off), so this job is first in line: run it
        // without the round trip through the mailbox.
        const JobQueueRef self = SelfOrNull();  // a job may drop the last reference
        RunFirst(std::move(job));
        return;
    }
    if (before == 0) {
        // This push made the queue busy, but this thread already runs a queue (or is the timer
        // thread): the queue goes to the GlobalQueue. The mailbox is empty, so the job waits in
        // the owner's slot; a queue that gets one message at a time never touches the mailbox.
        _firstJob = std::move(job);
        if (!HandOff()) {
            spdlog::debug("JobQueue {}: no scheduler to run it, jobs dropped",
                          static_cast<void*>(this));
            DropOwned();
        }
        return;
    }
    if (!_mailbox.enqueue(std::move(job))) {
        // Only an allocation failure; the count can no longer be trusted.
        spdlog::critical("JobQueue {}: out of memory in Push", static_cast<void*>(this));
        std::terminate();
    }
    if (before >= _warnLength) WarnIfLong(before + 1);
}

void JobQueue::RunFirst(Job job) {
    {
        const CurrentScope current(this);
        if (_closed.load(std::memory_order_acquire)) {
            _dropped.fetch_add(1, std::memory_order_relaxed);
        } else {
            RunOne(job);
        }
        job.Reset();
    }
    if (_count.fetch_sub(1, std::memory_order_acq_rel) == 1) return;
    Execute();  // others pushed meanwhile: go on as the owner
}

void JobQueue::Execute() {
    if (const auto slice = SliceScope::Current()) {
        Run(slice->start, slice->end);
    } else {
        Run(std::nullopt, std::nullopt);
    }
}

void JobQueue::Run(std::optional<Clock::time_point> lastCheck,
                   std::optional<Clock::time_point> sliceEnd) {
    const CurrentScope current(this);
    // Reads the clock (once per batch): fits the batch size to the jobs' cost, and returns true
    // when the slice is over and the queue has left this thread.
    auto sliceOver = [&](std::size_t ran) {
        const auto now = Clock::now();
        if (lastCheck && ran != 0) FitBatch(ran, now - *lastCheck);
        lastCheck = now;
        if (!sliceEnd) {
            sliceEnd = now + _timeSlice;
            return false;
        }
        return now >= *sliceEnd && HandOff();
    };
    if (_firstJob) {
        Job job = std::move(_firstJob);
        if (_closed.load(std::memory_order_acquire)) {
            _dropped.fetch_add(1, std::memory_order_relaxed);
        } else {
            RunOne(job);
        }
        job.Reset();
        if (_count.fetch_sub(1, std::memory_order_acq_rel) == 1) return;
        if (sliceOver(1)) return;
    }
    std::array<Job, kBatch> batch;  // declared late: a one-job run does not build it
    unsigned idleSpins = 0;
    for (;;) {
        if (_closed.load(std::memory_order_acquire)) {
            DropOwned();
            return;
        }
        const std::size_t n = _mailbox.try_dequeue_bulk(batch.begin(), _batchHint);
        if (n == 0) {
            // Counted but not enqueued yet (or not yet visible): we still own the queue and must
            // not release it. Give it back to the GlobalQueue if the wait eats the slice.
            if (++idleSpins % 64 == 0 && sliceOver(0)) return;
            Backoff(idleSpins);
            continue;
        }
        idleSpins = 0;
        std::uint64_t dropped = 0;
        for (std::size_t i = 0; i < n; ++i) {
            // A job may close its own queue: the rest of the batch is then dropped, not run.
            if (_closed.load(std::memory_order_relaxed)) {
                ++dropped;
            } else {
                RunOne(batch[i]);
            }
            batch[i].Reset();  // captures die now, on the actor's thread
        }
        if (dropped != 0) _dropped.fetch_add(dropped, std::memory_order_relaxed);
        // Decrement only for jobs taken out; reaching 0 releases the queue.
        if (_count.fetch_sub(n, std::memory_order_acq_rel) == n) return;
        if (sliceOver(n)) return;
    }
}

void JobQueue::FitBatch(std::size_t ran, Clock::duration elapsed) {
    // Aim at batches of about an eighth of the slice: cheap jobs get full batches (one clock
    // read per kBatch jobs), slow ones small batches, so a run overshoots its slice by about one
    // slow job at most. The size is remembered across runs; only the owner touches it.
    const Clock::duration target = _timeSlice / 8;
    if (elapsed > target) {
        const auto fit = static_cast<std::size_t>(static_cast<Clock::rep>(ran) * target.count() /
                                                  std::max<Clock::rep>(elapsed.count(), 1));
        _batchHint = static_cast<std::uint8_t>(std::clamp<std::size_t>(fit, 1, kBatch));
    } else if (elapsed < target / 4 && _batchHint < kBatch) {
        _batchHint = static_cast<std::uint8_t>(std::min<std::size_t>(kBatch, _batchHint * 2u));
    }
}

void JobQueue::RunOne(Job& job) noexcept {
    try {
        job();
    } catch (...) {
        try {
            OnJobException(std::current_exception());
        } catch (...) {
            spdlog::error("JobQueue {}: OnJobException threw; exception dropped",
                          static_cast<void*>(this));
        }
    }
}

bool JobQueue::HandOff() {
    JobQueueRef self = SelfOrNull();
    if (!self) return false;
    // Inside its own scheduler's RunGlobalQueue (actor-to-actor messages), that scheduler is
    // alive: skip the weak_ptr lock, a contended RMW shared by every worker. `expired()` rules
    // out a dead scheduler whose address a new one reuses.
    Scheduler* scheduler = _schedulerAddress;
    SchedulerRef hold;
    if (scheduler == nullptr || scheduler != Scheduler::Running() || _scheduler.expired()) {
        hold = _scheduler.lock();
        scheduler = hold.get();
        if (scheduler == nullptr) return false;
    }
    if (!scheduler->Enqueue(self)) DropOwned();  // stopped: nothing may run any more
    return true;
}

void JobQueue::DropOwned() {
    if (_firstJob) {
        _firstJob.Reset();
        _dropped.fetch_add(1, std::memory_order_relaxed);
        if (_count.fetch_sub(1, std::memory_order_acq_rel) == 1) return;
    }
    std::array<Job, kBatch> batch;
    unsigned idleSpins = 0;
    for (;;) {
        const std::size_t n = _mailbox.try_dequeue_bulk(batch.begin(), batch.size());
        if (n == 0) {
            Backoff(++idleSpins);
            continue;
        }
        idleSpins = 0;
        for (std::size_t i = 0; i < n; ++i) batch[i].Reset();
        _dropped.fetch_add(n, std::memory_order_relaxed);
        if (_count.fetch_sub(n, std::memory_order_acq_rel) == n) return;
    }
}

void JobQueue::Close() {
    _closed.store(true, std::memory_order_release);
}

JobQueue* JobQueue::Current() {
    return tCurrent;
}

JobQueueRef JobQueue::SelfOrNull() noexcept {
    // shared_from_this locks the internal weak_ptr in place; weak_from_this().lock() would copy
    // it first, two more atomic operations on a control block that every pusher touches.
    try {
        return shared_from_this();
    } catch (const std::bad_weak_ptr&) {
        return nullptr;  // not owned by a shared_ptr (or being destroyed)
    }
}

void JobQueue::OnJobException(std::exception_ptr error) {
    try {
        std::rethrow_exception(std::move(error));
    } catch (const std::exception& e) {
        spdlog::error("JobQueue {}: job threw: {}", static_cast<void*>(this), e.what());
    } catch (...) {
        spdlog::error("JobQueue {}: job threw a non-standard exception", static_cast<void*>(this));
    }
}

void JobQueue::WarnIfLong(std::size_t length) {
    // Look at the clock only on crossing the threshold and every 1024 jobs past it.
    if (length != _warnLength + 1 && length % 1024 != 0) return;
    const Clock::rep now = Clock::now().time_since_epoch().count();
    Clock::rep last = _lastWarn.load(std::memory_order_relaxed);
    const Clock::rep second = Clock::duration(std::chrono::seconds(1)).count();
    if (last != 0 && now - last < second) return;
    if (!_lastWarn.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
    spdlog::warn("JobQueue {}: {} jobs pending (warning threshold {}); the actor is overloaded",
                 static_cast<void*>(this), length, _warnLength);
}

TimerHandle JobQueue::AddTimer(Clock::duration delay, Job job) {
    const SchedulerRef scheduler = _scheduler.lock();
    if (!scheduler || scheduler->Stopped()) {
        job.Reset();
        _dropped.fetch_add(1, std::memory_order_relaxed);
        return {};
    }
    if (delay < Clock::duration::zero()) delay = Clock::duration::zero();
    return scheduler->AddTimer(Clock::now() + delay, weak_from_this(), std::move(job));
}

}  // namespace tavern
