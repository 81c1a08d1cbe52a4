#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "jobs/Clock.h"

namespace tavern::bench {

class MutexJobQueue;

// The baseline's GlobalQueue: a locked deque of actors that have work (as in the course engine).
class MutexGlobalQueue {
public:
    // Safe to call from any thread.
    void Push(std::shared_ptr<MutexJobQueue> queue) {
        std::lock_guard lock(_mutex);
        _queues.push_back(std::move(queue));
    }
    // Safe to call from any thread.
    std::shared_ptr<MutexJobQueue> TryPop() {
        std::lock_guard lock(_mutex);
        if (_queues.empty()) return nullptr;
        auto queue = std::move(_queues.front());
        _queues.pop_front();
        return queue;
    }
    // Any worker thread: runs queues until empty or `deadline`; returns queues run.
    inline std::size_t Run(Clock::time_point deadline);

private:
    std::mutex _mutex;
    std::deque<std::shared_ptr<MutexJobQueue>> _queues;
};

// The baseline actor: the course engine's JobQueue. Mailbox = std::mutex + std::deque of
// std::function and an atomic count of pending jobs: the push that takes the count from 0 runs
// it, or sends it to the GlobalQueue if its thread already runs an actor, as Tavern's push that
// finds the queue idle does. The runner takes every job at once under the lock (PopAll, into a
// vector it reuses) and checks the same time slice once per batch.
class MutexJobQueue : public std::enable_shared_from_this<MutexJobQueue> {
public:
    MutexJobQueue(MutexGlobalQueue& global, Clock::duration slice)
        : _global(global), _slice(slice) {}

    // Safe to call from any thread.
    void Push(std::function<void()> job) {
        const std::size_t before = _count.fetch_add(1, std::memory_order_acq_rel);
        {
            std::lock_guard lock(_mutex);
            _jobs.push_back(std::move(job));
        }
        if (before != 0) return;
        if (Current() == nullptr) {
            const auto self = shared_from_this();
            Execute(std::nullopt);
        } else {
            _global.Push(shared_from_this());
        }
    }

    // Only by the owner. Like Tavern's, reads the clock only once a batch did not empty it.
    void Execute(std::optional<Clock::time_point> sliceEnd) {
        MutexJobQueue* previous = std::exchange(Current(), this);
        std::vector<std::function<void()>>& batch = _batch;
        for (;;) {
            {
                std::lock_guard lock(_mutex);
                batch.assign(std::make_move_iterator(_jobs.begin()),
                             std::make_move_iterator(_jobs.end()));
                _jobs.clear();
            }
            for (auto& job : batch) job();
            const std::size_t n = batch.size();
            batch.clear();
            if (n == 0) std::this_thread::yield();
            if (_count.fetch_sub(n, std::memory_order_acq_rel) == n) break;
            const auto now = Clock::now();
            if (!sliceEnd) {
                sliceEnd = now + _slice;
            } else if (now >= *sliceEnd) {
                _global.Push(shared_from_this());
                break;
            }
        }
        Current() = previous;
    }

    static MutexJobQueue*& Current() {
        thread_local MutexJobQueue* current = nullptr;
        return current;
    }

private:
    MutexGlobalQueue& _global;
    Clock::duration _slice;
    std::mutex _mutex;
    std::deque<std::function<void()>> _jobs;
    std::atomic<std::size_t> _count{0};
    std::vector<std::function<void()>> _batch;  // owner only; keeps its capacity across runs
};

std::size_t MutexGlobalQueue::Run(Clock::time_point deadline) {
    std::size_t ran = 0;
    for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
        auto queue = TryPop();
        if (!queue) break;
        queue->Execute(std::min(deadline, now + std::chrono::milliseconds(2)));
        ++ran;
    }
    return ran;
}

}  // namespace tavern::bench
