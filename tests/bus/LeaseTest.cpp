#include "bus/Lease.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/KvBucket.h"
#include "tests/bus/BusTestSupport.h"
#include "tests/bus/LeaseHolderProcess.h"

extern char** environ;

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using bus::Bus;
using bus::KvBucket;
using bus::Lease;
using bus::LeaseEvent;

using LeaseTest = BusFixture;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kLease = 1500ms;

bus::KvOptions LeaseBucket() {
    bus::KvOptions options;
    options.bucket = "leases";
    options.ttl = kLease;
    return options;
}

// The owner actor of a lease: counts its events, and checks they run as its jobs.
class Owner : public JobQueue {
public:
    using JobQueue::JobQueue;
    std::atomic<int> acquired{0};
    std::atomic<int> lost{0};
    std::atomic<int> offQueue{0};
    std::atomic<SteadyClock::rep> acquiredAt{0};

    bus::LeaseHandler Handler() {
        return [this](LeaseEvent event) {
            if (JobQueue::Current() != this) offQueue.fetch_add(1);
            if (event == LeaseEvent::Acquired) {
                acquiredAt = SteadyClock::now().time_since_epoch().count();
                acquired.fetch_add(1);
            } else {
                lost.fetch_add(1);
            }
        };
    }
};

// bus_lease_holder on this suite's bucket.
class HolderProcess : public LeaseHolderProcess {
public:
    HolderProcess(const std::string& url, const std::string& key, const std::string& holder)
        : LeaseHolderProcess(url, "leases", kLease, key, holder) {}
};

TEST_F(LeaseTest, ARenewingHolderKeepsItsLeaseAcrossSeveralLeaseTimes) {
    auto busA = Bus::Connect(Options("a"));
    auto busB = Bus::Connect(Options("b"));
    auto ownerA = std::make_shared<Owner>(scheduler);
    auto ownerB = std::make_shared<Owner>(scheduler);
    auto a = Lease::Start(scheduler, KvBucket::Open(busA, LeaseBucket()), {"room-1", "a"}, ownerA,
                          ownerA->Handler());
    ASSERT_TRUE(WaitFor([&] { return ownerA->acquired.load() == 1; }));
    auto b = Lease::Start(scheduler, KvBucket::Open(busB, LeaseBucket()), {"room-1", "b"}, ownerB,
                          ownerB->Handler());
    std::this_thread::sleep_for(kLease * 4);
    EXPECT_EQ(ownerA->acquired.load(), 1);
    EXPECT_EQ(ownerA->lost.load(), 0);
    EXPECT_TRUE(a->Held());
    EXPECT_EQ(ownerB->acquired.load(), 0);
    EXPECT_FALSE(b->Held());
    EXPECT_EQ(ownerA->offQueue.load(), 0);
    b->Stop();
    a->Stop();
}

TEST_F(LeaseTest, TheLeaseOfAKilledHolderExpiresAndAnotherHolderClaimsIt) {
    HolderProcess holder(nats->Url(), "room-9", "node-killed");
    ASSERT_EQ(holder.ReadLine(30s), "acquired");
    auto bus = Bus::Connect(Options("b"));
    auto bucket = KvBucket::Open(bus, LeaseBucket());
    EXPECT_EQ(bucket->Get("room-9")->value, "node-killed");
    auto owner = std::make_shared<Owner>(scheduler);
    auto lease = Lease::Start(scheduler, bucket, {"room-9", "node-b"}, owner, owner->Handler());
    // While the holder lives and renews, the key stays its own.
    std::this_thread::sleep_for(kLease * 2);
    ASSERT_EQ(owner->acquired.load(), 0);

    holder.Kill();
    const auto killedAt = SteadyClock::now();
    ASSERT_TRUE(WaitFor([&] { return owner->acquired.load() == 1; }, 30s));
    const auto took =
        SteadyClock::time_point(SteadyClock::duration(owner->acquiredAt.load())) - killedAt;
    // The server drops the value one lease time after the holder's last renewal (at most a
    // lease time before the kill); the claimant retries every lease/3. Generous for a loaded
    // machine: the bound that matters is that it happens in lease times, not that it is fast.
    EXPECT_LT(took, kLease * 3)
        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
    EXPECT_EQ(bucket->Get("room-9")->value, "node-b");
    std::printf(
        "claimed %lld ms after the holder was killed (lease %lld ms)\n",
        static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()),
        static_cast<long long>(kLease.count()));
    lease->Stop();
}

TEST_F(LeaseTest, AHolderWhoseKeyWasTakenLosesItAtItsNextRenewal) {
    auto bus = Bus::Connect(Options());
    auto bucket = KvBucket::Open(bus, LeaseBucket());
    auto owner = std::make_shared<Owner>(scheduler);
    auto lease = Lease::Start(scheduler, bucket, {"room-3", "a"}, owner, owner->Handler());
    ASSERT_TRUE(WaitFor([&] { return owner->acquired.load() == 1; }));
    // Someone deletes the key behind its back and claims it (what an expiry during a long
    // pause, then another claimant, looks like to the holder).
    const auto current = bucket->Get("room-3");
    ASSERT_TRUE(current.has_value());
    ASSERT_TRUE(bucket->Delete("room-3", current->revision).Ok());
    ASSERT_TRUE(bucket->Create("room-3", "intruder").Ok());
    ASSERT_TRUE(WaitFor([&] { return owner->lost.load() == 1; }, 10s));
    EXPECT_FALSE(lease->Held());
    EXPECT_EQ(bucket->Get("room-3")->value, "intruder");
    EXPECT_EQ(owner->offQueue.load(), 0);
    lease->Stop();
}

TEST_F(LeaseTest, AHolderKeepsItsLeaseWhenItFindsItsOwnLateWriteThere) {
    auto bus = Bus::Connect(Options());
    auto bucket = KvBucket::Open(bus, LeaseBucket());
    auto owner = std::make_shared<Owner>(scheduler);
    auto lease = Lease::Start(scheduler, bucket, {"room-5", "node-a"}, owner, owner->Handler());
    ASSERT_TRUE(WaitFor([&] { return owner->acquired.load() == 1; }));
    // What a renewal whose answer came after its ask had timed out leaves behind: the key moved
    // to a newer revision holding the holder's own name. The next renewal is refused, finds
    // its own name, and renews at that revision instead of reporting the lease lost.
    const auto current = bucket->Get("room-5");
    ASSERT_TRUE(current.has_value());
    ASSERT_TRUE(bucket->Update("room-5", "node-a", current->revision).Ok());
    std::this_thread::sleep_for(kLease * 2);
    EXPECT_EQ(owner->lost.load(), 0);
    EXPECT_TRUE(lease->Held());
    const auto after = bucket->Get("room-5");
    ASSERT_TRUE(after.has_value());
    EXPECT_GT(after->revision, current->revision + 1) << "renewed since";
    lease->Stop();
}

TEST_F(LeaseTest, AStoppedLeaseIsHandedOverWithoutWaitingForItsExpiry) {
    auto bus = Bus::Connect(Options());
    auto bucket = KvBucket::Open(bus, LeaseBucket());
    auto ownerA = std::make_shared<Owner>(scheduler);
    auto ownerB = std::make_shared<Owner>(scheduler);
    auto a = Lease::Start(scheduler, bucket, {"room-4", "a"}, ownerA, ownerA->Handler());
    ASSERT_TRUE(WaitFor([&] { return ownerA->acquired.load() == 1; }));
    ASSERT_TRUE(a->Held());
    a->Stop();
    ASSERT_TRUE(WaitFor([&] { return !bucket->Get("room-4").has_value(); }, 10s));
    auto b = Lease::Start(scheduler, bucket, {"room-4", "b"}, ownerB, ownerB->Handler());
    const auto start = SteadyClock::now();
    ASSERT_TRUE(WaitFor([&] { return ownerB->acquired.load() == 1; }));
    // Its first claim succeeds: no lease time spent waiting for an expiry.
    EXPECT_LT(SteadyClock::now() - start, kLease);
    b->Stop();
}

}  // namespace
}  // namespace tavern::test
