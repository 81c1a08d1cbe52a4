#include "jobs/GlobalQueue.h"

#include <atomic>
#include <exception>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>


namespace tavern {

namespace {

// Ids never repeat, so a token cached for a destroyed GlobalQueue is never used with a new one
// that happens to get the same address.
std::atomic<std::uint64_t> gNextId{1};

// This thread's consumer token, for one GlobalQueue at a time. Making a token costs an atomic
// increment shared by every worker; a worker pops from one scheduler, so it keeps its token.
// A ConsumerToken's destructor does not touch its queue, so a stale one is safe to replace.
struct TokenCache {
    std::uint64_t owner = 0;
    std::optional<moodycamel::ConsumerToken> token;
};
thread_local TokenCache tTokens;

}  // namespace

GlobalQueue::GlobalQueue() : _queues(0), _id(gNextId.fetch_add(1, std::memory_order_relaxed)) {}

void GlobalQueue::Push(RunnableRef queue) {
    if (!_queues.enqueue(std::move(queue))) {
        // Only an allocation failure; the queue's jobs could never run again.
        spdlog::critical("GlobalQueue: out of memory in Push");
        std::terminate();
    }
}

RunnableRef GlobalQueue::TryPop() {
    if (tTokens.owner != _id) {
        tTokens.token.emplace(_queues);
        tTokens.owner = _id;
    }
    RunnableRef queue;
    _queues.try_dequeue(*tTokens.token, queue);
    return queue;
}

}  // namespace tavern
