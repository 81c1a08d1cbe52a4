#include "core/LogThrottle.h"

namespace tavern {

bool LogThrottle::Allow(std::size_t kind, std::uint64_t& suppressed, Clock::time_point now) {
    Slot& slot = _slots[kind % kKinds];
    const Clock::rep at = now.time_since_epoch().count();
    const Clock::rep second =
        std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)).count();
    Clock::rep last = slot.last.load(std::memory_order_relaxed);
    // The first line ever (last == 0) and one a second after that; one thread wins each second.
    if ((last == 0 || at - last >= second) &&
        slot.last.compare_exchange_strong(last, at, std::memory_order_relaxed)) {
        suppressed = slot.suppressed.exchange(0, std::memory_order_relaxed);
        return true;
    }
    slot.suppressed.fetch_add(1, std::memory_order_relaxed);
    suppressed = 0;
    return false;
}

}  // namespace tavern
