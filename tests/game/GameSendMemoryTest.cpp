#include "core/SendBudget.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "core/SendBuffer.h"
#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using namespace std::chrono_literals;

constexpr std::size_t kMiB = 1024 * 1024;

// Clients that send and never read: their kernel buffers fill, and what the server sends them
// waits in its send queues. What those queues hold must stay bounded for the server as a whole.
class GameSendMemoryTest : public GameServerFixture {
protected:
    std::unique_ptr<GameTestClient> NonReader(const std::string& name, std::uint32_t room) {
        auto client = std::make_unique<GameTestClient>();
        client->SetReceiveBuffer(4096);
        EXPECT_TRUE(client->Connect(server->LocalAddress()));
        EXPECT_NE(client->Login(name), 0u);
        EXPECT_TRUE(client->Enter(room).has_value());
        return client;
    }
};

class GameMoverMemoryTest : public GameSendMemoryTest {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameSendMemoryTest::Options();
        options.service.sendMemoryBudget = 32 * kMiB;
        // A small kernel buffer per socket: what the clients do not read waits in the server's
        // queues within a second, instead of first filling megabytes of kernel memory.
        options.service.socketSendBuffer = 16 * 1024;
        return options;
    }
};

// 200 players in one room move 60 times a second each and never read. Every tick's moves are
// one buffer shared by every member, movers included (a mover gets slices of it around its own
// moves), so the send memory the server holds grows by one tick's moves per tick, not by one
// copy per mover. Before the fix (each mover got a private copy of the tick's moves, minus its
// own) the queued send memory passed the 32 MiB budget within 1.5 s, and the budget cut the
// movers (without the budget it went on growing to 200 x the 4 MiB cap); now the live
// send-buffer memory grows by 128 KiB, and nobody is cut.
TEST_P(GameMoverMemoryTest, NonReadingMoversShareOneBufferAndStayUnderTheBudget) {
    constexpr int kMovers = 200;
    std::vector<std::unique_ptr<GameTestClient>> movers;
    for (int i = 0; i < kMovers; ++i) movers.push_back(NonReader("m" + std::to_string(i), 1));
    ASSERT_FALSE(HasFailure());
    const std::size_t baseline = SendBuffer::LiveBlockBytes();

    Protocol::C_MOVE move;
    std::size_t peak = baseline;
    const auto start = std::chrono::steady_clock::now();
    for (int round = 0; std::chrono::steady_clock::now() - start < 4s; ++round) {
        move.set_x(static_cast<float>(round));
        const auto bytes = Frame(static_cast<std::uint16_t>(PacketId::C_MOVE), Encode(move));
        for (auto& mover : movers) ASSERT_TRUE(mover->SendRaw(bytes));
        peak = std::max(peak, SendBuffer::LiveBlockBytes());
        // 60 rounds a second, whatever the sends took.
        std::this_thread::sleep_until(start + (round + 1) * std::chrono::microseconds(16667));
    }
    const std::size_t grown = peak > baseline ? peak - baseline : 0;
    EXPECT_LT(grown, 16 * kMiB) << "live send-buffer memory grew by " << grown / kMiB << " MiB";
    EXPECT_LE(server->Service().Budget()->PeakChargedBytes(), 32 * kMiB);
    EXPECT_EQ(server->Service().Counters().sendCapExceeded.load(), 0u);
    EXPECT_EQ(server->Service().Counters().sendBudgetCuts.load(), 0u);
    EXPECT_EQ(server->Sessions().SessionCount(), static_cast<std::size_t>(kMovers));
}

class GameSendBudgetTest : public GameSendMemoryTest {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameSendMemoryTest::Options();
        options.service.sendMemoryBudget = 1 * kMiB;  // far below the 4 MiB per session
        options.service.socketSendBuffer = 16 * 1024;
        options.service.maxPacketSize = 8192;
        options.limits.maxChatBytes = 4000;
        return options;
    }
};

// Three players in room 1 chat 4,000-byte lines and never read; a fourth member reads all
// along; a player in room 2 pings. Each non-reader's queue stays under its own 4 MiB cap, but
// together they pass the server's 1 MiB budget: the non-readers (who hold the most) are cut,
// the reader and the player in the other room are not, and the memory charged stays near the
// budget. Before the fix nothing was cut in these 6 s: each queue went on growing towards its
// own 4 MiB cap, whatever the server as a whole held.
TEST_P(GameSendBudgetTest, TheSessionsHoldingTheMostAreCutWhenTheServerPassesItsBudget) {
    auto reader = InRoom("reader", 1);
    auto pinger = InRoom("pinger", 2);
    std::vector<std::unique_ptr<GameTestClient>> hogs;
    for (int i = 0; i < 3; ++i) hogs.push_back(NonReader("hog" + std::to_string(i), 1));
    ASSERT_FALSE(HasFailure());

    std::atomic<bool> stop{false};
    std::thread drain([&] {
        while (!stop.load()) reader->Receive(20ms);
    });
    const std::string line(4000, 'x');
    Protocol::C_CHAT chat;
    chat.set_msg(line);
    const auto bytes = Frame(static_cast<std::uint16_t>(PacketId::C_CHAT), Encode(chat));
    const auto start = std::chrono::steady_clock::now();
    const auto& counters = server->Service().Counters();
    for (int round = 0; std::chrono::steady_clock::now() - start < 6s; ++round) {
        for (auto& hog : hogs) hog->SendRaw(bytes);  // fails once the hog is cut
        if (counters.sendBudgetCuts.load() >= hogs.size()) break;
        std::this_thread::sleep_until(start + (round + 1) * 10ms);  // 100 lines/s each
    }
    stop = true;
    drain.join();

    EXPECT_GE(counters.sendBudgetCuts.load(), 1u);
    if (counters.sendBudgetCuts.load() >= hogs.size()) {
        for (auto& hog : hogs) EXPECT_TRUE(hog->WaitForClose());
    }
    // Over by at most what arrived between a pass and the closes it started.
    EXPECT_LT(server->Service().Budget()->PeakChargedBytes(), 2 * kMiB);
    EXPECT_EQ(counters.sendCapExceeded.load(), 0u);

    // The reader (it held nothing) and the other room's player are still served.
    Protocol::C_PING ping;
    ping.set_client_time(42);
    ASSERT_TRUE(pinger->Send(PacketId::C_PING, ping));
    const auto pong = pinger->Expect<Protocol::S_PONG>(PacketId::S_PONG);
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->client_time(), 42u);
    ASSERT_TRUE(reader->Send(PacketId::C_PING, ping));
    bool ponged = false;
    for (int i = 0; i < 2000 && !ponged; ++i) {
        const auto packet = reader->Receive();
        if (!packet) break;
        ponged = packet->id == static_cast<std::uint16_t>(PacketId::S_PONG);
    }
    EXPECT_TRUE(ponged) << "the reader was cut or not answered";
}

INSTANTIATE_TEST_SUITE_P(Backends, GameMoverMemoryTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);
INSTANTIATE_TEST_SUITE_P(Backends, GameSendBudgetTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
