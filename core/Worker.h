#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "core/Backend.h"
#include "core/PacketMetrics.h"
#include "jobs/Clock.h"
#include "jobs/Job.h"

namespace tavern {

class IocpCore;

// One I/O worker thread and its backend. The loop: wait for completions (until the next timer
// or a wake-up), run them, run jobs posted to this worker, run due timers, then run actors from
// the GlobalQueue until the time slice ends. Sessions whose home this is submit their I/O here.
class Worker {
public:
    Worker(IocpCore& core, std::size_t index);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Safe to call from any thread: `job` runs on this worker's thread soon. Jobs posted by one
    // thread run in the order posted. Wakes the worker if it is waiting. A job posted by the
    // worker itself (a send started by a job running here) skips the shared inbox.
    void Post(Job job);
    // Safe to call from any thread: runs `job` here and now on this worker, or posts it.
    void Dispatch(Job job);
    // Safe to call from any thread: wakes the worker if it is waiting. Returns whether it was.
    bool WakeIfIdle();

    // Safe to call from any thread.
    std::size_t Index() const { return _index; }
    bool IsCurrentThread() const { return Current() == this; }
    // The worker whose thread this is, or nullptr.
    static Worker* Current();

    // Only on this worker's thread.
    Backend& GetBackend() { return *_backend; }
    // The latest time this worker was kept from running its loop (the process stopped, the
    // machine paused, a job or a completion that ran long): a poll that returned late past its
    // wait, or a loop turn that ran long past its time slice, less a small tolerance. The
    // packet rate limit credits clients with it: what piled up while the server did not read
    // is not a flood.
    struct Stall {
        Clock::time_point start{};
        Clock::duration length{};
    };
    // Only on this worker's thread: the latest stall, the one in progress included.
    Stall LatestStall(Clock::time_point now) const;

    // Safe to call from any thread: this worker's packet counters (PacketMetrics.h).
    PacketMetrics& Packets() { return *_packets; }
    // Safe to call from any thread once started: the thread, for its CPU clock (metrics).
    std::thread::native_handle_type NativeHandle() { return _thread.native_handle(); }

    // IocpCore: start the thread (it creates its backend there) and report how that went.
    std::error_code Start(BackendKind kind, const BackendOptions& options);
    void RequestStop();
    void Join();

private:
    void Run();
    std::chrono::milliseconds NextWait();
    bool DrainInbox();
    void RunJob(Job& job);

    IocpCore& _core;
    std::size_t _index;
    std::unique_ptr<Backend> _backend;
    std::thread _thread;
    moodycamel::ConcurrentQueue<Job> _inbox;
    std::vector<Job> _local;    // posted by this worker's own thread; only touched there
    std::vector<Job> _running;  // the batch of _local being run
    std::atomic<bool> _idle{false};
    std::atomic<bool> _stop{false};
    std::unique_ptr<PacketMetrics> _packets = std::make_unique<PacketMetrics>();
    // Stall accounting, this worker's thread only (see LatestStall).
    Stall _stall;
    Clock::time_point _pollDeadline{};  // when the poll in progress should have returned
    bool _polling = false;
};

}  // namespace tavern
