#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "jobs/Job.h"
#include "jobs/JobsFwd.h"

namespace tavern {

// One pending timer: shared by the wheel (which fires it) and every TimerHandle (which may cancel
// it). Exactly one of fire / cancel / discard wins the claim on `state`; only the winner touches
// `job` and `queue` afterwards, so the job runs at most once and its captures are released at
// once, even while a handle keeps the node itself alive.
struct TimerNode {
    enum State : std::uint8_t { kPending, kCancelled, kFired };

    // Any thread: returns true for exactly one caller, who then owns `job` and `queue`.
    bool Claim(State to) noexcept {
        std::uint8_t expected = kPending;
        return state.compare_exchange_strong(expected, to, std::memory_order_acq_rel);
    }

    // Any thread: releases the job and the queue if no one has claimed them yet.
    void Discard() noexcept {
        if (Claim(kCancelled)) {
            job.Reset();
            queue.reset();
        }
    }

    std::atomic<std::uint8_t> state{kPending};
    std::uint64_t dueTick = 0;  // in JobTimer ticks; fixed before the node is published
    std::uint64_t seq = 0;      // drain order, keeps insert order within a tick; distributor only
    std::weak_ptr<Runnable> queue;
    Job job;
};

}  // namespace tavern
