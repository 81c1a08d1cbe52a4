#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

#include "core/Backend.h"
#include "core/Worker.h"
#include "jobs/Scheduler.h"

namespace tavern {

struct EngineOptions {
    std::size_t workers = 0;                  // 0: one per hardware thread
    BackendKind backend = BackendKind::Auto;  // Auto: TAVERN_BACKEND, else io_uring, else epoll
    BackendOptions backendOptions;
    SchedulerOptions scheduler;
    std::chrono::milliseconds maxWait{100};   // longest a worker sleeps without a timer due
};

class IocpCore;
class Service;
using IocpCoreRef = std::shared_ptr<IocpCore>;

// The completion engine: the worker threads, their backends, and the actor scheduler
// (GlobalQueue + JobTimer) they drain. Services run on it; several services may share one.
// It owns everything it starts and stops it all: no global state.
class IocpCore : public std::enable_shared_from_this<IocpCore> {
public:
    static IocpCoreRef Create(EngineOptions options = {});
    // Create and Start in one, for programs: nullptr if the engine cannot start, the reason
    // logged ("cannot start the engine: ...").
    static IocpCoreRef CreateStarted(EngineOptions options = {});
    ~IocpCore();

    // Not from a worker. Chooses the backend (logged), starts the workers, and returns once
    // every worker has its backend, or the first error.
    std::error_code Start();
    // Not from a worker. Stops the services still running on this engine (Service::Stop: each
    // session flushes and closes, and is released), then stops and joins the workers and drops
    // pending actors and timers. Idempotent.
    void Stop();

    // Safe to call from any thread.
    BackendKind Backend() const { return _kind; }
    const SchedulerRef& GetScheduler() const { return _scheduler; }
    const EngineOptions& Options() const { return _options; }
    std::size_t WorkerCount() const { return _workers.size(); }
    Worker& GetWorker(std::size_t index) { return *_workers[index]; }
    // The next worker in turn, for a new session's home.
    Worker& PickWorker();
    bool Running() const { return _running.load(std::memory_order_acquire); }

    // --- Engine internals ------------------------------------------------------------------------
    // A service that has started (listens, or has a session): Stop() stops it if it still runs.
    void TrackService(std::weak_ptr<Service> service);

private:
    explicit IocpCore(EngineOptions options);
    void WakeIdleWorker();

    EngineOptions _options;
    std::mutex _servicesLock;
    std::vector<std::weak_ptr<Service>> _services;
    BackendKind _kind = BackendKind::Auto;
    SchedulerRef _scheduler;
    std::vector<std::unique_ptr<Worker>> _workers;
    std::atomic<std::size_t> _nextWorker{0};
    std::atomic<bool> _running{false};
};

}  // namespace tavern
