#include "core/Session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/SocketUtils.h"
#include "examples/echo/EchoSession.h"
#include "tests/support/Backends.h"
#include "tests/support/RawClient.h"

namespace tavern::test {
namespace {

using examples::EchoSession;

class SessionTest : public BackendTest {};

// Echoes, and remembers the most bytes it ever had queued.
class MeasuringEchoSession final : public Session {
public:
    explicit MeasuringEchoSession(std::atomic<std::size_t>& maxQueued) : _maxQueued(maxQueued) {}

protected:
    void OnRecv(std::span<const std::byte> bytes) override {
        Send(SendBuffer::Copy(bytes));
        const std::size_t queued = QueuedSendBytes();
        std::size_t seen = _maxQueued.load();
        while (queued > seen && !_maxQueued.compare_exchange_weak(seen, queued)) {
        }
    }

private:
    std::atomic<std::size_t>& _maxQueued;
};

void ExpectEchoWorks(const NetAddress& address) {
    RawClient good;
    ASSERT_TRUE(good.Connect(address));
    const auto message = Pattern(5000);
    ASSERT_TRUE(good.SendAll(message));
    EXPECT_EQ(good.ReceiveExactly(message.size()), message);
}

TEST_P(SessionTest, ClientThatNeverReadsIsDisconnectedAtItsSendCap) {
    constexpr std::size_t kCap = 256 * 1024;
    std::atomic<std::size_t> maxQueued{0};
    ServiceOptions options;
    options.sendQueueLimit = kCap;
    auto server = StartServer(
        [&] { return std::make_shared<MeasuringEchoSession>(maxQueued); }, options);

    RawClient hog;
    hog.SetReceiveBuffer(4096);
    ASSERT_TRUE(hog.Connect(server->LocalAddress()));
    const auto chunk = Pattern(64 * 1024);
    bool cut = false;
    for (int i = 0; i < 1024 && !cut; ++i)  // up to 64 MiB, far past cap + socket buffers
        cut = !hog.SendAll(chunk.data(), chunk.size(), std::chrono::seconds(2));
    EXPECT_TRUE(cut || hog.WaitForClose()) << "the server kept a client that never reads";
    EXPECT_TRUE(WaitUntil([&] { return server->Counters().sendCapExceeded.load() >= 1; }));
    EXPECT_TRUE(WaitUntil([&] { return server->SessionCount() == 0; }));
    EXPECT_LE(maxQueued.load(), kCap);
    ExpectEchoWorks(server->LocalAddress());
}

TEST_P(SessionTest, PeerThatResetsMidSendIsDisconnectedAlone) {
    auto server = StartServer([] { return std::make_shared<EchoSession>(); });
    RawClient bystander;
    ASSERT_TRUE(bystander.Connect(server->LocalAddress()));

    RawClient rude;
    rude.SetReceiveBuffer(4096);
    ASSERT_TRUE(rude.Connect(server->LocalAddress()));
    const auto chunk = Pattern(256 * 1024);
    for (int i = 0; i < 8; ++i) rude.SendAll(chunk.data(), chunk.size(), std::chrono::seconds(2));
    ASSERT_TRUE(WaitUntil([&] { return server->Counters().bytesOut.load() > 0; }));
    rude.Reset();

    EXPECT_TRUE(WaitUntil([&] { return server->SessionCount() == 1; }));
    const auto message = Pattern(1000, 3);
    ASSERT_TRUE(bystander.SendAll(message));
    EXPECT_EQ(bystander.ReceiveExactly(message.size()), message);
}

// Disconnects the moment it is connected (the hook may run inline on the home worker).
class LeavesAtOnceSession final : public Session {
public:
    explicit LeavesAtOnceSession(std::atomic<int>& disconnected) : _disconnected(disconnected) {}

protected:
    void OnConnected() override { Disconnect("leaving at once"); }
    void OnDisconnected() override { _disconnected.fetch_add(1); }

private:
    std::atomic<int>& _disconnected;
};

TEST_P(SessionTest, DisconnectFromOnConnectedClosesAtOnceOnBothSides) {
    // Both sides' idle timeouts are far away: nothing but the disconnect itself may close these.
    std::atomic<int> serverClosed{0};
    auto server = StartServer([&] { return std::make_shared<LeavesAtOnceSession>(serverClosed); });
    RawClient raw;
    ASSERT_TRUE(raw.Connect(server->LocalAddress()));
    EXPECT_TRUE(raw.WaitForClose(std::chrono::seconds(3))) << "the server never closed";
    EXPECT_TRUE(WaitUntil([&] { return serverClosed.load() == 1; }));
    EXPECT_TRUE(WaitUntil([&] { return server->SessionCount() == 0; }));

    // A client session doing the same, against an echo server that waits for it to send.
    auto echo = StartServer([] { return std::make_shared<EchoSession>(); });
    std::atomic<int> clientClosed{0};
    auto client = MakeClient(echo->LocalAddress(),
                             [&] { return std::make_shared<LeavesAtOnceSession>(clientClosed); });
    std::error_code error;
    ASSERT_NE(client->Connect(error), nullptr) << error.message();
    EXPECT_TRUE(WaitUntil([&] { return clientClosed.load() == 1; }));
    EXPECT_TRUE(WaitUntil([&] { return client->SessionCount() == 0; }));
    EXPECT_TRUE(WaitUntil([&] { return echo->SessionCount() == 0; }));
}

TEST_P(SessionTest, PeerThatHalfClosesGetsItsEchoThenTheClose) {
    auto server = StartServer([] { return std::make_shared<EchoSession>(); });
    RawClient client;
    ASSERT_TRUE(client.Connect(server->LocalAddress()));
    const auto message = Pattern(200000);
    ASSERT_TRUE(client.SendAll(message));
    client.ShutdownWrite();
    EXPECT_EQ(client.ReceiveExactly(message.size()), message);
    EXPECT_TRUE(client.WaitForClose());
    EXPECT_TRUE(WaitUntil([&] { return server->SessionCount() == 0; }));
}

// Sends from several threads at once to one session, each thread numbering its messages.
TEST_P(SessionTest, SendsFromManyThreadsArriveWholeAndInEachThreadsOrder) {
    std::mutex lock;
    SessionRef serverSide;
    auto server = StartServer([&] {
        auto session = std::make_shared<EchoSession>();
        std::lock_guard guard(lock);
        serverSide = session;
        return session;
    });
    RawClient client;
    ASSERT_TRUE(client.Connect(server->LocalAddress()));
    ASSERT_TRUE(WaitUntil([&] {
        std::lock_guard guard(lock);
        return serverSide && serverSide->IsConnected();
    }));

    constexpr std::uint32_t kThreads = 4;
    constexpr std::uint32_t kMessages = 5000;
    constexpr std::size_t kSize = 16;
    std::vector<std::thread> senders;
    for (std::uint32_t t = 0; t < kThreads; ++t) {
        senders.emplace_back([&, t] {
            for (std::uint32_t seq = 0; seq < kMessages; ++seq) {
                auto buffer = SendBuffer::Make(kSize);
                std::memset(buffer->Data(), 0xAB, kSize);
                std::memcpy(buffer->Data(), &t, 4);
                std::memcpy(buffer->Data() + 4, &seq, 4);
                serverSide->Send(buffer);
            }
        });
    }
    const auto bytes = client.ReceiveExactly(kThreads * kMessages * kSize, std::chrono::seconds(20));
    for (auto& sender : senders) sender.join();
    ASSERT_EQ(bytes.size(), kThreads * kMessages * kSize);
    std::vector<std::uint32_t> next(kThreads, 0);
    for (std::size_t offset = 0; offset < bytes.size(); offset += kSize) {
        std::uint32_t thread = 0;
        std::uint32_t seq = 0;
        std::memcpy(&thread, bytes.data() + offset, 4);
        std::memcpy(&seq, bytes.data() + offset + 4, 4);
        ASSERT_LT(thread, kThreads) << "a message arrived torn at offset " << offset;
        ASSERT_EQ(seq, next[thread]) << "thread " << thread << " out of order";
        ++next[thread];
        for (std::size_t i = 8; i < kSize; ++i)
            ASSERT_EQ(bytes[offset + i], std::byte{0xAB}) << "torn message at " << offset;
    }
    std::lock_guard guard(lock);
    serverSide.reset();
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
