#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tavern::bus {

// A JetStream key-value bucket as KvBucket::Open creates it when absent.
struct KvOptions {
    std::string bucket;  // letters, digits, '-' and '_'
    // How long a value lives after its last write (the stream's max age); zero: for ever. The
    // server removes an expired value by itself: leases rely on it (Lease.h).
    std::chrono::milliseconds ttl{0};
    std::uint8_t history = 1;                        // revisions kept per key
    std::chrono::milliseconds requestTimeout{3000};  // each JetStream call, at most
};

}  // namespace tavern::bus
