// Tavern's actor runtime side by side with the course engine's design (MutexJobQueue: std::mutex +
// std::deque<std::function>, same "first pusher runs it" protocol), in one binary and one run.
//
//   OneProducer   one thread pushes; every push finds the actor idle and runs it inline
//   TwoProducers  two threads push into one actor and run it (and the GlobalQueue) in turn
//   RoomFromTwoActors  two threads run actors (sessions) that each send to one room actor: the
//                 room never runs inline, it goes through the GlobalQueue (the game-server case)
//   PingPong/N    N messages bounce between two actors through the GlobalQueue, two workers
//
// The cases run in paired rounds (PairedRounds.h); at the end a table gives Tavern / baseline for
// each case: the median over the rounds of the ratio within a round.

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "MutexJobQueue.h"
#include "PairedRounds.h"
#include "jobs/JobQueue.h"
#include "jobs/Scheduler.h"
#include "jobs/ThreadContext.h"

namespace tavern::bench {
namespace {

using namespace std::chrono_literals;

struct TavernImpl {
    // Backlogs of 10,000+ jobs are the point here, not an overload to warn about.
    SchedulerRef scheduler = Scheduler::Create(SchedulerOptions{.queueWarnLength = 1u << 30});
    std::array<std::shared_ptr<JobQueue>, 4> actors{
        std::make_shared<JobQueue>(scheduler), std::make_shared<JobQueue>(scheduler),
        std::make_shared<JobQueue>(scheduler), std::make_shared<JobQueue>(scheduler)};
    ~TavernImpl() { scheduler->Stop(); }

    template <class F>
    void Push(int actor, F&& f) {
        actors[actor]->DoAsync(std::forward<F>(f));
    }
    bool RunGlobal() { return scheduler->RunGlobalQueue(Clock::now() + 2ms) != 0; }
    // Each thread of a case is a worker, as in the engine: it runs the idle actors it pushes to.
    WorkerScope OnWorker() const { return WorkerScope(*scheduler); }
};

struct MutexImpl {
    MutexGlobalQueue global;
    std::array<std::shared_ptr<MutexJobQueue>, 4> actors{
        std::make_shared<MutexJobQueue>(global, 2ms), std::make_shared<MutexJobQueue>(global, 2ms),
        std::make_shared<MutexJobQueue>(global, 2ms), std::make_shared<MutexJobQueue>(global, 2ms)};

    template <class F>
    void Push(int actor, F&& f) {
        actors[actor]->Push(std::function<void()>(std::forward<F>(f)));
    }
    bool RunGlobal() { return global.Run(Clock::now() + 2ms) != 0; }
    struct NoScope {};
    NoScope OnWorker() const { return {}; }
};

// Threads kept across iterations, so that thread start-up is not measured.
class ThreadPool {
public:
    explicit ThreadPool(int threads) {
        for (int i = 0; i < threads; ++i) _threads.emplace_back([this, i] { Loop(i); });
    }
    ~ThreadPool() {
        {
            std::lock_guard lock(_mutex);
            _stop = true;
        }
        _start.notify_all();
        for (std::thread& t : _threads) t.join();
    }
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    // Runs task(i) on every thread i and waits for all of them.
    void Run(std::function<void(int)> task) {
        std::unique_lock lock(_mutex);
        _task = std::move(task);
        _pending = static_cast<int>(_threads.size());
        ++_generation;
        _start.notify_all();
        _finished.wait(lock, [&] { return _pending == 0; });
    }

private:
    void Loop(int index) {
        std::uint64_t seen = 0;
        for (;;) {
            std::function<void(int)> task;
            {
                std::unique_lock lock(_mutex);
                _start.wait(lock, [&] { return _stop || _generation != seen; });
                if (_stop) return;
                seen = _generation;
                task = _task;
            }
            task(index);
            std::lock_guard lock(_mutex);
            if (--_pending == 0) _finished.notify_all();
        }
    }

    std::mutex _mutex;
    std::condition_variable _start;
    std::condition_variable _finished;
    std::function<void(int)> _task;
    std::uint64_t _generation = 0;
    int _pending = 0;
    bool _stop = false;
    std::vector<std::thread> _threads;
};

template <class Impl>
void OneProducer(benchmark::State& state) {
    Impl impl;
    [[maybe_unused]] const auto worker = impl.OnWorker();
    std::uint64_t ran = 0;
    for (auto _ : state) impl.Push(0, [&ran] { ++ran; });
    if (ran != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("lost jobs");
    state.counters["jobs/s"] =
        benchmark::Counter(static_cast<double>(ran), benchmark::Counter::kIsRate);
}

template <class Impl>
void TwoProducers(benchmark::State& state) {
    constexpr int kPerProducer = 50'000;
    constexpr std::uint64_t kTotal = 2 * kPerProducer;
    Impl impl;
    ThreadPool pool(2);
    for (auto _ : state) {
        std::uint64_t ran = 0;  // inside the actor only
        std::atomic<bool> done{false};
        pool.Run([&](int) {
            [[maybe_unused]] const auto worker = impl.OnWorker();
            for (int i = 0; i < kPerProducer; ++i) {
                impl.Push(0, [&] {
                    if (++ran == kTotal) done.store(true, std::memory_order_release);
                });
                // A worker would also run the GlobalQueue between its I/O events.
                if ((i & 255) == 255) impl.RunGlobal();
            }
            while (!done.load(std::memory_order_acquire)) {
                if (!impl.RunGlobal()) std::this_thread::yield();
            }
        });
    }
    state.counters["jobs/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kTotal,
                                                  benchmark::Counter::kIsRate);
}

template <class Impl>
void RoomFromTwoActors(benchmark::State& state) {
    constexpr int kRounds = 200;
    constexpr int kPerRound = 250;  // a session's burst; then its thread runs the GlobalQueue
    constexpr std::uint64_t kTotal = 2 * kRounds * kPerRound;
    Impl impl;
    ThreadPool pool(2);
    for (auto _ : state) {
        std::uint64_t ran = 0;  // inside the room only
        std::atomic<bool> done{false};
        pool.Run([&](int index) {
            [[maybe_unused]] const auto worker = impl.OnWorker();
            for (int round = 0; round < kRounds; ++round) {
                // Actor 2 + index is this thread's session; it runs inline here and sends to
                // the room (actor 0), which therefore goes through the GlobalQueue.
                impl.Push(2 + index, [&] {
                    for (int i = 0; i < kPerRound; ++i) {
                        impl.Push(0, [&] {
                            if (++ran == kTotal) done.store(true, std::memory_order_release);
                        });
                    }
                });
                impl.RunGlobal();
            }
            while (!done.load(std::memory_order_acquire)) {
                if (!impl.RunGlobal()) std::this_thread::yield();
            }
        });
    }
    state.counters["jobs/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kTotal,
                                                  benchmark::Counter::kIsRate);
}

// One message: runs on one actor and sends itself on to the other until its hops are used up.
template <class Impl>
struct Ball {
    struct Game {
        Impl* impl;
        std::atomic<int> ballsLeft;
        std::atomic<bool> done{false};
    };
    Game* game;
    int side;
    int hopsLeft;

    void operator()() const {
        if (hopsLeft == 0) {
            if (game->ballsLeft.fetch_sub(1) == 1)
                game->done.store(true, std::memory_order_release);
            return;
        }
        game->impl->Push(1 - side, Ball{game, 1 - side, hopsLeft - 1});
    }
};

template <class Impl>
void PingPong(benchmark::State& state) {
    const int balls = static_cast<int>(state.range(0));
    const int hops = 100'000 / balls;
    Impl impl;
    ThreadPool pool(2);
    for (auto _ : state) {
        typename Ball<Impl>::Game game{&impl, {balls}, {false}};
        pool.Run([&](int index) {
            [[maybe_unused]] const auto worker = impl.OnWorker();
            if (index == 0) {
                for (int b = 0; b < balls; ++b) impl.Push(0, Ball<Impl>{&game, 0, hops});
            }
            while (!game.done.load(std::memory_order_acquire)) {
                if (!impl.RunGlobal()) std::this_thread::yield();
            }
        });
    }
    state.counters["msgs/s"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * balls * hops, benchmark::Counter::kIsRate);
}

BENCHMARK_TEMPLATE(OneProducer, TavernImpl)->Name("OneProducer/Tavern")->MinTime(0.5);
BENCHMARK_TEMPLATE(OneProducer, MutexImpl)->Name("OneProducer/Mutex")->MinTime(0.5);
BENCHMARK_TEMPLATE(TwoProducers, TavernImpl)
    ->Name("TwoProducers/Tavern")
    ->MinTime(1.0)
    ->UseRealTime();
BENCHMARK_TEMPLATE(TwoProducers, MutexImpl)
    ->Name("TwoProducers/Mutex")
    ->MinTime(1.0)
    ->UseRealTime();
BENCHMARK_TEMPLATE(RoomFromTwoActors, TavernImpl)
    ->Name("RoomFromTwoActors/Tavern")
    ->MinTime(1.0)
    ->UseRealTime();
BENCHMARK_TEMPLATE(RoomFromTwoActors, MutexImpl)
    ->Name("RoomFromTwoActors/Mutex")
    ->MinTime(1.0)
    ->UseRealTime();
BENCHMARK_TEMPLATE(PingPong, TavernImpl)
    ->Name("PingPong/Tavern")
    ->Arg(1)
    ->Arg(64)
    ->MinTime(0.5)
    ->UseRealTime();
BENCHMARK_TEMPLATE(PingPong, MutexImpl)
    ->Name("PingPong/Mutex")
    ->Arg(1)
    ->Arg(64)
    ->MinTime(0.5)
    ->UseRealTime();

}  // namespace
}  // namespace tavern::bench

int main(int argc, char** argv) {
    // A server is a multi-threaded process from its first moment. glibc takes shortcuts until a
    // process starts its first thread (the one-producer baseline ran at 31M jobs/s before the
    // first two-thread case here, 17M after): start one now, so every round measures alike.
    std::thread([] {}).join();
    return tavern::bench::RunPairedRounds(
        argc, argv,
        {"OneProducer", "TwoProducers", "RoomFromTwoActors", "PingPong/1", "PingPong/64"},
        {"Tavern", "Mutex"});
}
