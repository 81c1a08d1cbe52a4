#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tavern {

// A total that many threads add to and few read (a service's bytes and packets): one cache line
// per thread slot, summed when read, so that workers counting the same service never write a
// shared line. A thread takes a slot on its first add (round robin; with more threads than
// slots, some share one, which stays correct). Spelled like std::atomic's fetch_add and load so
// that it replaces one where a total is hot. Any thread.
class StripedCounter {
public:
    static constexpr std::size_t kSlots = 16;

    void fetch_add(std::uint64_t value,  // NOLINT(readability-identifier-naming): std::atomic's name
                   std::memory_order = std::memory_order_relaxed) noexcept {
        _cells[ThisThreadsSlot()].value.fetch_add(value, std::memory_order_relaxed);
    }
    // The sum of every slot as of now (relaxed: a total for reports, not a synchronization).
    std::uint64_t load(std::memory_order = std::memory_order_relaxed) const noexcept {  // NOLINT
        std::uint64_t total = 0;
        for (const Cell& cell : _cells) total += cell.value.load(std::memory_order_relaxed);
        return total;
    }

private:
    struct alignas(64) Cell {
        std::atomic<std::uint64_t> value{0};
    };
    static std::size_t ThisThreadsSlot() noexcept;

    std::array<Cell, kSlots> _cells{};
};

}  // namespace tavern
