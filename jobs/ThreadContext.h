#pragma once

#include <cassert>
#include <optional>
#include <type_traits>

#include "jobs/Clock.h"
#include "jobs/JobsFwd.h"
#include "jobs/OrderedLane.h"

namespace tavern {

// Everything the actor runtime keeps per thread, in one place. Each field is set by a scope
// object below and restored when the scope ends, so scopes nest.
//
//   worker        the scheduler this thread is a worker of (WorkerScope), or nullptr: only a
//                 worker runs an idle actor inline when it pushes to it; any other thread (a
//                 database pool, a bus client, a test's main thread) hands it to the
//                 GlobalQueue, so no actor ever runs on a foreign thread
//   current       the queue this thread is running a job of, or nullptr
//   running       the scheduler whose GlobalQueue this thread is draining, or nullptr
//   distributing  the timer wheel this thread is firing timers of, or nullptr
//   slice         the time slice this thread is running queues in
//   lastSent      the busy actor the running batch of jobs sent to last
//   outbox        what the running batch of jobs sent to one busy actor, `outboxTo`, after
//                 its first message there, not yet published: a burst of sends to one receiver
//                 enters its mailbox with one exchange when the batch ends (or when it starts a
//                 burst to another receiver), not one exchange each
struct ThreadContext {
    struct Slice {
        Clock::time_point start;
        Clock::time_point end;
    };

    const Scheduler* worker = nullptr;
    JobQueue* current = nullptr;
    Scheduler* running = nullptr;
    const JobTimer* distributing = nullptr;
    std::optional<Slice> slice;
    const JobQueue* lastSent = nullptr;
    JobQueue* outboxTo = nullptr;  // kept alive by the reference in outboxHold while set
    alignas(JobQueueRef) unsigned char outboxHold[sizeof(JobQueueRef)] = {};
    OrderedLane::Chain outbox;
};

// Trivially destructible and constant-initialised: no guard or wrapper on the hot path, and
// nothing for thread exit to run (where destructor order differs between platforms).
static_assert(std::is_trivially_destructible_v<ThreadContext>);

extern constinit thread_local ThreadContext tThreadContext;

// Only on this thread.
inline ThreadContext& ThisThread() noexcept {
    return tThreadContext;
}

// Marks this thread as a worker of `scheduler` for the scope's lifetime: the network engine's
// workers do this in their loop; a test or tool that drives a Scheduler by hand may too.
// Only on the thread itself.
class WorkerScope {
public:
    explicit WorkerScope(const Scheduler& scheduler) noexcept;
    ~WorkerScope();
    WorkerScope(const WorkerScope&) = delete;
    WorkerScope& operator=(const WorkerScope&) = delete;

private:
    const Scheduler* _previous;
};

// Sets one field of ThisThread() for a scope (the runtime's own bookkeeping).
template <class T, T ThreadContext::*Field>
class ThreadFieldScope {
public:
    explicit ThreadFieldScope(T value) noexcept : _previous(ThisThread().*Field) {
        ThisThread().*Field = value;
    }
    ~ThreadFieldScope() { ThisThread().*Field = _previous; }
    ThreadFieldScope(const ThreadFieldScope&) = delete;
    ThreadFieldScope& operator=(const ThreadFieldScope&) = delete;

private:
    T _previous;
};

}  // namespace tavern

// Debug builds check the thread contracts that headers state; release builds compile them out.
// "on the job queue": the calling thread is running a job of `queue`.
#define TAVERN_ASSERT_ON_QUEUE(queue) assert(::tavern::ThisThread().current == (queue))
