#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "jobs/Clock.h"
#include "jobs/Job.h"
#include "jobs/JobsFwd.h"
#include "jobs/TimerHandle.h"

namespace tavern {

struct TimerNode;

// Timers of one Scheduler: a hierarchical timing wheel with 1 ms ticks, 4 levels of 256 slots
// (2^32 ms, about 49 days; longer delays wait in the top level and are re-placed on cascade).
//
//   level 0: slot = due        & 255   timers due within 256 ticks      -> fire when reached
//   level 1: slot = due >>  8  & 255   within 2^16 ticks                -> cascade every 256
//   level 2: slot = due >> 16  & 255   within 2^24 ticks                -> cascade every 2^16
//   level 3: slot = due >> 24  & 255   the rest                          -> cascade every 2^24
//
// Insert and expiry are O(1) per timer whatever the number pending. Inserts from any thread go
// lock-free into a moodycamel inbox; the one thread that wins a try-lock drains it into the wheel,
// advances the wheel to "now" (skipping empty slots with per-level occupancy bitmaps) and pushes
// the due jobs into their queues. Timers fire in due order, in drain order within a tick, never
// before their due time (insert time + delay, rounded up to the tick). A cancelled timer never
// fires; its node stays in the wheel (without its job) until its slot is reached.
class JobTimer {
public:
    static constexpr Clock::duration kTick = std::chrono::milliseconds(1);

    struct Inserted {
        TimerHandle handle;
        bool earliest = false;  // due before every timer known so far: an idle worker should wake
    };

    explicit JobTimer(Clock::time_point epoch = Clock::now());
    ~JobTimer();
    JobTimer(const JobTimer&) = delete;
    JobTimer& operator=(const JobTimer&) = delete;

    // Safe to call from any thread. Lock-free. `job` is pushed into `queue` at `due`, if the
    // queue still exists then.
    Inserted Insert(Clock::time_point due, std::weak_ptr<Runnable> queue, Job job);

    // Safe to call from any thread; one thread at a time, the others return 0 at once. Pushes
    // every timer due at `now` into its queue (never running it inline) and returns how many.
    std::size_t Distribute(Clock::time_point now);

    // Safe to call from any thread. Never later than the next expiry (it may be earlier, e.g.
    // for a cancelled timer or at a cascade), except while another thread is distributing: then a
    // due timer reads as one tick away, since that thread fires it. nullopt when none is pending.
    std::optional<Clock::duration> NextDelay(Clock::time_point now) const;

    // Safe to call from any thread. Drops every pending timer (jobs destroyed, never run). Called
    // from inside Distribute (a destructor run by it), the clearing happens as Distribute ends.
    void Clear();

    // Safe to call from any thread. Tick 0: due tick = ceil((due - Epoch()) / kTick).
    Clock::time_point Epoch() const { return _epoch; }

    // Safe to call from any thread. Timers inserted and not yet fired or dropped by the wheel
    // (cancelled ones count until their slot is reached).
    std::size_t Size() const { return _size.load(std::memory_order_relaxed); }

private:
    static constexpr int kLevels = 4;
    static constexpr int kSlotBits = 8;
    static constexpr int kSlots = 1 << kSlotBits;
    static constexpr std::uint64_t kSlotMask = kSlots - 1;
    static constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

    using NodeRef = std::shared_ptr<TimerNode>;
    using Slot = std::vector<NodeRef>;

    struct Level {
        std::array<Slot, kSlots> slots;
        std::array<std::uint64_t, kSlots / 64> occupied{};  // bit per non-empty slot
    };

    std::uint64_t TickCeil(Clock::time_point t) const;
    std::uint64_t TickFloor(Clock::time_point t) const;

    // Distributor only (under _mutex).
    void DrainInbox();
    void Accept(NodeRef node);
    void Place(NodeRef node);
    void Advance(std::uint64_t target);
    void Cascade(int level, int slot);
    void Expire(int slot);
    std::size_t Fire();
    std::uint64_t ComputeEarliest() const;
    void ClearLocked();
    void SetBit(int level, int slot) noexcept;
    void ClearBit(int level, int slot) noexcept;
    bool AnyBit(int level) const noexcept;
    int FindFrom(int level, int from) const noexcept;       // first occupied slot in [from, 255]
    int FindCircular(int level, int start) const noexcept;  // first from start, wrapping

    const Clock::time_point _epoch;
    moodycamel::ConcurrentQueue<NodeRef> _inbox;
    // Lower bounds of the earliest due tick: of the inbox (lowered by inserters) and of the wheel
    // (written by the distributor). NextDelay reads their minimum.
    std::atomic<std::uint64_t> _inboxEarliest{kNever};
    std::atomic<std::uint64_t> _wheelEarliest{kNever};
    std::atomic<std::size_t> _size{0};
    std::atomic<bool> _clearRequested{false};
    std::atomic<bool> _distributing{false};  // a thread is inside Distribute (holds _mutex)
    std::mutex _mutex;

    // Under _mutex.
    std::array<Level, kLevels> _levels;
    std::uint64_t _now = 0;  // last tick processed
    std::uint64_t _nextSeq = 0;
    std::vector<NodeRef> _due;
};

}  // namespace tavern
