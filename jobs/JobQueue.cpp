#include "jobs/JobQueue.h"

#include <algorithm>
#include <array>
#include <new>
#include <thread>

#include <spdlog/spdlog.h>

#include "jobs/Scheduler.h"
#include "jobs/SchedulerOptions.h"
#include "jobs/ThreadContext.h"

namespace tavern {

namespace {

// Publishes, when a run ends, what the destructors of dropped jobs sent (Run publishes what
// each batch of jobs sent, RunFirst what its one job sent).
struct OutboxFlush {
    OutboxFlush() = default;
    OutboxFlush(const OutboxFlush&) = delete;
    OutboxFlush& operator=(const OutboxFlush&) = delete;
    ~OutboxFlush();
};

// Marks the queue this thread runs, for JobQueue::Current and for Push's "run it here?" test.
using CurrentScope = ThreadFieldScope<JobQueue*, &ThreadContext::current>;

// The owner waits here when the mailbox said it held a job that a dequeue did not hand out yet:
// a few cycles normally.
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
JobQueue::~JobQueue() {
    SetOverloaded(false);
}

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
    ThreadContext& context = ThisThread();
    // A job pushed from inside an actor goes to the ordered lane (see the class comment).
    const bool fromActor = context.current != nullptr;
    if (fromActor && context.outboxTo == this) {
        context.outbox.Append(std::move(job));  // behind this job's earlier, unpublished sends
        return;
    }
    const bool runHere = mayRunHere && !fromActor && context.worker != nullptr;
    if (TryAcquire()) {
        // This thread owns the idle queue now. Its own earlier jobs, if any were left, would be
        // visible to it in the mailbox: if the mailbox looks empty, this job is first in line
        // and skips the round trip through it.
        if (MailboxEmpty()) {
            if (runHere) {
                const JobQueueRef self = SelfOrNull();  // a job may drop the last reference
                RunFirst(std::move(job));
                return;
            }
            // This thread already runs a queue (or is the timer thread, or no worker): the queue
            // goes to the GlobalQueue, the job waits in the owner's slot. A queue that gets one
            // message at a time never touches the mailbox.
            _firstJob = std::move(job);
            _firstJobWaiting.store(true, std::memory_order_relaxed);
        } else {
            Enqueue(std::move(job), fromActor);
        }
        RunOrHandOff(runHere);
        return;
    }
    if (fromActor) {
        // The queue is busy. A batch's first send to it goes in at once; from its second on,
        // the sends of the batch's jobs to it are collected and go in together when the batch
        // ends (Run), before the sending queue may move to another thread.
        if (context.lastSent == this) {
            if (JobQueueRef self = SelfOrNull()) {
                FlushOutbox();
                new (context.outboxHold) JobQueueRef(std::move(self));  // until FlushOutbox
                context.outboxTo = this;
                context.outbox.Append(std::move(job));
                return;
            }
        }
        context.lastSent = this;
    }
    Enqueue(std::move(job), fromActor);
    PublishedFromOutside(runHere);
}

void JobQueue::PublishedFromOutside(bool runHere) {
    // The owner's TryRelease stores idle, fences, then looks at the mailbox; this push enqueued,
    // fences, then looks at the state. Either the owner sees this job and keeps (or takes back)
    // the queue, or this push sees the queue idle and takes it.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (TryAcquire()) RunOrHandOff(runHere);
}

void JobQueue::FlushOutbox() {
    ThreadContext& context = ThisThread();
    if (context.outboxTo == nullptr) return;
    auto* held = std::launder(reinterpret_cast<JobQueueRef*>(context.outboxHold));
    const JobQueueRef to = std::move(*held);
    held->~JobQueueRef();
    context.outboxTo = nullptr;
    to->_ordered.PushChain(context.outbox);
    to->PublishedFromOutside(false);
}

void JobQueue::Enqueue(Job job, bool fromActor) {
    if (fromActor) {
        _ordered.Push(std::move(job));
        return;
    }
    EnqueueFromThread(std::move(job));
}

void JobQueue::EnqueueFromThread(Job job) {
    if (!_mailbox.enqueue(std::move(job))) {
        spdlog::critical("JobQueue {}: out of memory in Push", static_cast<void*>(this));
        std::terminate();
    }
}

bool JobQueue::TryAcquire() {
    if (_state.load(std::memory_order_relaxed) != kIdle) return false;  // no RMW while owned
    std::uint8_t expected = kIdle;
    return _state.compare_exchange_strong(expected, kOwned, std::memory_order_acquire,
                                          std::memory_order_relaxed);
}

bool JobQueue::TryRelease() {
    // The release publishes this owner's work to the next owner (whose TryAcquire acquires);
    // the fence orders it before the mailbox check (one full barrier, not two).
    _state.store(kIdle, std::memory_order_release);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (MailboxEmpty()) return true;
    // A push came in meanwhile. Take the queue back, unless its pusher (or another) already did.
    return !TryAcquire();
}

void JobQueue::RunOrHandOff(bool runHere) {
    if (runHere) {
        const JobQueueRef self = SelfOrNull();
        Execute();
        return;
    }
    if (!HandOff()) {
        spdlog::debug("JobQueue {}: no scheduler to run it, jobs dropped",
                      static_cast<void*>(this));
        DropOwned();
    }
}

void JobQueue::RunFirst(Job job) {
    {
        const OutboxFlush flush;
        const CurrentScope current(this);
        if (_closed.load(std::memory_order_acquire)) {
            _dropped.fetch_add(1, std::memory_order_relaxed);
        } else {
            RunOne(job);
        }
        job.Reset();
    }
    if (TryRelease()) return;
    Execute();  // others pushed meanwhile: go on as the owner
}

bool JobQueue::MailboxEmpty() const {
    return _mailbox.size_approx() == 0 && _ordered.Empty();
}

std::size_t JobQueue::Dequeue(Job* out, std::size_t max) {
    // Take turns which lane goes first, so that neither starves the other.
    _orderedFirst = !_orderedFirst;
    std::size_t n = 0;
    if (_orderedFirst) n = _ordered.Pop(out, max);
    if (n < max) n += _mailbox.try_dequeue_bulk(out + n, max - n);
    if (!_orderedFirst && n < max) n += _ordered.Pop(out + n, max - n);
    return n;
}

void JobQueue::RunOwned() {
    Execute();
}

void JobQueue::PostFromTimer(Job job) {
    Post(std::move(job), false);
}

void JobQueue::Execute() {
    if (const auto& slice = ThisThread().slice) {
        Run(slice->start, slice->end);
    } else {
        Run(std::nullopt, std::nullopt);
    }
}

void JobQueue::Run(std::optional<Clock::time_point> lastCheck,
                   std::optional<Clock::time_point> sliceEnd) {
    const OutboxFlush flush;  // after CurrentScope ends: the jobs it publishes are no sends of ours
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
        _firstJobWaiting.store(false, std::memory_order_relaxed);
        if (_closed.load(std::memory_order_acquire)) {
            _dropped.fetch_add(1, std::memory_order_relaxed);
        } else {
            RunOne(job);
        }
        job.Reset();
        FlushOutboxOfThisThread();  // before the queue may leave this thread
        if (sliceOver(1)) return;
    }
    std::array<Job, kBatch> batch;  // declared late: a one-job run does not build it
    unsigned idleSpins = 0;
    for (;;) {
        if (_closed.load(std::memory_order_acquire)) {
            DropOwned();
            return;
        }
        const std::size_t n = Dequeue(batch.data(), _batchHint);
        if (n == 0) {
            if (_overloaded) SetOverloaded(false);  // drained
            if (TryRelease()) return;
            // Taken back for a push that the mailbox did not hand out yet: rare and short.
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
        // What the batch's jobs sent to busy actors enters their mailboxes now, before the queue
        // may leave this thread (a later owner's sends must come after these).
        FlushOutboxOfThisThread();
        if (dropped != 0) _dropped.fetch_add(dropped, std::memory_order_relaxed);
        if (n == _batchHint) WarnIfLong();  // a full batch: there may be a backlog
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
    job.Reset();  // captures die now, on the actor's thread (their destructors may send)
}

bool JobQueue::HandOff() {
    JobQueueRef self = SelfOrNull();
    if (!self) return false;
    // Inside its own scheduler's RunGlobalQueue (actor-to-actor messages), that scheduler is
    // alive: skip the weak_ptr lock, a contended RMW shared by every worker. `expired()` rules
    // out a dead scheduler whose address a new one reuses.
    Scheduler* scheduler = _schedulerAddress;
    SchedulerRef hold;
    if (scheduler == nullptr || scheduler != ThisThread().running || _scheduler.expired()) {
        hold = _scheduler.lock();
        scheduler = hold.get();
        if (scheduler == nullptr) return false;
    }
    RunnableRef runnable = std::move(self);
    if (!scheduler->Enqueue(runnable)) DropOwned();  // stopped: nothing may run any more
    return true;
}

namespace {
OutboxFlush::~OutboxFlush() {
    JobQueue::FlushOutboxOfThisThread();
}
}  // namespace

void JobQueue::FlushOutboxOfThisThread() {
    FlushOutbox();
    ThisThread().lastSent = nullptr;  // the next batch's first send to a busy actor goes at once
}

void JobQueue::DropOwned() {
    const OutboxFlush flush;
    if (_firstJob) {
        _firstJob.Reset();
        _firstJobWaiting.store(false, std::memory_order_relaxed);
        _dropped.fetch_add(1, std::memory_order_relaxed);
    }
    std::array<Job, kBatch> batch;
    unsigned idleSpins = 0;
    for (;;) {
        const std::size_t n = Dequeue(batch.data(), batch.size());
        if (n == 0) {
            if (TryRelease()) return;
            Backoff(++idleSpins);
            continue;
        }
        idleSpins = 0;
        for (std::size_t i = 0; i < n; ++i) batch[i].Reset();
        _dropped.fetch_add(n, std::memory_order_relaxed);
    }
}

void JobQueue::Close() {
    _closed.store(true, std::memory_order_release);
}

JobQueue* JobQueue::Current() {
    return ThisThread().current;
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

std::size_t JobQueue::PendingJobs() const {
    return _mailbox.size_approx() + _ordered.SizeApprox() +
           (_firstJobWaiting.load(std::memory_order_relaxed) ? 1 : 0);
}

void JobQueue::WarnIfLong() {
    // Owner only, after a full batch: looks at the clock only when over the threshold.
    const std::size_t length = _mailbox.size_approx() + _ordered.SizeApprox();
    SetOverloaded(length >= _warnLength);
    if (length < _warnLength) return;
    const Clock::rep now = Clock::now().time_since_epoch().count();
    const Clock::rep second = Clock::duration(std::chrono::seconds(1)).count();
    if (_lastWarn != 0 && now - _lastWarn < second) return;
    _lastWarn = now;
    if (const SchedulerRef scheduler = _scheduler.lock())
        scheduler->CountOverloadWarning();
    spdlog::warn("JobQueue {}: {} jobs pending (warning threshold {}); the actor is overloaded",
                 static_cast<void*>(this), length, _warnLength);
}

void JobQueue::SetOverloaded(bool overloaded) {
    if (overloaded == _overloaded) return;
    const SchedulerRef scheduler = _scheduler.lock();
    if (!scheduler) return;  // nobody counts any more
    _overloaded = overloaded;
    scheduler->ChangeOverloadedActors(overloaded ? 1 : -1);
}

TimerHandle JobQueue::AddTimer(Clock::duration delay, Job job) {
    const SchedulerRef scheduler = _scheduler.lock();
    if (!scheduler || scheduler->Stopped()) {
        job.Reset();
        _dropped.fetch_add(1, std::memory_order_relaxed);
        return {};
    }
    if (delay < Clock::duration::zero()) delay = Clock::duration::zero();
    std::weak_ptr<Runnable> target = weak_from_this();
    return scheduler->AddTimer(Clock::now() + delay, std::move(target), std::move(job));
}

}  // namespace tavern
