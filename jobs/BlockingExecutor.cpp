#include "jobs/BlockingExecutor.h"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace tavern {

BlockingExecutor::BlockingExecutor(ExecutorOptions options) : _options(std::move(options)) {
    const std::size_t threads = _options.threads == 0 ? 1 : _options.threads;
    _threads.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) _threads.emplace_back([this] { Loop(); });
}

BlockingExecutor::~BlockingExecutor() {
    Stop();
}

bool BlockingExecutor::RunsOnThisThread() const {
    const std::thread::id self = std::this_thread::get_id();
    for (const std::thread& thread : _threads) {
        if (thread.get_id() == self) return true;
    }
    return false;
}

bool BlockingExecutor::TrySubmit(Job& job) {
    {
        std::lock_guard lock(_mutex);
        if (_stopping || _queue.size() >= _options.queueLimit) return false;
        _queue.push_back(std::move(job));
    }
    _ready.notify_one();
    return true;
}

void BlockingExecutor::Stop() {
    std::deque<Job> dropped;
    {
        std::lock_guard lock(_mutex);
        _stopping = true;
        dropped.swap(_queue);
    }
    _ready.notify_all();
    dropped.clear();  // captures die here, outside the lock
    for (std::thread& thread : _threads) {
        if (thread.joinable()) thread.join();
    }
    _threads.clear();
}

std::size_t BlockingExecutor::QueueLength() const {
    std::lock_guard lock(_mutex);
    return _queue.size();
}

void BlockingExecutor::Loop() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(_mutex);
            _ready.wait(lock, [&] { return _stopping || !_queue.empty(); });
            if (_queue.empty()) return;  // stopping
            job = std::move(_queue.front());
            _queue.pop_front();
        }
        try {
            job();
        } catch (const std::exception& e) {
            spdlog::error("executor {}: a job threw: {}", _options.name, e.what());
        } catch (...) {
            spdlog::error("executor {}: a job threw a non-standard exception", _options.name);
        }
    }
}

}  // namespace tavern
