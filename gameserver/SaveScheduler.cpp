#include "gameserver/SaveScheduler.h"

#include <thread>

#include <spdlog/spdlog.h>

#include "jobs/Ask.h"

namespace tavern::game {

namespace {

// A save waits for the store's own timeouts (connection, pool); the ask's is only a backstop,
// long enough that a late answer never overlaps the next save.
constexpr auto kSaveAskTimeout = std::chrono::minutes(10);
constexpr auto kMaxBackoff = std::chrono::seconds(5);

}  // namespace

SaveScheduler::SaveScheduler(const SchedulerRef& scheduler, store::StoreRef store,
                             BlockingExecutor& executor, Clock::duration interval,
                             StoreMetrics* metrics)
    : JobQueue(scheduler),
      _store(std::move(store)),
      _executor(executor),
      _metrics(metrics),
      _interval(interval) {}

void SaveScheduler::Start() {
    DoTimer(_interval, &SaveScheduler::Tick);
}

void SaveScheduler::Mark(std::uint64_t playerId, const SavedPosition& position, bool left) {
    {
        std::lock_guard guard(_lock);
        _dirty[playerId] = store::PlayerState{playerId, position.roomId, position.x, position.y};
    }
    if (left && !_soonQueued.exchange(true, std::memory_order_acq_rel))
        DoAsync([this] {
            _soonQueued.store(false, std::memory_order_release);
            Flush();
        });
}

std::optional<SavedPosition> SaveScheduler::Pending(std::uint64_t playerId) const {
    std::lock_guard guard(_lock);
    auto found = _dirty.find(playerId);
    if (found == _dirty.end()) {
        found = _inFlight.find(playerId);
        if (found == _inFlight.end()) return std::nullopt;
    }
    return SavedPosition{found->second.roomId, found->second.x, found->second.y};
}

void SaveScheduler::Tick() {
    if (_stopping.load(std::memory_order_acquire)) return;
    Flush();
    DoTimer(_interval, &SaveScheduler::Tick);
}

void SaveScheduler::Flush() {
    if (_stopping.load(std::memory_order_acquire)) return;
    if (_saving.load(std::memory_order_acquire) || Clock::now() < _retryAt) return;
    auto batch = std::make_shared<Batch>(TakeDirty());
    if (batch->empty()) return;
    _saving.store(true, std::memory_order_release);
    Ask(
        *this, _executor,
        [store = _store, batch, metrics = _metrics] {
            const auto started = std::chrono::steady_clock::now();
            const std::size_t saved = store->SavePlayerStates(*batch);
            if (metrics != nullptr)
                metrics->Record(StoreMetrics::Call::Save, std::chrono::steady_clock::now() - started);
            return saved;
        },
        kSaveAskTimeout, [this, batch](AskResult<std::size_t> result) {
            Done(*batch, result.Ok(), result.Message());
        });
}

void SaveScheduler::Done(const Batch& batch, bool ok, const std::string& error) {
    if (ok) {
        {
            std::lock_guard guard(_lock);
            _inFlight.clear();
        }
        _saved.fetch_add(batch.size(), std::memory_order_relaxed);
        _backoff = {};
        _retryAt = {};
    } else {
        PutBack(batch);
        _failed.fetch_add(1, std::memory_order_relaxed);
        _backoff = _backoff == Clock::duration{}
                       ? std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(100))
                       : std::min<Clock::duration>(_backoff * 2, kMaxBackoff);
        _retryAt = Clock::now() + _backoff;
        spdlog::warn("saves: {} player states not saved ({}), retrying in {} ms", batch.size(),
                     error.empty() ? "rejected" : error,
                     std::chrono::duration_cast<std::chrono::milliseconds>(_backoff).count());
        DoTimer(_backoff, &SaveScheduler::Flush);
    }
    _saving.store(false, std::memory_order_release);
}

SaveScheduler::Batch SaveScheduler::TakeDirty() {
    std::lock_guard guard(_lock);
    Batch batch;
    batch.reserve(_dirty.size());
    for (auto& [id, state] : _dirty) batch.push_back(state);
    _inFlight = std::move(_dirty);
    _dirty.clear();
    return batch;
}

void SaveScheduler::PutBack(const Batch& batch) {
    std::lock_guard guard(_lock);
    for (const store::PlayerState& state : batch) _dirty.try_emplace(state.playerId, state);
    _inFlight.clear();
}

std::size_t SaveScheduler::StopAndFlush(std::chrono::milliseconds timeout) {
    _stopping.store(true, std::memory_order_release);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (_saving.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    Batch batch;
    {
        std::lock_guard guard(_lock);
        for (auto& [id, state] : _inFlight) _dirty.try_emplace(id, state);
        _inFlight.clear();
        for (auto& [id, state] : _dirty) batch.push_back(state);
    }
    while (!batch.empty()) {
        try {
            _store->SavePlayerStates(batch);
            _saved.fetch_add(batch.size(), std::memory_order_relaxed);
            std::lock_guard guard(_lock);
            _dirty.clear();
            batch.clear();
        } catch (const std::exception& e) {
            if (std::chrono::steady_clock::now() >= deadline) {
                spdlog::error("saves: {} player states lost at stop: {}", batch.size(), e.what());
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    Close();
    return batch.size();
}

}  // namespace tavern::game
