#include "jobs/Scheduler.h"

#include <algorithm>
#include <utility>

#include "jobs/JobQueue.h"
#include "jobs/SliceScope.h"

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

thread_local Scheduler* tRunning = nullptr;

// Marks the scheduler whose GlobalQueue this thread is running (see JobQueue::HandOff).
class RunningScope {
public:
    explicit RunningScope(Scheduler* scheduler) noexcept : _previous(tRunning) {
        tRunning = scheduler;
    }
    ~RunningScope() { tRunning = _previous; }
    RunningScope(const RunningScope&) = delete;
    RunningScope& operator=(const RunningScope&) = delete;

private:
    Scheduler* _previous;
};

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
    if (JobQueue::Current() != nullptr || !HasGlobalWork()) return 0;
    const RunningScope running(this);
    std::size_t ran = 0;
    for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
        const JobQueueRef queue = _global.TryPop();
        if (!queue) break;
        if (Stopped()) {
            queue->DropOwned();
            continue;
        }
        const SliceScope slice(now, std::min(deadline, now + _options.timeSlice));
        queue->Execute();
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

Scheduler* Scheduler::Running() noexcept {
    return tRunning;
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

bool Scheduler::Enqueue(JobQueueRef& queue) {
    if (Stopped()) return false;
    _global.Push(std::move(queue));
    Wake();
    // Stop raced with us: do not leave the queue (and what its jobs capture) stranded.
    if (StoppedAfterPublish()) DropGlobal();
    return true;
}

TimerHandle Scheduler::AddTimer(Clock::time_point due, std::weak_ptr<JobQueue> queue, Job job) {
    JobTimer::Inserted inserted = _timer.Insert(due, std::move(queue), std::move(job));
    if (inserted.earliest) Wake();
    if (StoppedAfterPublish()) _timer.Clear();
    return std::move(inserted.handle);
}

void Scheduler::Wake() const {
    if (_wakeHook) _wakeHook();
}

void Scheduler::DropGlobal() {
    while (const JobQueueRef queue = _global.TryPop()) queue->DropOwned();
}

}  // namespace tavern
