#include "core/Worker.h"

#include <spdlog/spdlog.h>

#include <array>
#include <future>

#include "core/BackendSelector.h"
#include "core/IocpCore.h"
#include "jobs/Scheduler.h"
#include "jobs/ThreadContext.h"

namespace tavern {

namespace {
thread_local Worker* tWorker = nullptr;
constexpr std::size_t kInboxBatch = 64;
}  // namespace

Worker::Worker(IocpCore& core, std::size_t index) : _core(core), _index(index), _inbox(0) {}

Worker::~Worker() {
    RequestStop();
    Join();
}

Worker* Worker::Current() { return tWorker; }

std::error_code Worker::Start(BackendKind kind, const BackendOptions& options) {
    std::promise<std::error_code> ready;
    auto started = ready.get_future();
    _thread = std::thread([this, kind, options, ready = std::move(ready)]() mutable {
        std::error_code error;
        // Created on this thread: an io_uring with SINGLE_ISSUER belongs to its creator.
        _backend = CreateBackend(kind, options, error);
        ready.set_value(error);
        if (!error) Run();
    });
    const std::error_code error = started.get();
    if (error) _thread.join();
    return error;
}

void Worker::RequestStop() {
    _stop.store(true, std::memory_order_release);
    if (_backend) _backend->Wake();
}

void Worker::Join() {
    if (_thread.joinable() && _thread.get_id() != std::this_thread::get_id()) _thread.join();
}

void Worker::Post(Job job) {
    if (IsCurrentThread()) {
        _local.push_back(std::move(job));  // no atomic, no wake-up: this thread runs it next
        return;
    }
    _inbox.enqueue(std::move(job));
    WakeIfIdle();
}

void Worker::Dispatch(Job job) {
    if (IsCurrentThread())
        job();
    else
        Post(std::move(job));
}

bool Worker::WakeIfIdle() {
    // Pairs with the fence in Run: either the worker sees our work before it waits, or we see
    // it idle and wake it.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (_idle.load(std::memory_order_relaxed) && _idle.exchange(false)) {
        _backend->Wake();
        return true;
    }
    return false;
}

std::chrono::milliseconds Worker::NextWait() {
    using std::chrono::milliseconds;
    Scheduler& scheduler = *_core.GetScheduler();
    milliseconds wait = _core.Options().maxWait;
    if (auto delay = scheduler.NextTimerDelay(Clock::now())) {
        // Round up so that a timer is never found "not yet due" after the wait.
        const auto due = std::chrono::ceil<milliseconds>(*delay);
        wait = std::min(wait, std::max(due, milliseconds{0}));
    }
    return wait;
}

void Worker::RunJob(Job& job) {
    try {
        job();
    } catch (const std::exception& e) {
        spdlog::error("worker {}: posted job threw: {}", _index, e.what());
    }
    job = Job{};
}

bool Worker::DrainInbox() {
    std::array<Job, kInboxBatch> jobs;
    bool ranAny = false;
    // Jobs this thread posted itself first (they may post more: a few rounds), then the inbox.
    for (int round = 0; round < 4 && !_local.empty(); ++round) {
        _running.swap(_local);
        for (Job& job : _running) RunJob(job);
        _running.clear();
        ranAny = true;
    }
    for (int round = 0; round < 16; ++round) {
        const std::size_t n = _inbox.try_dequeue_bulk(jobs.begin(), jobs.size());
        if (n == 0) break;
        ranAny = true;
        for (std::size_t i = 0; i < n; ++i) RunJob(jobs[i]);
    }
    return ranAny;
}

namespace {
// Lateness below this is ordinary scheduling noise, not a stall.
constexpr auto kStallTolerance = std::chrono::milliseconds(20);
}  // namespace

Worker::Stall Worker::LatestStall(Clock::time_point now) const {
    if (!_polling || now <= _pollDeadline + kStallTolerance) return _stall;
    return {_pollDeadline + kStallTolerance, now - _pollDeadline - kStallTolerance};
}

void Worker::Run() {
    tWorker = this;
    Scheduler& scheduler = *_core.GetScheduler();
    const WorkerScope worker(scheduler);  // this thread may run the actors it pushes to
    const auto slice = scheduler.Options().timeSlice;
    Clock::time_point turnStart = Clock::now();
    while (!_stop.load(std::memory_order_acquire)) {
        auto wait = NextWait();
        if (wait.count() > 0) {
            _idle.store(true, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (!_local.empty() || _inbox.size_approx() > 0 || scheduler.HasGlobalWork() ||
                _stop.load(std::memory_order_relaxed))
                wait = std::chrono::milliseconds{0};
        }
        // A turn's work beyond its slice (a stop of the process, a long job) is stall time.
        const auto pollStart = Clock::now();
        if (pollStart - turnStart > slice + kStallTolerance)
            _stall = {turnStart + slice + kStallTolerance,
                      pollStart - turnStart - slice - kStallTolerance};
        _pollDeadline = pollStart + wait;
        _polling = true;
        _backend->Poll(wait);
        _idle.store(false, std::memory_order_relaxed);
        turnStart = Clock::now();
        _stall = LatestStall(turnStart);  // and so is a poll that came back late
        _polling = false;
        DrainInbox();
        const auto now = Clock::now();
        scheduler.DistributeTimers(now);
        scheduler.RunGlobalQueue(now + slice);
    }
    DrainInbox();
    tWorker = nullptr;
}

}  // namespace tavern
