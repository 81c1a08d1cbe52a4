#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tavern {

// Packets and bytes in and out, and handler time, by packet id, for one worker. Each worker
// owns one and its threads write it (an uncontended add on lines no other core writes); a
// scrape reads every worker's and sums them, so counting adds no shared cache line to the hot
// path. A thread that is not a worker charges its session's home worker (rare: tests, tools).
// Counted only by services with ServiceOptions::packetMetrics.
class PacketMetrics {
public:
    static constexpr std::size_t kIds = 512;  // ids at or above kIds share the last slot
    // Upper bounds of the handler-time buckets, in nanoseconds; the last bucket is +Inf.
    static constexpr std::array<std::uint64_t, 12> kBucketNanos{
        1'000, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000,
        1'000'000, 5'000'000, 10'000'000, 50'000'000};
    static constexpr std::size_t kBuckets = kBucketNanos.size() + 1;

    struct Slot {
        std::atomic<std::uint64_t> packetsIn{0};
        std::atomic<std::uint64_t> bytesIn{0};
        std::atomic<std::uint64_t> packetsOut{0};
        std::atomic<std::uint64_t> bytesOut{0};
        std::atomic<std::uint64_t> handled{0};
        std::atomic<std::uint64_t> handlerNanos{0};
        std::array<std::atomic<std::uint64_t>, kBuckets> buckets{};  // per bucket, not cumulative
    };

    // Safe to call from any thread (relaxed adds).
    void CountIn(std::uint16_t id, std::size_t bytes) {
        Slot& slot = _slots[IndexOf(id)];
        slot.packetsIn.fetch_add(1, std::memory_order_relaxed);
        slot.bytesIn.fetch_add(bytes, std::memory_order_relaxed);
    }
    void CountOut(std::uint16_t id, std::size_t packets, std::size_t bytes) {
        Slot& slot = _slots[IndexOf(id)];
        slot.packetsOut.fetch_add(packets, std::memory_order_relaxed);
        slot.bytesOut.fetch_add(bytes, std::memory_order_relaxed);
    }
    void CountHandler(std::uint16_t id, std::chrono::nanoseconds time) {
        Slot& slot = _slots[IndexOf(id)];
        const auto nanos = static_cast<std::uint64_t>(std::max<std::int64_t>(time.count(), 0));
        std::size_t bucket = 0;
        while (bucket < kBucketNanos.size() && nanos > kBucketNanos[bucket]) ++bucket;
        slot.handled.fetch_add(1, std::memory_order_relaxed);
        slot.handlerNanos.fetch_add(nanos, std::memory_order_relaxed);
        slot.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    }

    // Safe to call from any thread: slot `index` (0..kIds), values as of now (relaxed).
    const Slot& At(std::size_t index) const { return _slots[index]; }
    static constexpr std::size_t IndexOf(std::uint16_t id) {
        return std::min<std::size_t>(id, kIds);
    }

private:
    std::array<Slot, kIds + 1> _slots{};
};

}  // namespace tavern
