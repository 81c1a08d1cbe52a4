#include "bus/Bus.h"

#include <gtest/gtest.h>

#include <signal.h>
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
using bus::BusEvent;
using bus::BusMessage;

using BusTest = BusFixture;

// Records what ran on it, and whether each job ran as its job.
class Recorder : public JobQueue {
public:
    using JobQueue::JobQueue;

    void Add(std::string item) {
        if (JobQueue::Current() != this) offQueue.fetch_add(1);
        std::lock_guard lock(mutex);
        items.push_back(std::move(item));
    }
    std::size_t Count() {
        std::lock_guard lock(mutex);
        return items.size();
    }
    std::vector<std::string> Items() {
        std::lock_guard lock(mutex);
        return items;
    }

    std::atomic<int> offQueue{0};
    std::mutex mutex;
    std::vector<std::string> items;
};

TEST_F(BusTest, MessagesArriveInOrderAsJobsOnTheSubscribingActor) {
    auto bus = Bus::Connect(Options());
    auto actor = std::make_shared<Recorder>(scheduler);
    auto sub =
        bus->Subscribe("room.1", actor, [a = actor.get()](BusMessage& m) { a->Add(m.data); });
    ASSERT_TRUE(bus->Flush(5s));  // the subscription is registered on the server
    auto sender = Bus::Connect(Options("sender"));
    constexpr int kCount = 2000;
    for (int i = 0; i < kCount; ++i) ASSERT_TRUE(sender->Publish("room.1", std::to_string(i)));
    ASSERT_TRUE(WaitFor([&] { return actor->Count() == kCount; })) << actor->Count();
    const auto items = actor->Items();
    for (int i = 0; i < kCount; ++i) ASSERT_EQ(items[i], std::to_string(i));
    EXPECT_EQ(actor->offQueue.load(), 0);
}

TEST_F(BusTest, NoHandlerRunsAfterUnsubscribe) {
    auto bus = Bus::Connect(Options());
    auto actor = std::make_shared<Recorder>(scheduler);
    auto sub = bus->Subscribe("news", actor, [a = actor.get()](BusMessage& m) { a->Add(m.data); });
    ASSERT_TRUE(bus->Flush(5s));
    ASSERT_TRUE(bus->Publish("news", "before"));
    ASSERT_TRUE(WaitFor([&] { return actor->Count() == 1; }));
    sub->Unsubscribe();
    ASSERT_TRUE(bus->Publish("news", "after"));
    ASSERT_TRUE(bus->Flush(5s));
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(actor->Items(), std::vector<std::string>{"before"});
}

TEST_F(BusTest, ARequestIsAnsweredAsAJobOnTheAsker) {
    auto server = Bus::Connect(Options("server"));
    auto responder = std::make_shared<Recorder>(scheduler);
    auto sub = server->Subscribe("echo", responder,
                                 [r = responder.get(), s = server.get()](BusMessage& m) {
                                     r->Add(m.data);
                                     s->Respond(m, "re: " + m.data);
                                 });
    ASSERT_TRUE(server->Flush(5s));
    auto client = Bus::Connect(Options("client"));
    auto asker = std::make_shared<Recorder>(scheduler);
    asker->DoAsync([&] {
        client->Request(*asker, "echo", "hello", 10s, [&](AskResult<BusMessage> answer) {
            asker->Add(answer.Ok() ? answer.Value().data : answer.Message());
        });
    });
    ASSERT_TRUE(WaitFor([&] { return asker->Count() == 1; }));
    EXPECT_EQ(asker->Items()[0], "re: hello");
    EXPECT_EQ(asker->offQueue.load(), 0);
    EXPECT_EQ(responder->offQueue.load(), 0);
}

TEST_F(BusTest, ARequestNobodyAnswersTimesOut) {
    auto bus = Bus::Connect(Options());
    auto silent = std::make_shared<Recorder>(scheduler);
    auto sub =
        bus->Subscribe("silent", silent, [s = silent.get()](BusMessage& m) { s->Add(m.data); });
    ASSERT_TRUE(bus->Flush(5s));
    auto asker = std::make_shared<Recorder>(scheduler);
    std::atomic<int> error{-1};
    const auto start = std::chrono::steady_clock::now();
    std::atomic<std::int64_t> tookMs{0};
    asker->DoAsync([&] {
        bus->Request(*asker, "silent", "anyone?", 300ms, [&](AskResult<BusMessage> answer) {
            error = answer.Ok() ? 100 : static_cast<int>(answer.ErrorKind());
            tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
            asker->Add("done");
        });
    });
    ASSERT_TRUE(WaitFor([&] { return asker->Count() == 1; }));
    EXPECT_EQ(error.load(), static_cast<int>(AskError::Timeout));
    EXPECT_GE(tookMs.load(), 290);   // the timer's resolution is 1 ms; never early
    EXPECT_EQ(silent->Count(), 1u);  // the request was delivered, just not answered
}

TEST_F(BusTest, ARequestToASubjectWithoutSubscribersFailsAtOnce) {
    auto bus = Bus::Connect(Options());
    auto asker = std::make_shared<Recorder>(scheduler);
    std::atomic<int> error{-1};
    asker->DoAsync([&] {
        bus->Request(*asker, "nobody.here", "hello", 20s, [&](AskResult<BusMessage> answer) {
            error = answer.Ok() ? 100 : static_cast<int>(answer.ErrorKind());
            asker->Add("done");
        });
    });
    // Well before the 20 s timeout: the server says there are no responders.
    ASSERT_TRUE(WaitFor([&] { return asker->Count() == 1; }, 10s));
    EXPECT_EQ(error.load(), static_cast<int>(AskError::Gone));
}

TEST_F(BusTest, ConnectingWhereNoServerListensThrows) {
    bus::BusOptions options = Options();
    const int port = nats->Port();
    nats->Stop(SIGKILL);
    options.url = "nats://127.0.0.1:" + std::to_string(port);
    options.connectTimeout = 500ms;
    EXPECT_THROW(Bus::Connect(options), bus::BusError);
}

TEST_F(BusTest, TheClientReconnectsAfterAServerRestartAndItsSubscriptionsResume) {
    auto events = std::make_shared<Recorder>(scheduler);
    auto bus = Bus::Connect(Options(), events, [ev = events.get()](BusEvent e) {
        ev->Add(std::string(bus::BusEventName(e)));
    });
    auto actor = std::make_shared<Recorder>(scheduler);
    auto sub = bus->Subscribe("after", actor, [a = actor.get()](BusMessage& m) { a->Add(m.data); });
    ASSERT_TRUE(bus->Flush(5s));
    ASSERT_TRUE(bus->Publish("after", "one"));
    ASSERT_TRUE(WaitFor([&] { return actor->Count() == 1; }));

    nats->Stop(SIGKILL);
    ASSERT_TRUE(WaitFor([&] { return events->Count() >= 1; })) << "no Disconnected event";
    EXPECT_FALSE(bus->Connected());
    nats->Restart();
    ASSERT_TRUE(WaitFor([&] { return events->Count() >= 2; })) << "no Reconnected event";
    EXPECT_EQ(events->Items(), (std::vector<std::string>{"disconnected", "reconnected"}));
    EXPECT_TRUE(bus->Connected());

    // A message from another connection reaches the resumed subscription.
    auto sender = Bus::Connect(Options("sender"));
    ASSERT_TRUE(bus->Flush(5s));  // the resubscription has reached the new server
    ASSERT_TRUE(sender->Publish("after", "two"));
    ASSERT_TRUE(WaitFor([&] { return actor->Count() == 2; }));
    EXPECT_EQ(actor->Items(), (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(events->offQueue.load(), 0);
}

}  // namespace
}  // namespace tavern::test
