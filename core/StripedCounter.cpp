#include "core/StripedCounter.h"

namespace tavern {

namespace {

std::atomic<std::uint32_t> g_nextSlot{0};
// 0: no slot yet; else the slot plus one. Plain data, no destructor (mingw's thread exit order).
constinit thread_local std::uint32_t tSlot = 0;

}  // namespace

std::size_t StripedCounter::ThisThreadsSlot() noexcept {
    if (tSlot == 0)
        tSlot = 1 + g_nextSlot.fetch_add(1, std::memory_order_relaxed) % kSlots;
    return tSlot - 1;
}

}  // namespace tavern
