#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jobs/Job.h"

namespace tavern {

struct ExecutorOptions {
    std::string name = "blocking";  // in log lines
    std::size_t threads = 2;
    // Jobs waiting for a thread, at most; past it TrySubmit refuses (the asker gets
    // AskError::Rejected): a slow database answers "busy" instead of building a backlog.
    std::size_t queueLimit = 1024;
};

// A small named pool of threads for work that must not run on I/O workers: database calls,
// password hashing, files. Actors reach it with Ask (jobs/Ask.h) and get the answer as a job on
// themselves. Its threads are no workers: a push they make to an actor never runs the actor
// inline (ThreadContext.h); the actor goes to its scheduler's GlobalQueue.
class BlockingExecutor {
public:
    explicit BlockingExecutor(ExecutorOptions options = {});
    // Stops: see Stop.
    ~BlockingExecutor();
    BlockingExecutor(const BlockingExecutor&) = delete;
    BlockingExecutor& operator=(const BlockingExecutor&) = delete;

    // Safe to call from any thread. Queues `job` and returns true (the job is moved from), or
    // returns false and leaves `job` untouched when the queue is full or the executor stopped.
    bool TrySubmit(Job& job);
    // Safe to call from any thread but the executor's own; idempotent. Jobs that are running
    // finish; queued jobs are destroyed without running (an ask among them answers Gone);
    // the threads are joined.
    void Stop();

    // Safe to call from any thread.
    const std::string& Name() const { return _options.name; }
    std::size_t QueueLength() const;
    std::size_t Threads() const { return _options.threads; }
    // Safe to call from any thread: whether this is one of the executor's threads (where Stop
    // must not be called).
    bool RunsOnThisThread() const;

private:
    void Loop();

    const ExecutorOptions _options;
    mutable std::mutex _mutex;
    std::condition_variable _ready;
    std::deque<Job> _queue;  // under _mutex
    bool _stopping = false;  // under _mutex
    std::vector<std::thread> _threads;
};

using BlockingExecutorRef = std::shared_ptr<BlockingExecutor>;

}  // namespace tavern
