#include "jobs/Scheduler.h"

#include <algorithm>
#include <utility>

#include "jobs/Runnable.h"
#include "jobs/ThreadContext.h"

// ThreadSanitizer does not model std::atomic_thread_fence; under it, Stop and the pushers pair
// through read-modify-writes on the flag instead (correct too, but a contended write per push).
#if defined(__SANITIZE_THREAD__)
#define TAVERN_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TAVERN_TSAN 1
#endif
#endif
#ifndef TAVERN_TSAN
#define TAVERN_TSAN 0
#endif

namespace tavern {

namespace {

// Marks the scheduler whose GlobalQueue this thread is running (see JobQueue::HandOff).
using RunningScope = ThreadFieldScope<Scheduler*, &ThreadContext::running>;
using SliceScope = ThreadFieldScope<std::optional<ThreadContext::Slice>, &ThreadContext::slice>;

}  // namespace

SchedulerRef Scheduler::Create(SchedulerOptions options) {
    return std::make_shared<Scheduler>(PrivateTag{}, options);
}

Scheduler::Scheduler(PrivateTag, SchedulerOptions options) : _options(options) {}

// Queues still in the GlobalQueue are owned by it: release them properly (jobs dropped) so
// that they accept work again, instead of destroying the entries and stranding their counts.
Scheduler::~Scheduler() {
    Stop();
}

void Scheduler::SetWakeHook(std::function<void()> hook) {
    _wakeHook = std::move(hook);
}

std::size_t Scheduler::RunGlobalQueue(Clock::time_point deadline) {
    if (ThisThread().current != nullptr || !HasGlobalWork()) return 0;
    const RunningScope running(this);
    std::size_t ran = 0;
    for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
        const RunnableRef queue = _global.TryPop();
        if (!queue) break;
        if (Stopped()) {
            queue->DropOwned();
            continue;
        }
        const SliceScope slice(ThreadContext::Slice{now, std::min(deadline, now + _options.timeSlice)});
        queue->RunOwned();
        ++ran;
    }
    return ran;
}

std::size_t Scheduler::DistributeTimers(Clock::time_point now) {
    if (Stopped()) return 0;
    const RunningScope running(this);
    return _timer.Distribute(now);
}

std::optional<Clock::duration> Scheduler::NextTimerDelay(Clock::time_point now) const {
    return _timer.NextDelay(now);
}

bool Scheduler::HasGlobalWork() const {
    return _global.SizeApprox() != 0;
}

void Scheduler::Stop() {
    _stopped.exchange(true, std::memory_order_acq_rel);
#if !TAVERN_TSAN
    std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with StoppedAfterPublish
#endif
    DropGlobal();
    _timer.Clear();
}

// Dekker-style: the pusher publishes its entry then reads the flag; Stop sets the flag then
// drains. Either the pusher sees the flag (and drains itself) or Stop sees the entry.
bool Scheduler::StoppedAfterPublish() {
#if TAVERN_TSAN
    // A CAS that writes back `false`: an RMW ordered with Stop's exchange.
    bool expected = false;
    return !_stopped.compare_exchange_strong(expected, false, std::memory_order_acq_rel);
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return _stopped.load(std::memory_order_relaxed);
#endif
}

bool Scheduler::Enqueue(RunnableRef& queue) {
    if (Stopped()) return false;
    _global.Push(std::move(queue));
    Wake();
    // Stop raced with us: do not leave the queue (and what its jobs capture) stranded.
    if (StoppedAfterPublish()) DropGlobal();
    return true;
}

TimerHandle Scheduler::AddTimer(Clock::time_point due, std::weak_ptr<Runnable> queue, Job job) {
    JobTimer::Inserted inserted = _timer.Insert(due, std::move(queue), std::move(job));
    if (inserted.earliest) Wake();
    if (StoppedAfterPublish()) _timer.Clear();
    return std::move(inserted.handle);
}

void Scheduler::Wake() const {
    if (_wakeHook) _wakeHook();
}

void Scheduler::DropGlobal() {
    while (const RunnableRef queue = _global.TryPop()) queue->DropOwned();
}

}  // namespace tavern
