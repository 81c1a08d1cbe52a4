#include "store/LoginLimiter.h"

#include <gtest/gtest.h>

#include <string>

namespace tavern::store {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct FakeClock {
    LoginLimiter::Clock::time_point now{std::chrono::hours(1)};
    LoginLimiter::Now Function() {
        return [this] { return now; };
    }
};

TEST(LoginLimiterTest, FiveFailuresOnAnAccountWithinAMinuteLockItForAMinute) {
    FakeClock clock;
    LoginLimiter limiter({}, clock.Function());
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(limiter.Allow("alice", "10.0.0." + std::to_string(i))) << i;
        limiter.RecordFailure("alice", "10.0.0." + std::to_string(i));
        clock.now += 5s;
    }
    EXPECT_FALSE(limiter.Allow("alice", "10.0.0.99"));  // the sixth attempt, from anywhere
    EXPECT_TRUE(limiter.Allow("bob", "10.0.0.99"));     // another account is not locked
    clock.now += 50s;                                   // 55 s after the fifth failure
    EXPECT_FALSE(limiter.Allow("alice", "10.0.0.99"));
    clock.now += 5s;  // a minute after it
    EXPECT_TRUE(limiter.Allow("alice", "10.0.0.99"));
    EXPECT_EQ(limiter.Failures(), 5u);
    EXPECT_EQ(limiter.Refused(), 2u);
}

TEST(LoginLimiterTest, FailuresSpreadOverMoreThanAMinuteDoNotLock) {
    FakeClock clock;
    LoginLimiter limiter({}, clock.Function());
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(limiter.Allow("alice", "10.0.0.1")) << i;
        limiter.RecordFailure("alice", "10.0.0.1");
        clock.now += 15s;  // at most four within any minute
    }
    EXPECT_EQ(limiter.Refused(), 0u);
}

TEST(LoginLimiterTest, TwentyFailuresFromOneAddressLockTheAddress) {
    FakeClock clock;
    LoginLimiter limiter({}, clock.Function());
    for (int i = 0; i < 20; ++i) {
        const std::string account = "player" + std::to_string(i);
        ASSERT_TRUE(limiter.Allow(account, "192.0.2.7")) << i;
        limiter.RecordFailure(account, "192.0.2.7");
    }
    EXPECT_FALSE(limiter.Allow("newcomer", "192.0.2.7"));
    EXPECT_TRUE(limiter.Allow("newcomer", "192.0.2.8"));
    clock.now += 60s;
    EXPECT_TRUE(limiter.Allow("newcomer", "192.0.2.7"));
}

TEST(LoginLimiterTest, ThePerAddressLimitIsConfigurable) {
    FakeClock clock;
    LoginLimiterOptions options;
    options.addressFailures = 3;
    LoginLimiter limiter(options, clock.Function());
    for (int i = 0; i < 3; ++i) limiter.RecordFailure("p" + std::to_string(i), "192.0.2.7");
    EXPECT_FALSE(limiter.Allow("p9", "192.0.2.7"));
}

TEST(LoginLimiterTest, ASuccessClearsTheAccountsFailuresButNotTheAddresss) {
    FakeClock clock;
    LoginLimiterOptions options;
    options.addressFailures = 6;
    LoginLimiter limiter(options, clock.Function());
    for (int i = 0; i < 4; ++i) limiter.RecordFailure("alice", "192.0.2.7");
    limiter.RecordSuccess("alice");
    for (int i = 0; i < 4; ++i) limiter.RecordFailure("alice", "192.0.2.8");
    EXPECT_TRUE(limiter.Allow("alice", "192.0.2.8"));  // 4 since the success, not 8
    limiter.RecordFailure("bob", "192.0.2.7");
    limiter.RecordFailure("bob", "192.0.2.7");  // the address's sixth failure
    EXPECT_FALSE(limiter.Allow("carol", "192.0.2.7"));
}

TEST(LoginLimiterTest, KeepsAtMostMaxKeysUnderASprayOfNames) {
    FakeClock clock;
    LoginLimiterOptions options;
    options.maxKeys = 100;
    options.addressFailures = 1000000;
    LoginLimiter limiter(options, clock.Function());
    for (int i = 0; i < 10000; ++i) {
        limiter.RecordFailure("name" + std::to_string(i), "192.0.2.7");
        clock.now += 1ms;
    }
    // The newest names are still counted: four more failures lock the last one.
    for (int i = 0; i < 4; ++i) limiter.RecordFailure("name9999", "192.0.2.7");
    EXPECT_FALSE(limiter.Allow("name9999", "192.0.2.9"));
    EXPECT_EQ(limiter.Failures(), 10004u);
    EXPECT_LE(limiter.TrackedKeys(), 101u);  // 100 names and the one address
}

}  // namespace
}  // namespace tavern::store
