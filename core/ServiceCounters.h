#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "core/ProtocolError.h"
#include "core/StripedCounter.h"

namespace tavern {

// A service's totals, kept with relaxed atomics; readable from any thread at any time. The ones
// every receive or send adds to are striped per thread (StripedCounter): workers never share a
// line for them, and a read sums the stripes.
struct ServiceCounters {
    std::atomic<std::uint64_t> accepted{0};      // sockets accepted or connected
    std::atomic<std::uint64_t> refused{0};       // turned away: over maxSessions or out of fds
    std::atomic<std::uint64_t> refusedNoDescriptors{0};  // of those, out of file descriptors
    std::atomic<std::uint64_t> connectFailed{0};
    std::atomic<std::uint64_t> closed{0};        // sessions fully released
    StripedCounter bytesIn;
    StripedCounter bytesOut;
    StripedCounter packetsIn;
    StripedCounter sends;                        // buffers queued for sending (packets out)
    std::atomic<std::uint64_t> sendCapExceeded{0};
    std::atomic<std::uint64_t> sendBudgetCuts{0};  // cut for the service's send memory budget
    std::atomic<std::uint64_t> idleTimeouts{0};
    std::atomic<std::uint64_t> rateLimited{0};   // disconnected for sending too many packets
    std::atomic<std::uint64_t> tailCapExceeded{0};  // left more unconsumed bytes than allowed
    std::atomic<std::uint64_t> cut{0};           // sessions ended for cause, with a reset
    std::array<std::atomic<std::uint64_t>, kProtocolErrorKinds> protocolErrors{};

    std::uint64_t ProtocolErrorTotal() const {
        std::uint64_t total = 0;
        for (const auto& count : protocolErrors) total += count.load(std::memory_order_relaxed);
        return total;
    }
};

}  // namespace tavern
