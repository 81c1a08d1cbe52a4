#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "jobs/Clock.h"
#include "jobs/GlobalQueue.h"
#include "jobs/Job.h"
#include "jobs/JobTimer.h"
#include "jobs/JobsFwd.h"
#include "jobs/SchedulerOptions.h"
#include "jobs/TimerHandle.h"

namespace tavern {

// Owns what the workers share: the GlobalQueue of runnable actors and the JobTimer. It owns no
// threads; the network engine's workers call RunGlobalQueue / DistributeTimers in their loop.
// No singleton: a Service owns its Scheduler, and Stop() lets go of every queued actor.
class Scheduler : public std::enable_shared_from_this<Scheduler> {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Safe to call from any thread.
    static SchedulerRef Create(SchedulerOptions options = {});
    Scheduler(PrivateTag, SchedulerOptions options);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Safe to call from any thread.
    GlobalQueue& Global() { return _global; }
    JobTimer& Timer() { return _timer; }
    const SchedulerOptions& Options() const { return _options; }

    // Only before workers start. Called (from any thread) each time a queue is put into the
    // GlobalQueue and each time a timer is inserted that is earlier than the known earliest one,
    // so the network engine can wake an idle worker. Keep it short; it must not throw.
    void SetWakeHook(std::function<void()> hook);

    // Any worker thread, concurrently; not from inside a job (returns 0 there). Pops queues and
    // runs each until it is empty or its slice ends: each queue gets min(deadline, start of its
    // run + timeSlice). Stops when the GlobalQueue is empty or at `deadline`. Returns queues run.
    std::size_t RunGlobalQueue(Clock::time_point deadline);
    // Any thread; one thread at a time (the others return 0 at once). Pushes every timer due at
    // `now` into its queue (the queues go to the GlobalQueue). Returns the timers fired.
    std::size_t DistributeTimers(Clock::time_point now = Clock::now());
    // Safe to call from any thread. Never later than the true next expiry; nullopt if no timer
    // is pending.
    std::optional<Clock::duration> NextTimerDelay(Clock::time_point now) const;
    // Safe to call from any thread. Approximate.
    bool HasGlobalWork() const;

    // Any thread; the caller owns `queue` (a JobQueue handing itself over). Moves it in, or
    // returns false if stopped (then `queue` is untouched and the caller still owns it).
    bool Enqueue(RunnableRef& queue);
    // Any thread (JobQueue::DoTimer). `job` is pushed into `queue` at `due` if it still exists.
    TimerHandle AddTimer(Clock::time_point due, std::weak_ptr<Runnable> queue, Job job);

    // Safe to call from any thread; idempotent. Drops every queued actor and pending timer (jobs
    // destroyed, never run). Afterwards, a push that would need the GlobalQueue drops the job.
    void Stop();
    // Safe to call from any thread.
    bool Stopped() const { return _stopped.load(std::memory_order_acquire); }
    // Safe to call from any thread: "actor overloaded" warnings logged so far (JobQueue), and
    // the count of one more.
    std::uint64_t OverloadWarnings() const {
        return _overloadWarnings.load(std::memory_order_relaxed);
    }
    void CountOverloadWarning() { _overloadWarnings.fetch_add(1, std::memory_order_relaxed); }
    // Safe to call from any thread: actors whose backlog was at or over the warning threshold at
    // their last look and has not come down since (a gauge), and its change by one actor.
    std::uint64_t OverloadedActors() const {
        const std::int64_t n = _overloadedActors.load(std::memory_order_relaxed);
        return n > 0 ? static_cast<std::uint64_t>(n) : 0;
    }
    void ChangeOverloadedActors(std::int64_t delta) {
        _overloadedActors.fetch_add(delta, std::memory_order_relaxed);
    }

private:
    // Any thread, right after publishing an entry that Stop must drop.
    bool StoppedAfterPublish();
    void Wake() const;
    void DropGlobal();

    const SchedulerOptions _options;
    GlobalQueue _global;
    JobTimer _timer;
    std::function<void()> _wakeHook;
    std::atomic<bool> _stopped{false};
    std::atomic<std::uint64_t> _overloadWarnings{0};  // at most one a second per actor
    std::atomic<std::int64_t> _overloadedActors{0};
};

}  // namespace tavern
