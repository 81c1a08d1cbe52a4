#include "jobs/ThreadContext.h"

namespace tavern {

namespace {
thread_local ThreadContext tContext;
}  // namespace

ThreadContext& ThisThread() noexcept {
    return tContext;
}

WorkerScope::WorkerScope(const Scheduler& scheduler) noexcept : _previous(tContext.worker) {
    tContext.worker = &scheduler;
}

WorkerScope::~WorkerScope() {
    tContext.worker = _previous;
}

}  // namespace tavern
