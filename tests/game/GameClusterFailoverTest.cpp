// A client given several nodes (the client library's server list): when its node dies it
// reconnects to another and logs in there with its saved state. Two gameserver processes, one
// nats-server and one PostgreSQL, the console client in-process. Linux only.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>
#include <ext/stdio_filebuf.h>

#include <chrono>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "ServerPackets.h"
#include "client/ConsoleClient.h"
#include "client/ServerList.h"
#include "tests/game/ClusterNodeProcess.h"
#include "tests/game/ClusterTestFixture.h"
#include "tests/game/GameTestClient.h"
#include "tests/support/FreePort.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using Protocol::PacketId;

class GameClusterFailoverTest : public ClusterTestFixture {
protected:
    void SetUp() override {
        ClusterTestFixture::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ASSERT_EQ(::pipe(input), 0);
    }
    void TearDown() override {
        if (input[1] >= 0) ::close(input[1]);
        if (console.joinable()) console.join();
        if (input[0] >= 0) ::close(input[0]);
    }

    // The console client on `servers`, as `name` in `room`, reading lines from the pipe.
    void StartConsole(const std::vector<NetAddress>& servers, const std::string& name,
                      std::uint32_t room) {
        client::ConsoleOptions options;
        options.servers = servers;
        options.host = servers.front().Ip();
        options.port = servers.front().Port();
        options.name = name;
        options.room = room;
        testing::internal::CaptureStdout();
        console = std::thread([this, options] {
            __gnu_cxx::stdio_filebuf<char> buffer(input[0], std::ios::in);
            std::istream in(&buffer);
            status = std::make_shared<client::ConsoleClient>(options)->Run(in);
        });
    }
    void Type(const std::string& line) {
        ASSERT_EQ(::write(input[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
    }
    // Ends the console with /quit; returns what it printed.
    std::string Quit() {
        Type("/quit\n");
        ::close(input[1]);
        input[1] = -1;
        console.join();
        input[0] = -1;  // closed by the console's stream buffer
        return testing::internal::GetCapturedStdout();
    }

    // Reads packets until an S_SPAWN of `name` arrives (others skipped).
    static std::optional<Protocol::PlayerInfo> SpawnOf(GameTestClient& watcher,
                                                       const std::string& name,
                                                       std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto packet = watcher.Receive(100ms);
            if (!packet || packet->id != static_cast<std::uint16_t>(PacketId::S_SPAWN)) continue;
            Protocol::S_SPAWN spawn;
            spawn.ParseFromArray(packet->payload.data(), static_cast<int>(packet->payload.size()));
            for (const auto& player : spawn.players())
                if (player.name() == name) return player;
        }
        return std::nullopt;
    }
    static bool MoveSeen(GameTestClient& watcher, float x, float y) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto packet = watcher.Receive(100ms);
            if (!packet || packet->id != static_cast<std::uint16_t>(PacketId::S_MOVE)) continue;
            Protocol::S_MOVE move;
            move.ParseFromArray(packet->payload.data(), static_cast<int>(packet->payload.size()));
            if (move.x() == x && move.y() == y) return true;
        }
        return false;
    }

    int input[2] = {-1, -1};
    std::thread console;
    int status = -1;
};

TEST_F(GameClusterFailoverTest, AClientWhoseNodeIsKilledLogsInOnTheNextWithItsSavedPosition) {
    auto a = std::make_unique<ClusterNodeProcess>(nats->Url(), "node-a", db,
                                                  std::vector<std::string>{"--save-interval", "1"});
    ClusterNodeProcess b(nats->Url(), "node-b", db, {"--save-interval", "1"});
    ASSERT_TRUE(a->Port() != 0 && b.Port() != 0);
    GameTestClient onA, onB;
    ASSERT_TRUE(onA.Connect(a->Address()));
    ASSERT_NE(onA.Login("watcher-a"), 0u);
    ASSERT_TRUE(onA.Enter(4));
    ASSERT_TRUE(onB.Connect(b.Address()));
    ASSERT_NE(onB.Login("watcher-b"), 0u);
    ASSERT_TRUE(onB.Enter(4));

    StartConsole({a->Address(), b.Address()}, "alice", 4);
    ASSERT_TRUE(SpawnOf(onA, "alice", 15s)) << "alice did not come in on node-a";
    Type("/move 5 7\n");
    ASSERT_TRUE(MoveSeen(onA, 5.0f, 7.0f));
    // Room 4 is one room over both nodes: watcher-b saw alice come in and move too, and the
    // spawn looked for below is the one of her coming back.
    ASSERT_TRUE(MoveSeen(onB, 5.0f, 7.0f));
    std::this_thread::sleep_for(2500ms);  // two save intervals: the move is in the store

    a->Kill(SIGKILL);
    // The console's connection drops; node-a refuses the reconnect, so it moves to node-b,
    // whose resume refusal (the token was node-a's) turns into a password login there.
    const auto back = SpawnOf(onB, "alice", 30s);
    ASSERT_TRUE(back) << "alice did not come back on node-b";
    EXPECT_FLOAT_EQ(back->x(), 5.0f);
    EXPECT_FLOAT_EQ(back->y(), 7.0f);

    const std::string printed = Quit();
    EXPECT_EQ(status, 0) << printed;
    EXPECT_NE(printed.find("connection lost"), std::string::npos) << printed;
    EXPECT_NE(printed.find("connected to " + b.Address().ToString()), std::string::npos) << printed;
    EXPECT_NE(printed.find("restored: last in room 4 at (5, 7)"), std::string::npos) << printed;
}

TEST_F(GameClusterFailoverTest, AFirstConnectionPassesOverANodeThatIsGone) {
    ClusterNodeProcess b(nats->Url(), "node-b", db);
    ASSERT_NE(b.Port(), 0);
    const auto gone =
        *NetAddress::Parse("127.0.0.1", static_cast<std::uint16_t>(FreeLoopbackPort()));
    GameTestClient onB;
    ASSERT_TRUE(onB.Connect(b.Address()));
    ASSERT_NE(onB.Login("watcher-b"), 0u);
    ASSERT_TRUE(onB.Enter(2));
    StartConsole({gone, b.Address()}, "bob", 2);
    EXPECT_TRUE(SpawnOf(onB, "bob", 15s)) << "bob did not get in on node-b";
    const std::string printed = Quit();
    EXPECT_EQ(status, 0) << printed;
}

TEST(ServerListTest, ParsesNodesInOrderAndRefusesMalformedEntries) {
    std::string error;
    const auto servers = client::ParseServerList("127.0.0.1:7001,[::1]:7002", error);
    ASSERT_TRUE(servers) << error;
    ASSERT_EQ(servers->size(), 2u);
    EXPECT_EQ((*servers)[0].ToString(), "127.0.0.1:7001");
    EXPECT_EQ((*servers)[1].ToString(), "[::1]:7002");
    for (const char* bad : {"", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "host:7001",
                            "127.0.0.1:7001,", "127.0.0.1:7x"}) {
        EXPECT_FALSE(client::ParseServerList(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

}  // namespace
}  // namespace tavern::test
