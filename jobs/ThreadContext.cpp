#include "jobs/ThreadContext.h"

namespace tavern {

constinit thread_local ThreadContext tThreadContext;

WorkerScope::WorkerScope(const Scheduler& scheduler) noexcept
    : _previous(tThreadContext.worker) {
    tThreadContext.worker = &scheduler;
}

WorkerScope::~WorkerScope() {
    tThreadContext.worker = _previous;
    if (_previous == nullptr) OrderedLane::ReleaseThreadCache();  // no longer a worker
}

}  // namespace tavern
