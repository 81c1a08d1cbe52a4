#include "gameserver/StoreMetrics.h"

namespace tavern::game {

namespace {

constexpr std::size_t kUnavailable = StoreMetrics::kOutcomes - 1;
static_assert(static_cast<std::size_t>(store::LoginStatus::TooManyAttempts) + 1 == kUnavailable,
              "one outcome per LoginStatus, then unavailable");

}  // namespace

void StoreMetrics::CountLogin(std::optional<store::LoginStatus> status) {
    const std::size_t outcome = status ? static_cast<std::size_t>(*status) : kUnavailable;
    _logins[outcome].fetch_add(1, std::memory_order_relaxed);
}

void StoreMetrics::Record(Call call, std::chrono::nanoseconds took) {
    Histogram& histogram = _calls[static_cast<std::size_t>(call)];
    const double seconds = std::chrono::duration<double>(took).count();
    std::size_t bucket = 0;
    while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
    histogram.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    histogram.sumNanoseconds.fetch_add(static_cast<std::uint64_t>(took.count()),
                                       std::memory_order_relaxed);
}

std::uint64_t StoreMetrics::Logins(std::size_t outcome) const {
    return _logins[outcome].load(std::memory_order_relaxed);
}

std::string_view StoreMetrics::OutcomeName(std::size_t outcome) {
    static constexpr std::array<std::string_view, kOutcomes> kNames{
        "logged_in",        "created",        "wrong_name_or_password", "name_taken",
        "invalid_name",     "invalid_password", "too_many_attempts",    "unavailable"};
    return kNames[outcome];
}

std::string_view StoreMetrics::CallName(Call call) {
    return call == Call::Login ? "login" : "save";
}

StoreMetrics::Durations StoreMetrics::Read(Call call) const {
    const Histogram& histogram = _calls[static_cast<std::size_t>(call)];
    Durations out;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        running += histogram.buckets[i].load(std::memory_order_relaxed);
        out.cumulative[i] = running;
    }
    out.count = running + histogram.buckets[kBounds.size()].load(std::memory_order_relaxed);
    out.sumSeconds =
        static_cast<double>(histogram.sumNanoseconds.load(std::memory_order_relaxed)) / 1e9;
    return out;
}

}  // namespace tavern::game
