#include "bus/BusMetrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "bus/Bus.h"
#include "tests/bus/BusTestSupport.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using bus::BusMessage;
using bus::BusMetrics;
using bus::RequestOutcome;

TEST(BusMetricsTest, SubjectsAreCountedUnderTheFirstPatternTheyMatch) {
    EXPECT_TRUE(BusMetrics::Matches("tavern.node.*.whisper", "tavern.node.a.whisper"));
    EXPECT_FALSE(BusMetrics::Matches("tavern.node.*.whisper", "tavern.node.a.kick"));
    EXPECT_FALSE(BusMetrics::Matches("tavern.node.*.whisper", "tavern.node.a.whisper.x"));
    EXPECT_FALSE(BusMetrics::Matches("tavern.node.*", "tavern.node"));
    EXPECT_TRUE(BusMetrics::Matches("tavern.>", "tavern.room.7.tick"));
    EXPECT_FALSE(BusMetrics::Matches("tavern.>", "tavern"));
    EXPECT_FALSE(BusMetrics::Matches("tavern.>", "other.thing"));

    BusMetrics metrics({"tavern.node.*.whisper", "tavern.>"});
    EXPECT_EQ(metrics.LabelOf("tavern.node.node-a.whisper"), "tavern.node.*.whisper");
    EXPECT_EQ(metrics.LabelOf("tavern.node.node-a.kick"), "tavern.>");
    EXPECT_EQ(metrics.LabelOf("_INBOX.abc.1"), "other");
}

using BusMetricsLiveTest = BusFixture;

TEST_F(BusMetricsLiveTest, TrafficIsCountedByPatternBothWaysWithEachRequestsOutcome) {
    auto options = Options("counted");
    options.metricSubjects = {"tavern.node.*.whisper"};
    auto server = bus::Bus::Connect(options);
    auto client = bus::Bus::Connect(options);
    auto actor = std::make_shared<JobQueue>(scheduler);
    auto sub = server->Subscribe("tavern.node.b.whisper", actor,
                                 [s = server.get()](BusMessage& m) { s->Respond(m, "ok"); });
    ASSERT_TRUE(server->Flush(5s));

    std::atomic<int> done{0};
    actor->DoAsync([&] {
        for (int i = 0; i < 3; ++i)
            client->Request(*actor, "tavern.node.b.whisper", "hi", 10s,
                            [&](AskResult<BusMessage>) { done.fetch_add(1); });
        client->Request(*actor, "tavern.node.gone.whisper", "hi", 10s,
                        [&](AskResult<BusMessage>) { done.fetch_add(1); });
    });
    ASSERT_TRUE(WaitFor([&] { return done.load() == 4; }));
    ASSERT_TRUE(client->Publish("elsewhere", "x"));

    const auto sent = client->Metrics().Read();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].subject, "tavern.node.*.whisper");
    EXPECT_EQ(sent[0].sent, 4u);
    EXPECT_EQ(sent[0].requests[static_cast<int>(RequestOutcome::Answered)], 3u);
    EXPECT_EQ(sent[0].requests[static_cast<int>(RequestOutcome::NoResponders)], 1u);
    EXPECT_EQ(sent[1].subject, "other");
    EXPECT_EQ(sent[1].sent, 1u);
    EXPECT_EQ(sent[1].received, 0u) << "replies to requests are not deliveries";
    const auto served = server->Metrics().Read();
    EXPECT_EQ(served[0].received, 3u);
    EXPECT_EQ(served[0].replies, 3u);
    EXPECT_EQ(served[1].sent, 0u) << "replies are not counted under their inbox subject";
}

}  // namespace
}  // namespace tavern::test
