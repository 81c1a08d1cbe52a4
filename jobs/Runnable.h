#pragma once

#include <memory>

#include "jobs/Job.h"
#include "jobs/JobsFwd.h"

namespace tavern {

// What the Scheduler, its GlobalQueue and its JobTimer see of an actor. They know actors only
// through this interface, so the dependencies inside jobs/ run one way:
//
//   JobQueue -> Scheduler -> GlobalQueue, JobTimer -> Runnable, Job, ThreadContext
//
// JobQueue implements it privately: a user holding a JobQueue (or a Session) cannot call these.
class Runnable {
public:
    virtual ~Runnable() = default;

    // Only by the queue's owner, i.e. the thread that popped it from the GlobalQueue: runs jobs
    // until the mailbox is empty or the thread's time slice is over.
    virtual void RunOwned() = 0;
    // Only by the queue's owner: destroys every pending job and gives up ownership.
    virtual void DropOwned() = 0;
    // Any thread (the timer's distributor): delivers a fired timer's job, never running it inline.
    virtual void PostFromTimer(Job job) = 0;
};

}  // namespace tavern
