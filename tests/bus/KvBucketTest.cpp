#include "bus/KvBucket.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/BusError.h"
#include "tests/bus/BusTestSupport.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using bus::Bus;
using bus::KvBucket;
using bus::KvEntry;
using bus::KvWrite;

using KvBucketTest = BusFixture;

bus::KvOptions Bucket(const std::string& name, std::chrono::milliseconds ttl = 0ms) {
    bus::KvOptions options;
    options.bucket = name;
    options.ttl = ttl;
    return options;
}

TEST_F(KvBucketTest, CreateRefusesAKeyThatExists) {
    auto bus = Bus::Connect(Options());
    auto kv = KvBucket::Open(bus, Bucket("rooms"));
    const KvWrite first = kv->Create("room-1", "node-a");
    ASSERT_TRUE(first.Ok());
    EXPECT_GT(first.revision, 0u);
    const KvWrite second = kv->Create("room-1", "node-b");
    EXPECT_TRUE(second.Conflict());
    const auto entry = kv->Get("room-1");
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->value, "node-a");
    EXPECT_EQ(entry->revision, first.revision);
}

TEST_F(KvBucketTest, UpdateWithAStaleRevisionIsRefused) {
    auto bus = Bus::Connect(Options());
    auto kv = KvBucket::Open(bus, Bucket("rooms"));
    const KvWrite created = kv->Create("room-1", "v1");
    ASSERT_TRUE(created.Ok());
    const KvWrite updated = kv->Update("room-1", "v2", created.revision);
    ASSERT_TRUE(updated.Ok());
    EXPECT_GT(updated.revision, created.revision);
    // A second writer that read revision 1 loses.
    EXPECT_TRUE(kv->Update("room-1", "v2-from-a-stale-reader", created.revision).Conflict());
    EXPECT_EQ(kv->Get("room-1")->value, "v2");
    // Updating a key nobody created is a conflict too, not a create.
    EXPECT_TRUE(kv->Update("room-2", "v", 12345).Conflict());
    EXPECT_FALSE(kv->Get("room-2").has_value());
}

TEST_F(KvBucketTest, PutWritesWhateverTheKeyHolds) {
    auto bus = Bus::Connect(Options());
    auto kv = KvBucket::Open(bus, Bucket("players"));
    const KvWrite first = kv->Put("alice", "node-a");
    ASSERT_TRUE(first.Ok());
    const KvWrite second = kv->Put("alice", "node-b");  // a newer login elsewhere: last wins
    ASSERT_TRUE(second.Ok());
    EXPECT_GT(second.revision, first.revision);
    EXPECT_EQ(kv->Get("alice")->value, "node-b");
    // The first writer's conditional delete no longer matches: the newer entry stays.
    EXPECT_TRUE(kv->Delete("alice", first.revision).Conflict());
    EXPECT_EQ(kv->Get("alice")->value, "node-b");
}

TEST_F(KvBucketTest, AConditionalDeleteOnlyRemovesItsOwnRevision) {
    auto bus = Bus::Connect(Options());
    auto kv = KvBucket::Open(bus, Bucket("rooms"));
    const KvWrite created = kv->Create("room-1", "mine");
    const KvWrite taken = kv->Update("room-1", "theirs", created.revision);
    ASSERT_TRUE(taken.Ok());
    EXPECT_TRUE(kv->Delete("room-1", created.revision).Conflict());
    EXPECT_EQ(kv->Get("room-1")->value, "theirs");
    EXPECT_TRUE(kv->Delete("room-1", taken.revision).Ok());
    EXPECT_FALSE(kv->Get("room-1").has_value());
    // A deleted key counts as absent: it can be created again.
    EXPECT_TRUE(kv->Create("room-1", "again").Ok());
    EXPECT_EQ(kv->Get("room-1")->value, "again");
}

TEST_F(KvBucketTest, TwoOpensOfOneBucketShareItsKeys) {
    auto busA = Bus::Connect(Options("a"));
    auto busB = Bus::Connect(Options("b"));
    auto a = KvBucket::Open(busA, Bucket("shared", 5s));
    auto b = KvBucket::Open(busB, Bucket("shared", 5s));
    ASSERT_TRUE(a->Create("k", "from-a").Ok());
    EXPECT_TRUE(b->Create("k", "from-b").Conflict());
    EXPECT_EQ(b->Get("k")->value, "from-a");
    // Opening it with another TTL is refused: a lease bucket must expire what it was made to.
    EXPECT_THROW(KvBucket::Open(busB, Bucket("shared", 9s)), bus::BusError);
}

class Answers : public JobQueue {
public:
    using JobQueue::JobQueue;
    std::atomic<int> offQueue{0};
    std::atomic<int> count{0};
    std::mutex mutex;
    std::vector<std::string> lines;

    void Add(std::string line) {
        if (JobQueue::Current() != this) offQueue.fetch_add(1);
        std::lock_guard lock(mutex);
        lines.push_back(std::move(line));
        count.fetch_add(1);
    }
};

TEST_F(KvBucketTest, AsksAreAnsweredAsJobsOnTheAsker) {
    auto bus = Bus::Connect(Options());
    auto kv = KvBucket::Open(bus, Bucket("rooms"));
    auto actor = std::make_shared<Answers>(scheduler);
    actor->DoAsync([a = actor.get(), kv] {
        kv->Create(*a, "room-7", "node-a", 10s, [a, kv](AskResult<KvWrite> created) {
            a->Add(created.Ok() && created.Value().Ok() ? "created" : "create failed");
            kv->Create(*a, "room-7", "node-b", 10s, [a, kv](AskResult<KvWrite> again) {
                a->Add(again.Ok() && again.Value().Conflict() ? "conflict" : "no conflict");
                kv->Get(*a, "room-7", 10s, [a](AskResult<std::optional<KvEntry>> got) {
                    a->Add(got.Ok() && got.Value() ? got.Value()->value : "missing");
                });
            });
        });
    });
    ASSERT_TRUE(WaitFor([&] { return actor->count.load() == 3; }));
    std::lock_guard lock(actor->mutex);
    EXPECT_EQ(actor->lines, (std::vector<std::string>{"created", "conflict", "node-a"}));
    EXPECT_EQ(actor->offQueue.load(), 0);
}

TEST_F(KvBucketTest, AWatchDeliversCurrentValuesThenChangesAsJobs) {
    auto bus = Bus::Connect(Options());
    auto kv = KvBucket::Open(bus, Bucket("players"));
    ASSERT_TRUE(kv->Create("alice", "node-a").Ok());
    auto actor = std::make_shared<Answers>(scheduler);
    auto watch = kv->Watch(">", actor, [a = actor.get()](KvEntry& e) {
        a->Add(e.key + (e.op == bus::KvOp::Put ? "=" + e.value : " deleted"));
    });
    ASSERT_TRUE(WaitFor([&] { return actor->count.load() == 1; }));
    const KvWrite bob = kv->Create("bob", "node-b");
    ASSERT_TRUE(bob.Ok());
    // The bucket keeps one revision per key: a value overwritten before the watch's consumer
    // has read it is skipped (the watch sees states, not every write), so wait for it first.
    ASSERT_TRUE(WaitFor([&] { return actor->count.load() == 2; })) << "the new key";
    ASSERT_TRUE(kv->Delete("bob").Ok());
    const bool all = WaitFor([&] { return actor->count.load() == 3; });
    std::lock_guard lock(actor->mutex);
    ASSERT_TRUE(all) << testing::PrintToString(actor->lines);
    EXPECT_EQ(actor->lines,
              (std::vector<std::string>{"alice=node-a", "bob=node-b", "bob deleted"}));
    EXPECT_EQ(actor->offQueue.load(), 0);
}

}  // namespace
}  // namespace tavern::test
