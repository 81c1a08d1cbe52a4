#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "jobs/Clock.h"

namespace tavern {

// Rate limit for log lines about one connection's misdeeds (a protocol error, a flood): at most
// one line a second per kind, the next one saying how many were left out meanwhile. A flood of
// hostile connections then costs the log a line a second, not a line each.
//
//   [warn] session 7 (...): protocol error: header too small (...); disconnecting
//   ... 999 more in the next second, not logged ...
//   [warn] session 1010 (...): protocol error: ... (and 999 more like it since the last line)
//
// Safe from any thread (lock-free).
class LogThrottle {
public:
    static constexpr std::size_t kKinds = 32;

    // Whether a line of `kind` (below kKinds) may be logged now. When it may, `suppressed` is
    // how many were refused since the last one allowed (0 otherwise).
    bool Allow(std::size_t kind, std::uint64_t& suppressed, Clock::time_point now = Clock::now());

private:
    struct Slot {
        std::atomic<Clock::rep> last{0};
        std::atomic<std::uint64_t> suppressed{0};
    };
    std::array<Slot, kKinds> _slots;
};

}  // namespace tavern
