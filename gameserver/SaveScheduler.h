#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "gameserver/PlayerStateSink.h"
#include "gameserver/StoreMetrics.h"
#include "jobs/BlockingExecutor.h"
#include "jobs/JobQueue.h"
#include "store/Store.h"

namespace tavern::game {

// Saves players' rooms and positions. Marks collect the newest state per player; once per
// interval (or soon after a player leaves or drops) every dirty player goes to the store in ONE
// SavePlayerStates transaction, run on the blocking executor through Ask. One save is in flight
// at a time, so an older batch never lands after a newer one. A failed save is put back under
// any newer marks and retried with a doubling backoff (up to 5 s) while the process lives.
class SaveScheduler final : public JobQueue, public PlayerStateSink {
public:
    SaveScheduler(const SchedulerRef& scheduler, store::StoreRef store,
                  BlockingExecutor& executor, Clock::duration interval,
                  StoreMetrics* metrics = nullptr);

    // Any thread: starts the interval.
    void Start();
    // Any thread.
    void Mark(std::uint64_t playerId, const SavedPosition& position, bool left) override;
    // Any thread: the newest state marked for `playerId` that is not known saved yet.
    std::optional<SavedPosition> Pending(std::uint64_t playerId) const;
    // Not from a worker or the executor: stops the interval, waits for the save in flight and
    // writes what is left on the calling thread, retrying until `timeout`. Returns how many
    // players' states could not be written.
    std::size_t StopAndFlush(std::chrono::milliseconds timeout);

    // Any thread: counters.
    std::uint64_t SavedStates() const { return _saved.load(std::memory_order_relaxed); }
    std::uint64_t FailedSaves() const { return _failed.load(std::memory_order_relaxed); }

private:
    using Batch = std::vector<store::PlayerState>;
    // On this actor's job queue.
    void Tick();
    void Flush();
    void Done(const Batch& batch, bool ok, const std::string& error);
    Batch TakeDirty();
    void PutBack(const Batch& batch);

    const store::StoreRef _store;
    BlockingExecutor& _executor;
    StoreMetrics* const _metrics;  // null: not counted
    const Clock::duration _interval;

    mutable std::mutex _lock;
    std::unordered_map<std::uint64_t, store::PlayerState> _dirty;     // under _lock
    std::unordered_map<std::uint64_t, store::PlayerState> _inFlight;  // under _lock
    std::atomic<bool> _saving{false};
    std::atomic<bool> _stopping{false};
    std::atomic<bool> _soonQueued{false};
    // On this actor's job queue.
    Clock::time_point _retryAt{};
    Clock::duration _backoff{};
    std::atomic<std::uint64_t> _saved{0};
    std::atomic<std::uint64_t> _failed{0};
};

}  // namespace tavern::game
