#pragma once

#include <memory>

namespace tavern {

// Forward declarations and the shared-handle aliases of the actor runtime, so that headers can
// name each other without including each other.
class Job;
class JobQueue;
class Runnable;
class GlobalQueue;
class JobTimer;
class TimerHandle;
class Scheduler;
struct SchedulerOptions;

using JobQueueRef = std::shared_ptr<JobQueue>;
using RunnableRef = std::shared_ptr<Runnable>;
using SchedulerRef = std::shared_ptr<Scheduler>;

}  // namespace tavern
