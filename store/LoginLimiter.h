#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tavern::store {

struct LoginLimiterOptions {
    std::size_t accountFailures = 5;   // failures within the window that lock an account
    std::size_t addressFailures = 20;  // ... that lock an address (many players may share one)
    std::chrono::steady_clock::duration window = std::chrono::minutes(1);
    std::chrono::steady_clock::duration lockout = std::chrono::minutes(1);
    std::size_t maxKeys = 100000;  // per map (accounts, addresses)
};

// Brute-force limit for logins, per account and per client address. Each key keeps its failed
// attempts of the last `window`. When a key reaches its limit of failures within the window
// (5 for an account, 20 for an address by default), it is locked for `lockout` from that
// failure: every attempt on it is refused ("too many attempts") without looking at the
// password, and each refusal is counted. A successful login clears its account's failures (not
// its address's: many players may share one address). Memory stays bounded: keys with nothing
// recent are swept, and at most `maxKeys` are kept (the oldest go first).
//
// Safe from any thread, concurrently (one mutex; each call is a few map operations).
class LoginLimiter {
public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;

    using Options = LoginLimiterOptions;

    explicit LoginLimiter(Options options = {}, Now now = &Clock::now);

    // Whether an attempt on `account` (its canonical name) from `address` may go ahead. False:
    // refuse it with "too many attempts" (counted in Refused()). Any thread (each method).
    bool Allow(std::string_view account, std::string_view address);
    // A failed attempt: a wrong password, or an unknown name.
    void RecordFailure(std::string_view account, std::string_view address);
    // A successful login: the account's failures are forgotten.
    void RecordSuccess(std::string_view account);

    std::uint64_t Refused() const;
    std::uint64_t Failures() const;
    // Accounts and addresses with recent failures or a lock (for metrics; bounded by maxKeys).
    std::size_t TrackedKeys() const;
    const Options& GetOptions() const { return _options; }

private:
    struct Entry {
        std::deque<Clock::time_point> failures;  // within the window, oldest first
        Clock::time_point lockedUntil{};
    };
    using Map = std::unordered_map<std::string, Entry>;

    // Under _mutex.
    bool Locked(Map& map, const std::string& key, Clock::time_point now);
    void Fail(Map& map, const std::string& key, std::size_t limit, Clock::time_point now);
    void Prune(Entry& entry, Clock::time_point now) const;
    void Sweep(Map& map, Clock::time_point now);

    const Options _options;
    const Now _now;
    mutable std::mutex _mutex;
    Map _accounts;
    Map _addresses;
    std::uint64_t _refused = 0;
    std::uint64_t _failures = 0;
};

}  // namespace tavern::store
