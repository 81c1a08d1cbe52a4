// Duplicate logins across the nodes of a cluster: two gameserver processes, one nats-server and
// one PostgreSQL, over real sockets. Linux only (the bus and the store are).
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "ServerPackets.h"
#include "tests/game/ClusterNodeProcess.h"
#include "tests/game/ClusterTestFixture.h"
#include "tests/game/GameTestClient.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using Protocol::PacketId;

class GameClusterLoginTest : public ClusterTestFixture {
protected:
    // Saves once a minute: a position the new login gets came from the kick's own save (or its
    // answer), not from the interval.
    std::unique_ptr<ClusterNodeProcess> StartNode(const std::string& name,
                                                  const std::string& saveInterval = "60") {
        auto node = std::make_unique<ClusterNodeProcess>(
            nats->Url(), name, db, std::vector<std::string>{"--save-interval", saveInterval});
        EXPECT_NE(node->Port(), 0) << name << " did not start";
        return node;
    }

    // Reads packets until one with `id` arrives (others skipped); nullopt after `timeout`.
    template <class Message>
    static std::optional<Message> ReceiveUntil(GameTestClient& client, PacketId id,
                                               std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto packet = client.Receive(100ms);
            if (!packet || packet->id != static_cast<std::uint16_t>(id)) continue;
            Message msg;
            msg.ParseFromArray(packet->payload.data(), static_cast<int>(packet->payload.size()));
            return msg;
        }
        return std::nullopt;
    }

    // Whispers `to` from `from` until it arrives: proves the directory lists `to` on its node.
    static bool WhisperUntilHeard(GameTestClient& from, GameTestClient& to,
                                  const std::string& name) {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (!from.Whisper(name, "are you there?")) return false;
            if (ReceiveUntil<Protocol::S_WHISPER>(to, PacketId::S_WHISPER, 500ms)) return true;
        }
        return false;
    }
};

TEST_F(GameClusterLoginTest, ALoginOnAnotherNodeKicksTheOldSessionAndStartsWhereItWasLeft) {
    auto a = StartNode("node-a");
    auto b = StartNode("node-b");
    ASSERT_TRUE(a->Port() != 0 && b->Port() != 0);

    GameTestClient carol, alice, bob;
    ASSERT_TRUE(carol.Connect(a->Address()));
    ASSERT_NE(carol.Login("carol"), 0u);
    ASSERT_TRUE(carol.Enter(7));
    ASSERT_TRUE(alice.Connect(a->Address()));
    const std::uint64_t aliceId = alice.Login("alice");
    ASSERT_NE(aliceId, 0u);
    ASSERT_TRUE(alice.Enter(7));
    ASSERT_TRUE(alice.Move(3.5f, -2.0f));
    const auto moved = ReceiveUntil<Protocol::S_MOVE>(carol, PacketId::S_MOVE);
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->player_id(), aliceId);
    ASSERT_TRUE(bob.Connect(b->Address()));
    ASSERT_NE(bob.Login("bob"), 0u);
    ASSERT_TRUE(WhisperUntilHeard(bob, alice, "alice")) << "alice never listed on node-a";

    // alice again, on node-b: node-a kicks the old session, and the login starts where the
    // old one left the player (saved by the kick: the interval is a minute).
    GameTestClient again;
    ASSERT_TRUE(again.Connect(b->Address()));
    const auto login = again.LoginWith("alice", GameTestClient::PasswordFor("alice"));
    ASSERT_TRUE(login);
    ASSERT_TRUE(login->success()) << login->reason();
    EXPECT_EQ(login->player_id(), aliceId);
    EXPECT_EQ(login->last_room_id(), 7u);
    EXPECT_FLOAT_EQ(login->x(), 3.5f);
    EXPECT_FLOAT_EQ(login->y(), -2.0f);

    const auto kicked = ReceiveUntil<Protocol::S_KICKED>(alice, PacketId::S_KICKED);
    ASSERT_TRUE(kicked) << "the old session on node-a got no S_KICKED";
    EXPECT_FALSE(kicked->reason().empty());
    EXPECT_TRUE(alice.WaitForClose());
    const auto despawn = ReceiveUntil<Protocol::S_DESPAWN>(carol, PacketId::S_DESPAWN);
    ASSERT_TRUE(despawn);
    ASSERT_EQ(despawn->player_ids_size(), 1);
    EXPECT_EQ(despawn->player_ids(0), aliceId);

    // The directory now lists alice on node-b: a whisper from node-a reaches her there.
    EXPECT_TRUE(WhisperUntilHeard(carol, again, "alice"));

    // And back to node-a: the session on node-b is kicked in turn; the position is the same.
    GameTestClient third;
    ASSERT_TRUE(third.Connect(a->Address()));
    const auto back = third.LoginWith("alice", GameTestClient::PasswordFor("alice"));
    ASSERT_TRUE(back);
    ASSERT_TRUE(back->success()) << back->reason();
    EXPECT_EQ(back->last_room_id(), 7u);
    EXPECT_FLOAT_EQ(back->x(), 3.5f);
    EXPECT_FLOAT_EQ(back->y(), -2.0f);
    EXPECT_TRUE(ReceiveUntil<Protocol::S_KICKED>(again, PacketId::S_KICKED));
    EXPECT_TRUE(again.WaitForClose());
}

TEST_F(GameClusterLoginTest, ALoginOnAnotherNodeEndsThePlayerAwayThere) {
    auto a = StartNode("node-a");
    auto b = StartNode("node-b");
    ASSERT_TRUE(a->Port() != 0 && b->Port() != 0);
    GameTestClient carol, alice, bob;
    ASSERT_TRUE(carol.Connect(a->Address()));
    ASSERT_NE(carol.Login("carol"), 0u);
    ASSERT_TRUE(carol.Enter(3));
    ASSERT_TRUE(alice.Connect(a->Address()));
    const std::uint64_t aliceId = alice.Login("alice");
    ASSERT_NE(aliceId, 0u);
    ASSERT_TRUE(alice.Enter(3));
    ASSERT_TRUE(alice.Move(-8.0f, 1.25f));
    ASSERT_TRUE(ReceiveUntil<Protocol::S_MOVE>(carol, PacketId::S_MOVE));
    ASSERT_TRUE(bob.Connect(b->Address()));
    ASSERT_NE(bob.Login("bob"), 0u);
    ASSERT_TRUE(WhisperUntilHeard(bob, alice, "alice"));

    // The connection drops: alice is away on node-a (still in room 3, a resume may come).
    alice.Reset();
    EXPECT_TRUE(carol.ExpectSilence(300ms)) << "an away player is not despawned";

    GameTestClient again;
    ASSERT_TRUE(again.Connect(b->Address()));
    const auto login = again.LoginWith("alice", GameTestClient::PasswordFor("alice"));
    ASSERT_TRUE(login);
    ASSERT_TRUE(login->success()) << login->reason();
    EXPECT_EQ(login->last_room_id(), 3u);
    EXPECT_FLOAT_EQ(login->x(), -8.0f);
    EXPECT_FLOAT_EQ(login->y(), 1.25f);
    const auto despawn = ReceiveUntil<Protocol::S_DESPAWN>(carol, PacketId::S_DESPAWN);
    ASSERT_TRUE(despawn) << "the away player on node-a did not leave";
    EXPECT_EQ(despawn->player_ids(0), aliceId);
}

TEST_F(GameClusterLoginTest, ALoginWhoseOldNodeWasKilledGoesOnWithTheSavedState) {
    auto a = StartNode("node-a", "1");
    auto b = StartNode("node-b", "1");
    ASSERT_TRUE(a->Port() != 0 && b->Port() != 0);
    GameTestClient alice, bob;
    ASSERT_TRUE(alice.Connect(a->Address()));
    ASSERT_NE(alice.Login("alice"), 0u);
    ASSERT_TRUE(alice.Enter(9));
    ASSERT_TRUE(alice.Move(6.0f, 6.5f));
    ASSERT_TRUE(bob.Connect(b->Address()));
    ASSERT_NE(bob.Login("bob"), 0u);
    ASSERT_TRUE(WhisperUntilHeard(bob, alice, "alice"));
    std::this_thread::sleep_for(2500ms);  // two save intervals: the move is in the store
    a->Kill(SIGKILL);                     // its directory entry stays behind

    GameTestClient again;
    ASSERT_TRUE(again.Connect(b->Address()));
    const auto started = std::chrono::steady_clock::now();
    const auto login = again.LoginWith("alice", GameTestClient::PasswordFor("alice"));
    ASSERT_TRUE(login);
    ASSERT_TRUE(login->success()) << login->reason();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 4s)
        << "a node that is gone answers 'no responders' at once, not after a timeout";
    EXPECT_EQ(login->last_room_id(), 9u);
    EXPECT_FLOAT_EQ(login->x(), 6.0f);
    EXPECT_FLOAT_EQ(login->y(), 6.5f);
}

}  // namespace
}  // namespace tavern::test
