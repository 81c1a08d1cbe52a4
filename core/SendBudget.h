#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "jobs/Clock.h"

namespace tavern {

class Service;

// A service's budget for send memory, beside each session's own cap: the bytes of every block
// (a 64 KiB chunk for a small buffer, its own block for a large one) that some send queue of
// the service holds a buffer of. A block shared by a thousand queues is counted once; a 20-byte
// buffer that keeps a whole chunk alive counts the chunk. When the total passes the limit, the
// sessions holding the most queued bytes are disconnected first, until what they hold covers
// the excess.
//
//   queue A: [b1 of chunk X][b2 of chunk Y]      charged: X + Y + Z (each block once)
//   queue B: [b3 of chunk X][b4 of chunk Z]
class SendBudget {
public:
    // 0: no limit (the blocks are still counted).
    explicit SendBudget(std::size_t limit) : _limit(limit) {}

    // Safe from any thread.
    std::size_t Limit() const { return _limit; }
    std::size_t ChargedBytes() const { return _charged.load(std::memory_order_relaxed); }
    std::size_t PeakChargedBytes() const { return _peak.load(std::memory_order_relaxed); }
    bool Over() const { return _limit > 0 && ChargedBytes() > _limit; }

    // Safe from any thread (called by SendBuffer when a block is first queued / last dequeued).
    void Add(std::size_t bytes);
    void Subtract(std::size_t bytes) { _charged.fetch_sub(bytes, std::memory_order_relaxed); }

    // Safe from any thread, not under a session's send lock. When over the limit, disconnects
    // `service`'s sessions that hold the most until what they hold covers the excess (sessions
    // already going count as covering their share). One caller at a time, at most once a
    // millisecond; the others return at once.
    void Enforce(Service& service);

private:
    const std::size_t _limit;
    std::atomic<std::size_t> _charged{0};
    std::atomic<std::size_t> _peak{0};
    std::atomic<bool> _enforcing{false};
    std::atomic<Clock::rep> _lastEnforced{0};
};

}  // namespace tavern
