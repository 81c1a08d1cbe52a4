#pragma once

#include <chrono>
#include <cstddef>

namespace tavern {

struct SchedulerOptions {
    // A queue that runs longer than this goes back to the GlobalQueue, so one busy actor cannot
    // keep a worker from its I/O.
    std::chrono::microseconds timeSlice{2000};
    // A mailbox longer than this logs a warning (at most once a second per queue).
    std::size_t queueWarnLength{10000};
};

}  // namespace tavern
