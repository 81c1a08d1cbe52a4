#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tavern::soak {

// What the soak's clients did and what they believe is live, kept by the bots on their
// sessions' job queues with relaxed atomics and read by the run between waves (any thread).
struct ChurnTally {
    using Counter = std::atomic<std::uint64_t>;
    using Gauge = std::atomic<std::int64_t>;

    // Connections.
    Counter opened{0};         // connects started
    Counter connected{0};      // handshakes completed (OnConnected)
    Counter connectFailed{0};  // never connected
    // How the connections that connected ended; each ends exactly one way.
    Counter closedClean{0};      // C_LEAVE_GAME, S_LEAVE_GAME, then close
    Counter closedAbrupt{0};     // closed (FIN) without leaving
    Counter closedReset{0};      // closed with a TCP reset (SO_LINGER 0) without leaving
    Counter closedMidLogin{0};   // closed before S_LOGIN arrived
    Counter closedReconnect{0};  // closed without leaving, and a new connection logs in at once
    Counter dropped{0};          // closed by the server: never expected
    Counter closedAtStop{0};     // cut off by the run stopping early, after a failure
    // Refusals (S_LOGIN / S_ENTER_GAME with success = false, S_ERROR): never expected either.
    Counter refused{0};
    // From this side's close to OnDisconnected: a close is a few system calls, so one that
    // takes seconds got stuck (and ended only when something else, such as the server's idle
    // timeout, closed the connection).
    Counter slowCloses{0};  // took longer than kSlowClose
    Counter slowestCloseUs{0};
    static constexpr std::chrono::seconds kSlowClose{2};
    Counter packetsSent{0};
    Counter packetsReceived{0};

    // What the clients believe is live: connected, logged in (S_LOGIN seen), in a room
    // (S_ENTER_GAME seen and no S_LEAVE_GAME since).
    Gauge liveConnections{0};
    Gauge liveLoggedIn{0};
    Gauge liveInGame{0};
    // Connections started and not yet ended (connected or failed): a wave is over at 0.
    Gauge outstanding{0};

    void RecordClose(std::chrono::steady_clock::duration took) {
        const auto us = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(took).count());
        if (took > kSlowClose) slowCloses.fetch_add(1, std::memory_order_relaxed);
        std::uint64_t slowest = slowestCloseUs.load(std::memory_order_relaxed);
        while (us > slowest && !slowestCloseUs.compare_exchange_weak(slowest, us)) {
        }
    }

    std::uint64_t Closed() const {
        constexpr auto r = std::memory_order_relaxed;
        return closedClean.load(r) + closedAbrupt.load(r) + closedReset.load(r) +
               closedMidLogin.load(r) + closedReconnect.load(r) + dropped.load(r) +
               closedAtStop.load(r);
    }
};

}  // namespace tavern::soak
