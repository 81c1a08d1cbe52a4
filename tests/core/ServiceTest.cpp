#include "core/Service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "core/SocketUtils.h"
#include "examples/echo/EchoSession.h"
#include "tests/support/Backends.h"
#include "tests/support/RawClient.h"

namespace tavern::test {
namespace {

using examples::EchoSession;

class ServiceTest : public BackendTest {};

SessionFactory Echo() {
    return [] { return std::make_shared<EchoSession>(); };
}

TEST_P(ServiceTest, LiveSessionCountReturnsToZeroAfterEveryClientLeaves) {
    auto server = StartServer(Echo());
    std::vector<RawClient> clients(100);
    for (auto& client : clients) ASSERT_TRUE(client.Connect(server->LocalAddress()));
    EXPECT_TRUE(WaitUntil([&] { return server->SessionCount() == clients.size(); }));
    const auto message = Pattern(64);
    for (auto& client : clients) {
        ASSERT_TRUE(client.SendAll(message));
        ASSERT_EQ(client.ReceiveExactly(message.size()), message);
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
        if (i % 2 == 0)
            clients[i].Close();
        else
            clients[i].Reset();
    }
    EXPECT_TRUE(WaitUntil([&] { return server->SessionCount() == 0; }));
    EXPECT_EQ(server->Counters().closed.load(), clients.size());
}

TEST_P(ServiceTest, WaitingForTheSessionCountToRiseWakesWhenClientsArrive) {
    auto server = StartServer(Echo());
    std::vector<RawClient> clients(3);
    auto waited = std::async(std::launch::async, [&] {
        const auto start = std::chrono::steady_clock::now();
        const bool reached = server->WaitForSessionCount(clients.size(), std::chrono::seconds(20));
        return std::make_pair(reached, std::chrono::steady_clock::now() - start);
    });
    for (auto& client : clients) ASSERT_TRUE(client.Connect(server->LocalAddress()));
    const auto [reached, took] = waited.get();
    EXPECT_TRUE(reached);
    // Woken by the arrivals, not by its own timeout running out.
    EXPECT_LT(took, std::chrono::seconds(10));
}

TEST_P(ServiceTest, StopWithSessionsOpenClosesThemAllWithoutHanging) {
    auto server = StartServer(Echo());
    std::vector<RawClient> clients(50);
    for (auto& client : clients) ASSERT_TRUE(client.Connect(server->LocalAddress()));
    ASSERT_TRUE(WaitUntil([&] { return server->SessionCount() == clients.size(); }));
    // Some traffic in flight while stopping.
    const auto message = Pattern(100000);
    for (auto& client : clients) client.SendAll(message);

    EXPECT_TRUE(server->Stop(std::chrono::seconds(5)));
    EXPECT_EQ(server->SessionCount(), 0u);
    for (auto& client : clients) EXPECT_TRUE(client.WaitForClose());
    // Stopped means not accepting any more.
    RawClient late;
    EXPECT_TRUE(!late.Connect(server->LocalAddress(), std::chrono::milliseconds(500)) ||
                late.WaitForClose(std::chrono::seconds(2)));
}

TEST_P(ServiceTest, StopFlushesWhatSessionsQueuedBeforeClosingThem) {
    ServiceOptions options;
    options.sendQueueLimit = 64 * 1024 * 1024;
    auto server = StartServer(Echo(), options);
    RawClient client;
    client.SetReceiveBuffer(64 * 1024);
    ASSERT_TRUE(client.Connect(server->LocalAddress()));
    // Far more than the kernel's socket buffers hold: most of the echo waits in the server.
    const auto message = Pattern(24 * 1024 * 1024);
    ASSERT_TRUE(client.SendAll(message));
    ASSERT_TRUE(WaitUntil([&] { return server->Counters().bytesIn.load() == message.size(); }));
    ASSERT_GT(server->Sessions().front()->QueuedSendBytes(), 1024u * 1024u);

    auto stopped = std::async(std::launch::async, [&] { return server->Stop(std::chrono::seconds(10)); });
    EXPECT_TRUE(client.ReceiveExactly(message.size(), std::chrono::seconds(20)) == message)
        << "queued replies were dropped";
    EXPECT_TRUE(client.WaitForClose());
    EXPECT_TRUE(stopped.get());
}

class RecordingSession final : public Session {
public:
    explicit RecordingSession(std::atomic<int>& failures) : _failures(failures) {}

protected:
    void OnConnectFailed(std::error_code error) override {
        if (error == std::errc::connection_refused) _failures.fetch_add(1);
    }

private:
    std::atomic<int>& _failures;
};

// Counts its connects and disconnects; receives and keeps quiet.
class QuietSession final : public Session {
public:
    QuietSession(std::atomic<int>& connected, std::atomic<int>& disconnected)
        : _connected(connected), _disconnected(disconnected) {}

protected:
    void OnConnected() override { _connected.fetch_add(1); }
    void OnDisconnected() override { _disconnected.fetch_add(1); }

private:
    std::atomic<int>& _connected;
    std::atomic<int>& _disconnected;
};

TEST_P(ServiceTest, EngineStopWithServicesRunningClosesAndReleasesEverySession) {
    // The course engine's order of shutdown: the engine, with its services still up. Every
    // session has a receive pending, which holds it until it completes.
    constexpr int kSessions = 5;
    std::atomic<int> connected{0};
    std::atomic<int> disconnected{0};
    auto quiet = [&] { return std::make_shared<QuietSession>(connected, disconnected); };
    auto server = StartServer(quiet);
    auto client = MakeClient(server->LocalAddress(), quiet);
    EXPECT_EQ(client->Connect(kSessions), static_cast<std::size_t>(kSessions));
    ASSERT_TRUE(WaitUntil([&] { return connected.load() == 2 * kSessions; }));
    std::vector<std::weak_ptr<Session>> sessions;
    for (const auto& service :
         {std::static_pointer_cast<Service>(server), std::static_pointer_cast<Service>(client)}) {
        for (const SessionRef& session : service->Sessions()) sessions.push_back(session);
    }
    ASSERT_EQ(sessions.size(), static_cast<std::size_t>(2 * kSessions));

    core->Stop();

    EXPECT_EQ(server->SessionCount(), 0u);
    EXPECT_EQ(client->SessionCount(), 0u);
    EXPECT_EQ(disconnected.load(), 2 * kSessions);
    for (const auto& session : sessions) EXPECT_TRUE(session.expired()) << "a session leaked";
}

TEST_P(ServiceTest, ConnectToAClosedPortFailsCleanly) {
    // A port that was free a moment ago: bind, read the port, close.
    std::error_code error;
    SocketHandle probe = socket::CreateListener(NetAddress::Loopback(0), 1, error);
    ASSERT_FALSE(error);
    const NetAddress closed = socket::LocalAddress(probe);
    socket::Close(probe);

    std::atomic<int> refused{0};
    auto client = MakeClient(closed, [&] { return std::make_shared<RecordingSession>(refused); });
    ASSERT_NE(client->Connect(error), nullptr);
    EXPECT_TRUE(WaitUntil([&] { return refused.load() == 1; }));
    EXPECT_TRUE(WaitUntil([&] { return client->SessionCount() == 0; }));
    EXPECT_EQ(client->Counters().connectFailed.load(), 1u);
}

TEST_P(ServiceTest, BroadcastReachesEverySession) {
    auto server = StartServer(Echo());
    std::vector<RawClient> clients(20);
    for (auto& client : clients) ASSERT_TRUE(client.Connect(server->LocalAddress()));
    ASSERT_TRUE(WaitUntil([&] { return server->SessionCount() == clients.size(); }));
    const auto message = Pattern(300);
    server->Broadcast(SendBuffer::Copy(message));
    for (auto& client : clients) EXPECT_EQ(client.ReceiveExactly(message.size()), message);
}

TEST_P(ServiceTest, IPv6LoopbackWorks) {
    auto server = ServerService::Create(core, NetAddress::LoopbackV6(0), Echo());
    if (server->Start()) GTEST_SKIP() << "no IPv6 loopback here";
    services.push_back(server);
    RawClient client;
    ASSERT_TRUE(client.Connect(server->LocalAddress()));
    const auto message = Pattern(1234);
    ASSERT_TRUE(client.SendAll(message));
    EXPECT_EQ(client.ReceiveExactly(message.size()), message);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
