// Two gameserver processes, one nats-server and one PostgreSQL: the cluster's foundations.
// Linux only (the bus and the store are).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "ServerPackets.h"
#include "tests/game/ClusterNodeProcess.h"
#include "tests/game/ClusterTestFixture.h"
#include "tests/game/GameTestClient.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using Protocol::PacketId;

class GameClusterTest : public ClusterTestFixture {
protected:
    // Whispers until `to` hears it: the directory entry of a login is written just after its
    // S_LOGIN, so the first tries may find no one yet (the sender then gets S_ERROR).
    static std::optional<Protocol::S_WHISPER> WhisperUntilHeard(GameTestClient& from,
                                                                GameTestClient& to,
                                                                const std::string& name,
                                                                const std::string& msg) {
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (!from.Whisper(name, msg)) return std::nullopt;
            // Either `to` hears it, or `from` is told no one has that name (yet): then again.
            bool refused = false;
            while (!refused && std::chrono::steady_clock::now() < deadline) {
                if (auto packet = to.Receive(50ms)) {
                    EXPECT_EQ(packet->id, static_cast<std::uint16_t>(PacketId::S_WHISPER));
                    Protocol::S_WHISPER heard;
                    heard.ParseFromArray(packet->payload.data(),
                                         static_cast<int>(packet->payload.size()));
                    return heard;
                }
                if (auto packet = from.Receive(50ms)) {
                    EXPECT_EQ(packet->id, static_cast<std::uint16_t>(PacketId::S_ERROR));
                    refused = true;
                }
            }
        }
        ADD_FAILURE() << name << " never heard the whisper";
        return std::nullopt;
    }
};

TEST_F(GameClusterTest, AWhisperCrossesNodesBothWays) {
    ClusterNodeProcess a(nats->Url(), "node-a", db);
    ASSERT_NE(a.Port(), 0) << "node-a did not start";
    ClusterNodeProcess b(nats->Url(), "node-b", db);
    ASSERT_NE(b.Port(), 0) << "node-b did not start";

    GameTestClient alice;
    ASSERT_TRUE(alice.Connect(a.Address()));
    const std::uint64_t aliceId = alice.Login("alice");
    ASSERT_NE(aliceId, 0u);
    GameTestClient bob;
    ASSERT_TRUE(bob.Connect(b.Address()));
    const std::uint64_t bobId = bob.Login("bob");
    ASSERT_NE(bobId, 0u);

    const auto toBob = WhisperUntilHeard(alice, bob, "bob", "hello from node a");
    ASSERT_TRUE(toBob);
    EXPECT_EQ(toBob->from(), "alice");
    EXPECT_EQ(toBob->from_player_id(), aliceId);
    EXPECT_EQ(toBob->msg(), "hello from node a");

    const auto toAlice = WhisperUntilHeard(bob, alice, "alice", "and back from node b");
    ASSERT_TRUE(toAlice);
    EXPECT_EQ(toAlice->from(), "bob");
    EXPECT_EQ(toAlice->from_player_id(), bobId);
    EXPECT_EQ(toAlice->msg(), "and back from node b");

    // A name no node has: an error, from the directory.
    ASSERT_TRUE(alice.Whisper("nobody", "hello?"));
    const auto error = alice.Expect<Protocol::S_ERROR>(PacketId::S_ERROR);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->request_id(), static_cast<std::uint32_t>(PacketId::C_WHISPER));

    // Bob leaves: his entry goes, and a whisper to him is refused.
    bob.Close();
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    bool refused = false;
    while (!refused && std::chrono::steady_clock::now() < deadline) {
        ASSERT_TRUE(alice.Whisper("bob", "still there?"));
        const auto answer = alice.Expect<Protocol::S_ERROR>(PacketId::S_ERROR, 5s);
        refused = answer.has_value();
    }
    EXPECT_TRUE(refused);
}

TEST_F(GameClusterTest, WithTheBusAwayLocalPlayGoesOnAndRemoteWhispersAreRefusedUntilItReturns) {
    ClusterNodeProcess a(nats->Url(), "node-a", db);
    ASSERT_NE(a.Port(), 0) << "node-a did not start";
    ClusterNodeProcess b(nats->Url(), "node-b", db);
    ASSERT_NE(b.Port(), 0) << "node-b did not start";
    GameTestClient alice, carol, bob;
    ASSERT_TRUE(alice.Connect(a.Address()));
    ASSERT_NE(alice.Login("alice"), 0u);
    ASSERT_TRUE(carol.Connect(a.Address()));
    ASSERT_NE(carol.Login("carol"), 0u);
    ASSERT_TRUE(bob.Connect(b.Address()));
    ASSERT_NE(bob.Login("bob"), 0u);
    ASSERT_TRUE(WhisperUntilHeard(alice, bob, "bob", "before"));

    nats->Stop(SIGKILL);
    // Needs the other node: refused with a reason, within the request timeout (2 s) and slack.
    ASSERT_TRUE(alice.Whisper("bob", "are you there?"));
    const auto refused = alice.Expect<Protocol::S_ERROR>(PacketId::S_ERROR, 15s);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->request_id(), static_cast<std::uint32_t>(PacketId::C_WHISPER));
    EXPECT_TRUE(bob.ExpectSilence(300ms));
    // On one node: goes on as if nothing happened.
    ASSERT_TRUE(alice.Whisper("carol", "the bus is down"));
    const auto local = carol.Expect<Protocol::S_WHISPER>(PacketId::S_WHISPER);
    ASSERT_TRUE(local);
    EXPECT_EQ(local->msg(), "the bus is down");

    // Back (the same JetStream folder: the directory survives): the nodes reconnect by
    // themselves, their subscriptions resume, and whispers cross again.
    nats->Restart();
    const auto after = WhisperUntilHeard(alice, bob, "bob", "after");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->msg(), "after");
}

TEST(GameClusterStartTest, AClusterNodeOnSQLiteIsRefusedAtStartWithOneLine) {
    const auto folder = std::filesystem::temp_directory_path() / "tavern-cluster-sqlite";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const std::string db = "sqlite:" + (folder / "tavern.db").string();
    const std::string command = std::string(TAVERN_GAMESERVER_PATH) +
                                " --port 0 --nats nats://127.0.0.1:4222 --node a --db " + db +
                                " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    const int status = ::pclose(pipe);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2);
    EXPECT_NE(output.find("needs the shared PostgreSQL store"), std::string::npos) << output;
    EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
    EXPECT_FALSE(std::filesystem::exists(folder / "tavern.db"))
        << "nothing opened before the refusal";
    std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace tavern::test
