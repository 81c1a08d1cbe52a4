#pragma once

#include <atomic>
#include <cstdint>

namespace tavern::ws {

// A WebSocket listener's totals, beside its service's ServiceCounters (which count the same
// sessions as packets, bytes and cuts). Relaxed atomics; readable from any thread at any time.
struct WsCounters {
    std::atomic<std::uint64_t> upgrades{0};        // handshakes completed (101)
    std::atomic<std::uint64_t> filesServed{0};     // GET of a page file (200)
    std::atomic<std::uint64_t> notFound{0};        // 404: no such file, or the page not built
    std::atomic<std::uint64_t> badRequests{0};     // 400: not a valid upgrade, a bad key, not GET
    std::atomic<std::uint64_t> badVersions{0};     // 426: Sec-WebSocket-Version other than 13
    std::atomic<std::uint64_t> originRefused{0};   // 403: an upgrade from a page not allowed
    std::atomic<std::uint64_t> headersTooLarge{0};  // 431: the request head past the limit
    std::atomic<std::uint64_t> protocolCloses{0};  // close 1002: an unmasked frame, bad bits
    std::atomic<std::uint64_t> textCloses{0};      // close 1003 (or 1007): a text message
    std::atomic<std::uint64_t> tooBigCloses{0};    // close 1009: a message over the packet limit
    std::atomic<std::uint64_t> peerCloses{0};      // close handshakes the peer began
};

}  // namespace tavern::ws
