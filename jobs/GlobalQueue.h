#pragma once

#include <cstddef>
#include <cstdint>

#include <concurrentqueue/concurrentqueue.h>

#include "jobs/Runnable.h"

namespace tavern {

// The run queue of a Scheduler: only queues that have work and are owned by no thread (skynet's
// "in_global"). Each entry carries the ownership of its queue: whoever pops it must run it or
// drop its jobs. FIFO per pushing thread; a popping thread rotates over the pushing threads
// (with a moodycamel consumer token it keeps per thread) so that none waits behind another.
class GlobalQueue {
public:
    GlobalQueue();
    GlobalQueue(const GlobalQueue&) = delete;
    GlobalQueue& operator=(const GlobalQueue&) = delete;

    // Safe to call from any thread.
    void Push(RunnableRef queue);
    // Safe to call from any thread. Returns nullptr when (apparently) empty; the caller then
    // owns the queue it got.
    RunnableRef TryPop();
    // Safe to call from any thread. Approximate.
    std::size_t SizeApprox() const { return _queues.size_approx(); }

private:
    struct Traits : moodycamel::ConcurrentQueueDefaultTraits {
        // Rotate among pushing threads often: an entry is a whole actor run, not a cheap item.
        static constexpr std::uint32_t EXPLICIT_CONSUMER_CONSUMPTION_QUOTA_BEFORE_ROTATE = 8;
    };
    using Queue = moodycamel::ConcurrentQueue<RunnableRef, Traits>;

    Queue _queues;
    const std::uint64_t _id;  // tells this thread's cached consumer token which queue it is for
};

}  // namespace tavern
