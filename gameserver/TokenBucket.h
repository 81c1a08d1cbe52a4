#pragma once

#include <algorithm>

#include "jobs/Clock.h"

namespace tavern::game {

// A token bucket: `rate` tokens a second, at most `burst` saved up; starts full. Used for the
// per-session limits on room changes and room creation. Not thread-safe: one owner (a
// session's job queue).
class TokenBucket {
public:
    TokenBucket(double rate, double burst) : _rate(rate), _burst(burst), _tokens(burst) {}

    // True when a token is there now (nothing is taken).
    bool Available(Clock::time_point now = Clock::now()) {
        Refill(now);
        return _rate <= 0 || _tokens >= 1;
    }
    // Takes a token; false (and nothing taken) when there is none. A rate of 0: no limit.
    bool Take(Clock::time_point now = Clock::now()) {
        if (!Available(now)) return false;
        if (_rate > 0) _tokens -= 1;
        return true;
    }

private:
    void Refill(Clock::time_point now) {
        if (_last != Clock::time_point{})
            _tokens = std::min(_burst,
                               _tokens + std::chrono::duration<double>(now - _last).count() * _rate);
        _last = now;
    }

    double _rate;
    double _burst;
    double _tokens;
    Clock::time_point _last{};
};

}  // namespace tavern::game
