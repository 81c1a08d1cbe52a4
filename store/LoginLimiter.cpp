#include "store/LoginLimiter.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace tavern::store {

LoginLimiter::LoginLimiter(Options options, Now now) : _options(options), _now(std::move(now)) {}

bool LoginLimiter::Allow(std::string_view account, std::string_view address) {
    const Clock::time_point now = _now();
    std::lock_guard lock(_mutex);
    // Both keys are looked at, so a locked address is refused whatever the account.
    const bool accountLocked = Locked(_accounts, std::string(account), now);
    const bool addressLocked = Locked(_addresses, std::string(address), now);
    if (!accountLocked && !addressLocked) return true;
    ++_refused;
    return false;
}

void LoginLimiter::RecordFailure(std::string_view account, std::string_view address) {
    const Clock::time_point now = _now();
    std::lock_guard lock(_mutex);
    ++_failures;
    Fail(_accounts, std::string(account), _options.accountFailures, now);
    Fail(_addresses, std::string(address), _options.addressFailures, now);
}

void LoginLimiter::RecordSuccess(std::string_view account) {
    std::lock_guard lock(_mutex);
    auto it = _accounts.find(std::string(account));
    // A locked account stays locked until its time is up.
    if (it != _accounts.end() && it->second.lockedUntil <= _now()) _accounts.erase(it);
}

std::uint64_t LoginLimiter::Refused() const {
    std::lock_guard lock(_mutex);
    return _refused;
}

std::uint64_t LoginLimiter::Failures() const {
    std::lock_guard lock(_mutex);
    return _failures;
}

std::size_t LoginLimiter::TrackedKeys() const {
    std::lock_guard lock(_mutex);
    return _accounts.size() + _addresses.size();
}

bool LoginLimiter::Locked(Map& map, const std::string& key, Clock::time_point now) {
    auto it = map.find(key);
    return it != map.end() && it->second.lockedUntil > now;
}

void LoginLimiter::Fail(Map& map, const std::string& key, std::size_t limit,
                        Clock::time_point now) {
    if (map.size() >= _options.maxKeys && map.find(key) == map.end()) Sweep(map, now);
    Entry& entry = map[key];
    Prune(entry, now);
    entry.failures.push_back(now);
    if (entry.failures.size() >= limit) {
        entry.lockedUntil = now + _options.lockout;
        entry.failures.clear();  // the lock is the penalty; the count starts again after it
    }
}

void LoginLimiter::Prune(Entry& entry, Clock::time_point now) const {
    while (!entry.failures.empty() && entry.failures.front() + _options.window <= now)
        entry.failures.pop_front();
}

void LoginLimiter::Sweep(Map& map, Clock::time_point now) {
    for (auto it = map.begin(); it != map.end();) {
        Prune(it->second, now);
        if (it->second.failures.empty() && it->second.lockedUntil <= now)
            it = map.erase(it);
        else
            ++it;
    }
    // Still full of live keys (a spray of names or addresses): drop the half least recently
    // failed, so the map stays bounded. A lock may be lost early; memory is never unbounded.
    if (map.size() < _options.maxKeys) return;
    std::vector<std::pair<Clock::time_point, Map::iterator>> order;
    order.reserve(map.size());
    for (auto it = map.begin(); it != map.end(); ++it) {
        const Entry& e = it->second;
        order.emplace_back(
            std::max(e.lockedUntil, e.failures.empty() ? Clock::time_point{} : e.failures.back()),
            it);
    }
    auto middle = order.begin() + static_cast<std::ptrdiff_t>(order.size() / 2);
    std::nth_element(order.begin(), middle, order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto it = order.begin(); it != middle; ++it) map.erase(it->second);
}

}  // namespace tavern::store
