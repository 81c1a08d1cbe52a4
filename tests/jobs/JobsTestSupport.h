#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "jobs/JobQueue.h"
#include "jobs/Scheduler.h"
#include "jobs/ThreadContext.h"

namespace tavern::test {

// Upper bound for any wait in these tests: a broken runtime fails the test instead of hanging.
inline constexpr std::chrono::seconds kWaitLimit{60};

// Counts live instances; captured in jobs to prove they are destroyed exactly once.
class LiveCount {
public:
    class Token {
    public:
        explicit Token(LiveCount& count) noexcept : _count(&count) { _count->_live.fetch_add(1); }
        Token(const Token& other) noexcept : _count(other._count) {
            if (_count) _count->_live.fetch_add(1);
        }
        Token(Token&& other) noexcept : _count(std::exchange(other._count, nullptr)) {}
        Token& operator=(const Token&) = delete;
        Token& operator=(Token&&) = delete;
        ~Token() {
            if (_count) _count->_live.fetch_sub(1);
        }

    private:
        LiveCount* _count;
    };

    Token Make() { return Token(*this); }
    int Live() const { return _live.load(); }

private:
    std::atomic<int> _live{0};
};

// A latch whose wait gives up after a time limit.
class Countdown {
public:
    explicit Countdown(std::size_t count) : _count(count) {}

    void CountDown(std::size_t n = 1) {
        std::lock_guard lock(_mutex);
        _count = _count > n ? _count - n : 0;
        if (_count == 0) _done.notify_all();
    }

    bool Wait(std::chrono::milliseconds limit = kWaitLimit) {
        std::unique_lock lock(_mutex);
        return _done.wait_for(lock, limit, [&] { return _count == 0; });
    }

private:
    std::mutex _mutex;
    std::condition_variable _done;
    std::size_t _count;
};

// Worker threads as the network engine would run them: distribute timers, run the GlobalQueue,
// then sleep until the wake hook fires or the next timer is due.
class WorkerPool {
public:
    WorkerPool(SchedulerRef scheduler, int threads) : _scheduler(std::move(scheduler)) {
        _scheduler->SetWakeHook([wake = _wake] { wake->Notify(); });
        for (int i = 0; i < threads; ++i) _threads.emplace_back([this] { Loop(); });
    }
    ~WorkerPool() {
        _wake->Stop();
        for (std::thread& thread : _threads) thread.join();
    }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

private:
    // Outlives the pool: the scheduler's hook holds it.
    struct Wake {
        std::mutex mutex;
        std::condition_variable cv;
        std::uint64_t generation = 0;
        bool stop = false;

        void Notify() {
            std::lock_guard lock(mutex);
            ++generation;
            cv.notify_all();
        }
        void Stop() {
            std::lock_guard lock(mutex);
            stop = true;
            cv.notify_all();
        }
    };

    void Loop() {
        const WorkerScope worker(*_scheduler);
        for (;;) {
            std::uint64_t seen = 0;
            {
                std::lock_guard lock(_wake->mutex);
                if (_wake->stop) return;
                seen = _wake->generation;
            }
            const auto now = Clock::now();
            _scheduler->DistributeTimers(now);
            _scheduler->RunGlobalQueue(now + std::chrono::milliseconds(5));
            if (_scheduler->HasGlobalWork()) continue;
            auto wait = std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(20));
            if (auto delay = _scheduler->NextTimerDelay(Clock::now()))
                wait = std::min(wait, *delay);
            std::unique_lock lock(_wake->mutex);
            _wake->cv.wait_for(lock, wait,
                               [&] { return _wake->stop || _wake->generation != seen; });
        }
    }

    SchedulerRef _scheduler;
    std::shared_ptr<Wake> _wake = std::make_shared<Wake>();
    std::vector<std::thread> _threads;
};

// Runs `body` as a job of a helper queue on this thread. Pushes made inside go through the
// GlobalQueue, as they would from a worker running an actor.
template <class F>
void RunInsideJob(const SchedulerRef& scheduler, F&& body) {
    const WorkerScope worker(*scheduler);
    auto helper = std::make_shared<JobQueue>(scheduler);
    helper->DoAsync(std::forward<F>(body));
}

// Runs the GlobalQueue on this thread until `done` or the time limit.
template <class Pred>
bool DriveUntil(Scheduler& scheduler, Pred done, std::chrono::milliseconds limit = kWaitLimit) {
    const auto end = Clock::now() + limit;
    while (!done()) {
        if (Clock::now() > end) return false;
        scheduler.DistributeTimers();
        if (scheduler.RunGlobalQueue(Clock::now() + std::chrono::milliseconds(10)) == 0) {
            std::this_thread::yield();
        }
    }
    return true;
}

// Busy-waits for `d` of wall time: a job that takes long, without sleeping the thread.
inline void Spin(Clock::duration d) {
    const auto end = Clock::now() + d;
    while (Clock::now() < end) {
    }
}

}  // namespace tavern::test
