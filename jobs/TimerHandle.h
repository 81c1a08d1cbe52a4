#pragma once

#include <memory>
#include <utility>

#include "jobs/JobsFwd.h"

namespace tavern {

struct TimerNode;

// Refers to one timer made by JobQueue::DoTimer. Copyable; a default-constructed handle refers to
// no timer. Holding a handle keeps a small node alive, never the job's captures or its queue.
class TimerHandle {
public:
    TimerHandle() noexcept = default;
    explicit TimerHandle(std::shared_ptr<TimerNode> node) noexcept : _node(std::move(node)) {}

    // Safe to call from any thread. The job will not run unless it was already handed to its
    // queue; its captures are destroyed here if it had not been.
    void Cancel();
    // Safe to call from any thread. True until the timer fires, is cancelled or is dropped.
    bool Pending() const;

private:
    std::shared_ptr<TimerNode> _node;
};

}  // namespace tavern
