// Rooms shared by gameserver nodes over NATS: two gameserver processes, one nats-server and one
// PostgreSQL, players on both nodes in one room. Linux only (the bus and the store are).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "ServerPackets.h"
#include "tests/game/ClusterRoomTestSupport.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using Protocol::PacketId;

using GameClusterRoomTest = ClusterRoomFixture;

TEST_F(GameClusterRoomTest, PlayersOnTwoNodesInOneRoomSeeEachOtherSpawnChatMoveAndLeave) {
    ClusterNodeProcess a(nats->Url(), "node-a", db);
    ASSERT_NE(a.Port(), 0) << "node-a did not start";
    ClusterNodeProcess b(nats->Url(), "node-b", db);
    ASSERT_NE(b.Port(), 0) << "node-b did not start";

    // Alice makes room 0 on node a (its owner); bob and carol enter it through node b. (Room
    // 0 is a room like any other: its key r.0 once went unseen.)
    GameTestClient alice, bob, carol;
    const auto aliceIn = Join(alice, a, "alice", 0);
    ASSERT_TRUE(aliceIn);
    EXPECT_EQ(aliceIn->players_size(), 0);
    ASSERT_TRUE(alice.Move(1, 2));  // where the others will see her
    const auto bobIn = Join(bob, b, "bob", 0);
    ASSERT_TRUE(bobIn);
    ASSERT_EQ(bobIn->players_size(), 1) << "bob sees alice, who is on the other node";
    EXPECT_EQ(bobIn->players(0).name(), "alice");
    EXPECT_FLOAT_EQ(bobIn->players(0).x(), 1);
    EXPECT_FLOAT_EQ(bobIn->players(0).y(), 2);
    const std::uint64_t alice_ = bobIn->players(0).player_id();
    const auto bobSpawn = alice.Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(bobSpawn);
    ASSERT_EQ(bobSpawn->players_size(), 1);
    EXPECT_EQ(bobSpawn->players(0).name(), "bob");
    const std::uint64_t bobId = bobSpawn->players(0).player_id();

    const auto carolIn = Join(carol, b, "carol", 0);
    ASSERT_TRUE(carolIn);
    EXPECT_EQ(carolIn->players_size(), 2);
    const auto carolSpawnA = alice.Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    const auto carolSpawnB = bob.Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(carolSpawnA && carolSpawnB);
    EXPECT_EQ(carolSpawnA->players(0).name(), "carol");
    EXPECT_EQ(carolSpawnB->players(0).name(), "carol");
    const std::uint64_t carolId = carolSpawnA->players(0).player_id();

    // Chat from each node: everyone exactly once, the sender included.
    ASSERT_TRUE(bob.Chat("hello from node b"));
    for (GameTestClient* client : {&alice, &bob, &carol}) {
        const auto chat = client->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(chat) << client->Name();
        EXPECT_EQ(chat->player_id(), bobId);
        EXPECT_EQ(chat->msg(), "hello from node b");
    }
    ASSERT_TRUE(alice.Chat("hello from node a"));
    for (GameTestClient* client : {&alice, &bob, &carol}) {
        const auto chat = client->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(chat) << client->Name();
        EXPECT_EQ(chat->player_id(), alice_);
        EXPECT_EQ(chat->msg(), "hello from node a");
    }

    // Moves: everyone else, not the mover.
    ASSERT_TRUE(carol.Move(5, 6));
    for (GameTestClient* client : {&alice, &bob}) {
        const auto move = client->Expect<Protocol::S_MOVE>(PacketId::S_MOVE);
        ASSERT_TRUE(move) << client->Name();
        EXPECT_EQ(move->player_id(), carolId);
        EXPECT_FLOAT_EQ(move->x(), 5);
        EXPECT_FLOAT_EQ(move->y(), 6);
    }
    ASSERT_TRUE(alice.Move(3, 4));
    for (GameTestClient* client : {&bob, &carol}) {
        const auto move = client->Expect<Protocol::S_MOVE>(PacketId::S_MOVE);
        ASSERT_TRUE(move) << client->Name();
        EXPECT_EQ(move->player_id(), alice_);
    }

    // Bob leaves: he is told, the others on both nodes see him go.
    Protocol::C_LEAVE_GAME leave;
    ASSERT_TRUE(bob.Send(PacketId::C_LEAVE_GAME, leave));
    EXPECT_TRUE(bob.Expect<Protocol::S_LEAVE_GAME>(PacketId::S_LEAVE_GAME));
    for (GameTestClient* client : {&alice, &carol}) {
        const auto gone = client->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
        ASSERT_TRUE(gone) << client->Name();
        ASSERT_EQ(gone->player_ids_size(), 1);
        EXPECT_EQ(gone->player_ids(0), bobId);
    }
    // Nothing twice, nothing left over.
    for (GameTestClient* client : {&alice, &bob, &carol})
        EXPECT_TRUE(client->ExpectSilence(500ms)) << client->Name();
}

TEST_F(GameClusterRoomTest, AKilledOwnersRoomComesBackOnTheLiveNodeWithItsPlayersStillIn) {
    ClusterNodeProcess a(nats->Url(), "node-a", db, {"--lease", "1.5"});
    ASSERT_NE(a.Port(), 0) << "node-a did not start";
    ClusterNodeProcess b(nats->Url(), "node-b", db, {"--lease", "1.5"});
    ASSERT_NE(b.Port(), 0) << "node-b did not start";

    GameTestClient alice, bob, carol;
    ASSERT_TRUE(Join(alice, a, "alice", 9));  // node a owns room 9
    const auto bobIn = Join(bob, b, "bob", 9);
    ASSERT_TRUE(bobIn);
    ASSERT_EQ(bobIn->players_size(), 1);
    const std::uint64_t aliceId = bobIn->players(0).player_id();
    const auto carolIn = Join(carol, b, "carol", 9);
    ASSERT_TRUE(carolIn);
    EXPECT_EQ(carolIn->players_size(), 2);
    ASSERT_TRUE(bob.Chat("before"));
    ASSERT_TRUE(WaitFor<Protocol::S_CHAT>(carol, PacketId::S_CHAT,
                                          [](const auto& c) { return c.msg() == "before"; }));

    const auto killed = Clock::now();
    a.Kill(SIGKILL);
    // Within the lease (1.5 s) and slack for a loaded machine, node b owns the room: bob and
    // carol, still connected, see alice (of the dead node) go, without entering again.
    const auto gone = WaitFor<Protocol::S_DESPAWN>(
        bob, PacketId::S_DESPAWN, [&](const auto& d) { return Despawned(d, aliceId); }, 30s);
    ASSERT_TRUE(gone) << "bob never saw alice despawn";
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);
    std::printf("room 9 back on node-b %lld ms after node-a was killed (lease 1.5 s)\n",
                static_cast<long long>(took.count()));
    EXPECT_TRUE(WaitFor<Protocol::S_DESPAWN>(carol, PacketId::S_DESPAWN,
                                             [&](const auto& d) { return Despawned(d, aliceId); }));

    // The room is served again, with its members in it.
    ASSERT_TRUE(bob.Chat("after"));
    for (GameTestClient* client : {&bob, &carol}) {
        EXPECT_TRUE(WaitFor<Protocol::S_CHAT>(*client, PacketId::S_CHAT, [](const auto& c) {
            return c.msg() == "after";
        })) << client->Name();
    }
    // The next player to enter finds it, members and all.
    GameTestClient dave;
    const auto daveIn = Join(dave, b, "dave", 9);
    ASSERT_TRUE(daveIn);
    EXPECT_EQ(daveIn->players_size(), 2) << "dave sees bob and carol";
    EXPECT_TRUE(WaitFor<Protocol::S_SPAWN>(bob, PacketId::S_SPAWN, [](const auto& s) {
        return s.players_size() == 1 && s.players(0).name() == "dave";
    }));
}

TEST_F(GameClusterRoomTest, WithTheBusAwayLocalPlayGoesOnAndTheRoomHasOneOwnerWhenItReturns) {
    ClusterNodeProcess a(nats->Url(), "node-a", db, {"--lease", "1.5"});
    ASSERT_NE(a.Port(), 0) << "node-a did not start";
    ClusterNodeProcess b(nats->Url(), "node-b", db, {"--lease", "1.5"});
    ASSERT_NE(b.Port(), 0) << "node-b did not start";

    GameTestClient alice, carol, bob;
    ASSERT_TRUE(Join(alice, a, "alice", 3));
    ASSERT_TRUE(Join(carol, a, "carol", 3));
    const auto bobIn = Join(bob, b, "bob", 3);
    ASSERT_TRUE(bobIn);
    ASSERT_EQ(bobIn->players_size(), 2);

    nats->Stop(SIGKILL);
    // Play on node a goes on (its own players, its own room) for longer than the lease.
    const auto outage = Clock::now() + 4s;
    int round = 0;
    while (Clock::now() < outage) {
        const std::string text = "local " + std::to_string(round++);
        ASSERT_TRUE(alice.Chat(text));
        ASSERT_TRUE(WaitFor<Protocol::S_CHAT>(
            carol, PacketId::S_CHAT, [&](const auto& c) { return c.msg() == text; }, 5s))
            << "carol did not hear alice while the bus was away";
        std::this_thread::sleep_for(200ms);
    }
    // What needs node a is refused on node b, with a reason.
    ASSERT_TRUE(bob.Chat("anyone?"));
    const auto refused = WaitFor<Protocol::S_ERROR>(
        bob, PacketId::S_ERROR, [](const auto&) { return true; }, 10s);
    ASSERT_TRUE(refused) << "bob's chat was neither refused nor delivered";
    EXPECT_EQ(refused->request_id(), static_cast<std::uint32_t>(PacketId::C_CHAT));
    EXPECT_NE(refused->reason().find("bus"), std::string::npos) << refused->reason();

    nats->Restart();
    // Back: one owner for the room (whichever node), and chat crosses both ways again.
    const auto restarted = Clock::now();
    EXPECT_TRUE(Crossed(bob, alice, "b to a")) << "bob's chat never reached alice";
    std::printf("chat crossed the nodes again %lld ms after nats-server restarted\n",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restarted)
                        .count()));
    EXPECT_TRUE(Crossed(alice, bob, "a to b")) << "alice's chat never reached bob";
    EXPECT_TRUE(Crossed(carol, bob, "carol to b")) << "carol's chat never reached bob";
    // Neither node went down: both still take new players.
    for (const ClusterNodeProcess* node : {&a, &b}) {
        GameTestClient late;
        ASSERT_TRUE(late.Connect(node->Address()));
        EXPECT_NE(late.Login("late" + std::to_string(node->Port())), 0u);
    }
}

}  // namespace
}  // namespace tavern::test
