#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "store/Accounts.h"

namespace tavern::game {

// What the accounts layer did, for /metrics: logins by outcome, and how long the store's calls
// took (a login on the store thread: lookup, hash, saved state; a save: one batch). Written by
// the store threads and the login's session (a few writers, not the I/O hot path), read by a
// scrape. Any thread.
class StoreMetrics {
public:
    enum class Call : std::uint8_t { Login, Save };
    static constexpr std::size_t kCalls = 2;
    // One outcome per store::LoginStatus, then "unavailable" (the store thread refused, timed
    // out or threw: the client was told "service unavailable").
    static constexpr std::size_t kOutcomes = 8;
    static constexpr std::array<double, 12> kBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1,    2.5};

    struct Durations {
        std::array<std::uint64_t, kBounds.size()> cumulative{};  // calls at or under each bound
        std::uint64_t count = 0;
        double sumSeconds = 0;
    };

    // nullopt: unavailable.
    void CountLogin(std::optional<store::LoginStatus> status);
    void Record(Call call, std::chrono::nanoseconds took);

    std::uint64_t Logins(std::size_t outcome) const;
    static std::string_view OutcomeName(std::size_t outcome);
    static std::string_view CallName(Call call);
    Durations Read(Call call) const;

private:
    struct Histogram {
        std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets{};  // last: over all bounds
        std::atomic<std::uint64_t> sumNanoseconds{0};
    };
    std::array<std::atomic<std::uint64_t>, kOutcomes> _logins{};
    std::array<Histogram, kCalls> _calls{};
};

}  // namespace tavern::game
