#include "jobs/JobTimer.h"

#include <algorithm>
#include <bit>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

#include "jobs/Runnable.h"
#include "jobs/ThreadContext.h"
#include "jobs/TimerNode.h"

namespace tavern {

namespace {

// The timer this thread is distributing now: a destructor run by Distribute may call back into
// it (Clear, Distribute), and std::mutex must not be locked twice by one thread.
using DistributingScope = ThreadFieldScope<const JobTimer*, &ThreadContext::distributing>;

// Lowers `value` to at most `bound`. Always a read-modify-write, even when nothing changes, so
// that the distributor's reset (a later RMW) synchronizes with it and sees the enqueue before it.
std::uint64_t FetchMin(std::atomic<std::uint64_t>& value, std::uint64_t bound) {
    std::uint64_t current = value.load();
    while (!value.compare_exchange_weak(current, std::min(current, bound))) {
    }
    return current;
}

}  // namespace

JobTimer::JobTimer(Clock::time_point epoch) : _epoch(epoch), _inbox(0) {}

JobTimer::~JobTimer() {
    Clear();
}

std::uint64_t JobTimer::TickCeil(Clock::time_point t) const {
    if (t <= _epoch) return 0;
    return static_cast<std::uint64_t>(
        std::chrono::ceil<std::chrono::milliseconds>(t - _epoch).count());
}

std::uint64_t JobTimer::TickFloor(Clock::time_point t) const {
    if (t <= _epoch) return 0;
    return static_cast<std::uint64_t>(
        std::chrono::floor<std::chrono::milliseconds>(t - _epoch).count());
}

JobTimer::Inserted JobTimer::Insert(Clock::time_point due, std::weak_ptr<Runnable> queue, Job job) {
    auto node = std::make_shared<TimerNode>();
    node->dueTick = TickCeil(due);
    node->queue = std::move(queue);
    node->job = std::move(job);
    const std::uint64_t tick = node->dueTick;
    Inserted result{TimerHandle(node), false};
    _size.fetch_add(1, std::memory_order_relaxed);
    // Enqueue first, then lower the inbox bound: see FetchMin.
    if (!_inbox.enqueue(std::move(node))) {
        spdlog::critical("JobTimer: out of memory in Insert");
        std::terminate();
    }
    const std::uint64_t before = FetchMin(_inboxEarliest, tick);
    result.earliest = tick < before && tick < _wheelEarliest.load();
    return result;
}

std::size_t JobTimer::Distribute(Clock::time_point now) {
    if (ThisThread().distributing == this) return 0;
    std::unique_lock lock(_mutex, std::try_to_lock);
    if (!lock.owns_lock()) return 0;
    const DistributingScope scope(this);
    _distributing.store(true, std::memory_order_relaxed);

    // Fold the inbox bound into the wheel bound before resetting it, so that a reader never sees
    // neither. The reset succeeds only if no insert came in between (else fold again).
    std::uint64_t inbox = _inboxEarliest.load();
    do {
        _wheelEarliest.store(std::min(_wheelEarliest.load(), inbox));
    } while (!_inboxEarliest.compare_exchange_weak(inbox, kNever));

    DrainInbox();
    // Late arrivals (due at or before the last processed tick) fire first, in due order.
    std::stable_sort(_due.begin(), _due.end(),
                     [](const NodeRef& a, const NodeRef& b) { return a->dueTick < b->dueTick; });
    Advance(TickFloor(now));
    const std::size_t fired = Fire();
    _wheelEarliest.store(ComputeEarliest());
    while (_clearRequested.exchange(false)) ClearLocked();
    _distributing.store(false, std::memory_order_relaxed);
    return fired;
}

std::optional<Clock::duration> JobTimer::NextDelay(Clock::time_point now) const {
    // Inbox first: a timer already folded into the wheel bound is then seen in either.
    const std::uint64_t tick = std::min(_inboxEarliest.load(), _wheelEarliest.load());
    if (tick == kNever) return std::nullopt;
    const Clock::time_point due = _epoch + std::chrono::milliseconds(tick);
    if (due > now) return due - now;
    // Due, but another thread is distributing: it fires what is due (its bound may just not be
    // updated yet). Look again in a tick rather than spin on the lock it holds: a spinning
    // worker takes a core from the distributor and from everything else on the machine.
    if (_distributing.load(std::memory_order_relaxed)) return kTick;
    return Clock::duration::zero();
}

void JobTimer::Clear() {
    if (ThisThread().distributing == this) {
        _clearRequested.store(true);
        return;
    }
    const std::lock_guard lock(_mutex);
    const DistributingScope scope(this);
    do {
        ClearLocked();
    } while (_clearRequested.exchange(false));
}

void JobTimer::DrainInbox() {
    std::array<NodeRef, 64> nodes;
    for (;;) {
        const std::size_t n = _inbox.try_dequeue_bulk(nodes.begin(), nodes.size());
        if (n == 0) return;
        for (std::size_t i = 0; i < n; ++i) Accept(std::move(nodes[i]));
    }
}

void JobTimer::Accept(NodeRef node) {
    if (node->state.load(std::memory_order_acquire) != TimerNode::kPending) {
        _size.fetch_sub(1, std::memory_order_relaxed);  // cancelled before it reached the wheel
        return;
    }
    node->seq = _nextSeq++;
    if (node->dueTick <= _now) {
        _due.push_back(std::move(node));
    } else {
        Place(std::move(node));
    }
}

void JobTimer::Place(NodeRef node) {
    const std::uint64_t due = node->dueTick;
    const std::uint64_t delta = due - _now;
    int level = 0;
    std::uint64_t bucket = due;
    while (level < kLevels - 1 && delta >= (std::uint64_t{1} << (kSlotBits * (level + 1)))) {
        ++level;
        bucket = due >> (kSlotBits * level);
    }
    if (level == kLevels - 1 && delta >= (std::uint64_t{1} << (kSlotBits * kLevels))) {
        // Beyond the wheel: park in the farthest top slot and look again when it cascades.
        bucket = (_now >> (kSlotBits * level)) + kSlotMask;
    }
    const int slot = static_cast<int>(bucket & kSlotMask);
    _levels[level].slots[slot].push_back(std::move(node));
    SetBit(level, slot);
}

void JobTimer::Advance(std::uint64_t target) {
    while (_now < target) {
        // Next stop: the next occupied level-0 slot before the next 256-tick boundary, else that
        // boundary (where higher levels cascade down). With level 0 empty, jump straight to the
        // first occupied higher-level bucket: the boundaries in between have nothing to cascade.
        std::uint64_t tick = 0;
        if (AnyBit(0)) {
            const std::uint64_t base = _now & ~kSlotMask;
            const int from = static_cast<int>(_now & kSlotMask) + 1;
            const int slot = from < kSlots ? FindFrom(0, from) : -1;
            tick = slot >= 0 ? base + static_cast<std::uint64_t>(slot) : base + kSlots;
        } else {
            tick = ComputeEarliest();  // kNever when the wheel is empty
        }
        if (tick > target) {
            _now = target;
            return;
        }
        _now = tick;
        if ((tick & kSlotMask) == 0) {
            for (int level = kLevels - 1; level >= 1; --level) {
                const std::uint64_t span = std::uint64_t{1} << (kSlotBits * level);
                if ((tick & (span - 1)) == 0) {
                    Cascade(level, static_cast<int>((tick >> (kSlotBits * level)) & kSlotMask));
                }
            }
        }
        Expire(static_cast<int>(tick & kSlotMask));
    }
}

void JobTimer::Cascade(int level, int slot) {
    if ((_levels[level].occupied[slot / 64] & (std::uint64_t{1} << (slot % 64))) == 0) return;
    Slot nodes = std::move(_levels[level].slots[slot]);
    _levels[level].slots[slot] = Slot{};
    ClearBit(level, slot);
    for (NodeRef& node : nodes) {
        if (node->state.load(std::memory_order_acquire) != TimerNode::kPending) {
            _size.fetch_sub(1, std::memory_order_relaxed);
            continue;
        }
        Place(std::move(node));
    }
}

void JobTimer::Expire(int slot) {
    if ((_levels[0].occupied[slot / 64] & (std::uint64_t{1} << (slot % 64))) == 0) return;
    Slot nodes = std::move(_levels[0].slots[slot]);
    _levels[0].slots[slot] = Slot{};
    ClearBit(0, slot);
    // Nodes cascaded from above may land behind later inserts: restore insert order.
    auto bySeq = [](const NodeRef& a, const NodeRef& b) { return a->seq < b->seq; };
    if (!std::is_sorted(nodes.begin(), nodes.end(), bySeq))
        std::sort(nodes.begin(), nodes.end(), bySeq);
    for (NodeRef& node : nodes) _due.push_back(std::move(node));
}

std::size_t JobTimer::Fire() {
    std::size_t fired = 0;
    for (NodeRef& node : _due) {
        _size.fetch_sub(1, std::memory_order_relaxed);
        if (!node->Claim(TimerNode::kFired)) continue;  // cancelled
        Job job = std::move(node->job);
        const RunnableRef queue = node->queue.lock();
        node->queue.reset();
        if (queue) {
            // Not inline: other workers can take the queues from the GlobalQueue in parallel,
            // and the wheel is not held while user code runs.
            queue->PostFromTimer(std::move(job));
            ++fired;
        }
    }
    _due.clear();
    return fired;
}

std::uint64_t JobTimer::ComputeEarliest() const {
    std::uint64_t earliest = kNever;
    if (AnyBit(0)) {
        const int slot = FindCircular(0, static_cast<int>((_now + 1) & kSlotMask));
        const std::uint64_t offset = (static_cast<std::uint64_t>(slot) - _now) & kSlotMask;
        earliest = _now + offset;
    }
    for (int level = 1; level < kLevels; ++level) {
        if (!AnyBit(level)) continue;
        // The bucket's first tick: when it cascades. Early, never late.
        const int shift = kSlotBits * level;
        const std::uint64_t current = _now >> shift;
        const int slot = FindCircular(level, static_cast<int>((current + 1) & kSlotMask));
        std::uint64_t ahead = (static_cast<std::uint64_t>(slot) - current) & kSlotMask;
        if (ahead == 0) ahead = kSlots;
        earliest = std::min(earliest, (current + ahead) << shift);
    }
    return earliest;
}

void JobTimer::ClearLocked() {
    // Reset the inbox bound first: an insert after this keeps its own bound.
    _inboxEarliest.store(kNever);
    std::array<NodeRef, 64> batch;
    for (;;) {
        const std::size_t n = _inbox.try_dequeue_bulk(batch.begin(), batch.size());
        if (n == 0) break;
        for (std::size_t i = 0; i < n; ++i) {
            batch[i]->Discard();
            batch[i].reset();
        }
        _size.fetch_sub(n, std::memory_order_relaxed);
    }
    for (Level& level : _levels) {
        for (Slot& slot : level.slots) {
            Slot nodes = std::move(slot);
            slot = Slot{};
            for (NodeRef& node : nodes) node->Discard();
            _size.fetch_sub(nodes.size(), std::memory_order_relaxed);
        }
        level.occupied = {};
    }
    for (NodeRef& node : _due) node->Discard();
    _size.fetch_sub(_due.size(), std::memory_order_relaxed);
    _due.clear();
    _wheelEarliest.store(kNever);
}

void JobTimer::SetBit(int level, int slot) noexcept {
    _levels[level].occupied[slot / 64] |= std::uint64_t{1} << (slot % 64);
}

void JobTimer::ClearBit(int level, int slot) noexcept {
    _levels[level].occupied[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
}

bool JobTimer::AnyBit(int level) const noexcept {
    for (std::uint64_t word : _levels[level].occupied) {
        if (word != 0) return true;
    }
    return false;
}

int JobTimer::FindFrom(int level, int from) const noexcept {
    const auto& words = _levels[level].occupied;
    for (int w = from / 64; w < static_cast<int>(words.size()); ++w) {
        std::uint64_t word = words[w];
        if (w == from / 64) word &= ~std::uint64_t{0} << (from % 64);
        if (word != 0) return w * 64 + std::countr_zero(word);
    }
    return -1;
}

int JobTimer::FindCircular(int level, int start) const noexcept {
    const int slot = FindFrom(level, start);
    return slot >= 0 ? slot : FindFrom(level, 0);
}

}  // namespace tavern
