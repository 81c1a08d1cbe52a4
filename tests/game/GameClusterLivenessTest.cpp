// Nodes that die or stall while players of theirs are in rooms owned elsewhere, an owner cut off
// from the bus, an entry that finds no owner to answer it, and a room's owner killed with three
// nodes: real gameserver processes, a nats-server and PostgreSQL (ClusterRoomFixture).
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ServerPackets.h"
#include "tests/bus/LeaseHolderProcess.h"
#include "tests/game/ClusterRoomTestSupport.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using Protocol::PacketId;

const std::vector<std::string> kLease = {"--lease", "1.5"};

class GameClusterLivenessTest : public ClusterRoomFixture {
protected:
    // Starts node-a, node-b, ... (--lease 1.5); false (reported) when one does not start.
    bool StartNodes(int count) {
        for (int i = 0; i < count; ++i) {
            const std::string name = std::string("node-") + static_cast<char>('a' + i);
            nodes.push_back(std::make_unique<ClusterNodeProcess>(nats->Url(), name, db, kLease));
            if (nodes.back()->Port() == 0) {
                ADD_FAILURE() << name << " did not start";
                return false;
            }
        }
        return true;
    }

    std::vector<std::unique_ptr<ClusterNodeProcess>> nodes;
};

long long MillisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
}

// The ids in the S_DESPAWNs and S_SPAWNs among `packets`, and how many other packets came.
struct Seen {
    std::multiset<std::uint64_t> despawned;
    std::multiset<std::uint64_t> spawned;
    std::vector<std::string> others;
};

Seen Sort(const std::vector<WirePacket>& packets) {
    Seen seen;
    for (const WirePacket& packet : packets) {
        if (packet.id == static_cast<std::uint16_t>(PacketId::S_DESPAWN)) {
            const auto despawn = ParsePacket<Protocol::S_DESPAWN>(packet);
            for (const auto id : despawn.player_ids()) seen.despawned.insert(id);
        } else if (packet.id == static_cast<std::uint16_t>(PacketId::S_SPAWN)) {
            const auto spawn = ParsePacket<Protocol::S_SPAWN>(packet);
            for (const auto& player : spawn.players()) seen.spawned.insert(player.player_id());
        } else {
            seen.others.emplace_back(Protocol::ToString(static_cast<PacketId>(packet.id)));
        }
    }
    return seen;
}

TEST_F(GameClusterLivenessTest, AKilledNonOwnersPlayersDespawnForTheOwnersAndAThirdNodesPlayers) {
    ASSERT_TRUE(StartNodes(3));
    ClusterNodeProcess& a = *nodes[0];
    ClusterNodeProcess& b = *nodes[1];
    ClusterNodeProcess& c = *nodes[2];

    GameTestClient alice, bob, carol;
    ASSERT_TRUE(Join(alice, a, "alice", 11));  // node a owns room 11
    const auto bobIn = Join(bob, b, "bob", 11);
    ASSERT_TRUE(bobIn);
    const auto bobSpawn = alice.Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(bobSpawn);
    const std::uint64_t bobId = bobSpawn->players(0).player_id();
    const auto carolIn = Join(carol, c, "carol", 11);
    ASSERT_TRUE(carolIn);
    ASSERT_EQ(carolIn->players_size(), 2);
    ASSERT_TRUE(alice.Chat("all here"));
    for (GameTestClient* client : {&alice, &carol}) {
        ASSERT_TRUE(Heard(*client, "all here", 20s)) << client->Name();
    }

    // Node b (not the owner) dies: alice (on the owner) and carol (on a third node) stay
    // connected and see bob go, within about the lease time.
    const auto killed = Clock::now();
    b.Kill(SIGKILL);
    const auto goneForAlice = WaitFor<Protocol::S_DESPAWN>(
        alice, PacketId::S_DESPAWN, [&](const auto& d) { return Despawned(d, bobId); }, 10s);
    ASSERT_TRUE(goneForAlice) << "alice never saw bob of the killed node despawn";
    const long long aliceSaw = MillisecondsSince(killed);
    ASSERT_TRUE(WaitFor<Protocol::S_DESPAWN>(
        carol, PacketId::S_DESPAWN, [&](const auto& d) { return Despawned(d, bobId); }, 10s))
        << "carol never saw bob of the killed node despawn";
    const long long carolSaw = MillisecondsSince(killed);
    std::printf(
        "bob of the killed node-b despawned for alice (owner) %lld ms and for carol "
        "(third node) %lld ms after the kill (lease 1.5 s)\n",
        aliceSaw, carolSaw);
    EXPECT_LT(aliceSaw, 3000) << "more than twice the lease";

    // Nothing else went, the room goes on, and bob is gone from it for the next entrant.
    ASSERT_TRUE(carol.Chat("still here"));
    for (GameTestClient* client : {&alice, &carol}) {
        EXPECT_TRUE(Heard(*client, "still here")) << client->Name();
    }
    GameTestClient dave;
    const auto daveIn = Join(dave, c, "dave", 11);
    ASSERT_TRUE(daveIn);
    EXPECT_EQ(daveIn->players_size(), 2) << "dave sees alice and carol, not bob";
    for (const auto& player : daveIn->players()) EXPECT_NE(player.player_id(), bobId);
}

TEST_F(GameClusterLivenessTest, AStalledNodeIsTakenOutAndItsPlayersMoveInAgainWhenItResumes) {
    ASSERT_TRUE(StartNodes(2));
    ClusterNodeProcess& a = *nodes[0];
    ClusterNodeProcess& b = *nodes[1];

    GameTestClient alice, bob;
    ASSERT_TRUE(Join(alice, a, "alice", 12));
    ASSERT_TRUE(Join(bob, b, "bob", 12));
    const auto bobSpawn = alice.Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(bobSpawn);
    const std::uint64_t bobId = bobSpawn->players(0).player_id();

    // Node b stops (its connection stays open, it sends nothing): a lease time later alice sees
    // bob go.
    b.Signal(SIGSTOP);
    const auto stopped = Clock::now();
    const auto gone = WaitFor<Protocol::S_DESPAWN>(
        alice, PacketId::S_DESPAWN, [&](const auto& d) { return Despawned(d, bobId); }, 10s);
    b.Signal(SIGCONT);
    const auto resumed = Clock::now();
    ASSERT_TRUE(gone) << "alice never saw bob of the stalled node despawn";
    std::printf("bob of the stalled node-b despawned %lld ms after SIGSTOP\n",
                static_cast<long long>(MillisecondsSince(stopped)));
    // Node b, running again, finds the owner no longer holds bob and moves him in: alice sees
    // him spawn again and chat crosses both ways.
    const auto back = WaitFor<Protocol::S_SPAWN>(
        alice, PacketId::S_SPAWN, [&](const auto& s) { return Spawned(s, bobId); }, 15s);
    ASSERT_TRUE(back) << "bob was not moved into the room again";
    std::printf("bob spawned again %lld ms after SIGCONT\n",
                static_cast<long long>(MillisecondsSince(resumed)));
    ASSERT_TRUE(bob.Chat("back"));
    EXPECT_TRUE(Heard(alice, "back"));
    ASSERT_TRUE(alice.Chat("welcome"));
    EXPECT_TRUE(Heard(bob, "welcome"));
}

TEST_F(GameClusterLivenessTest, AnOwnerOffTheBusTakesNobodyOut) {
    ASSERT_TRUE(StartNodes(2));
    ClusterNodeProcess& a = *nodes[0];
    ClusterNodeProcess& b = *nodes[1];

    GameTestClient alice, carol, bob;
    ASSERT_TRUE(Join(alice, a, "alice", 14));
    ASSERT_TRUE(Join(carol, a, "carol", 14));
    const auto bobIn = Join(bob, b, "bob", 14);
    ASSERT_TRUE(bobIn);
    ASSERT_EQ(bobIn->players_size(), 2);
    ASSERT_TRUE(WaitFor<Protocol::S_SPAWN>(alice, PacketId::S_SPAWN,
                                           [](const auto& s) { return s.players_size() == 1; }));
    ASSERT_TRUE(WaitFor<Protocol::S_SPAWN>(alice, PacketId::S_SPAWN,
                                           [](const auto& s) { return s.players_size() == 1; }));

    // nats-server gone for three lease times: node a hears nobody, and takes nobody out.
    nats->Stop(SIGKILL);
    const Seen during = Sort(Record(alice, 4500ms));
    EXPECT_TRUE(during.despawned.empty()) << during.despawned.size() << " despawned";
    EXPECT_TRUE(during.spawned.empty());
    nats->Restart();
    // Back: nobody went for good. (If node b won the room's lease in the race after the
    // restart, node a's players moved there and saw bob despawn and spawn again.)
    EXPECT_TRUE(Crossed(bob, alice, "b to a"));
    EXPECT_TRUE(Crossed(alice, bob, "a to b"));
    // Three lease times more, the room settled: nobody is judged gone late.
    const Seen after = Sort(Record(alice, 4500ms));
    EXPECT_TRUE(after.despawned.empty()) << after.despawned.size() << " despawned late";
    ASSERT_TRUE(bob.Chat("still here"));
    EXPECT_TRUE(Heard(carol, "still here"));
}

TEST_F(GameClusterLivenessTest, AnEntryNoOwnerAnswersIsRefusedInTimeAndMayBeTriedAgain) {
    ASSERT_TRUE(StartNodes(1));
    ClusterNodeProcess& a = *nodes[0];
    // Room 21's lease is held by a "node" that never answers for the room.
    LeaseHolderProcess ghost(nats->Url(), "tavern_rooms", 1500ms, "r.21", "node-ghost");
    ASSERT_EQ(ghost.ReadLine(10s), "acquired") << "the ghost owner did not get room 21's lease";

    GameTestClient alice;
    ASSERT_TRUE(alice.Connect(a.Address()));
    ASSERT_NE(alice.Login("alice"), 0u);
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(21);
    const auto asked = Clock::now();
    ASSERT_TRUE(alice.Send(PacketId::C_ENTER_GAME, enter));
    const auto refused = alice.Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME, 10s);
    const long long waited = MillisecondsSince(asked);
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->success());
    EXPECT_NE(refused->reason().find("try again"), std::string::npos) << refused->reason();
    std::printf("the entry was refused after %lld ms (two lease times: 3 s)\n", waited);
    EXPECT_GE(waited, 2500);
    EXPECT_LT(waited, 6000);
    // The session is not left counting itself in the room: a chat says so.
    ASSERT_TRUE(alice.Chat("anyone?"));
    const auto notIn = alice.Expect<Protocol::S_ERROR>(PacketId::S_ERROR);
    ASSERT_TRUE(notIn);
    EXPECT_EQ(notIn->request_id(), static_cast<std::uint32_t>(PacketId::C_CHAT));

    // The ghost goes; its lease lapses and node a takes the room: the entry, asked again, is
    // made.
    ghost.Kill();
    const auto deadline = Clock::now() + 15s;
    bool entered = false;
    while (!entered && Clock::now() < deadline) {
        ASSERT_TRUE(alice.Send(PacketId::C_ENTER_GAME, enter));
        const auto answer = alice.Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME, 10s);
        ASSERT_TRUE(answer);
        entered = answer->success();
    }
    EXPECT_TRUE(entered) << "the entry was never made once the room had an owner";
}

TEST_F(GameClusterLivenessTest, ThreeNodesTheOwnerKilledTheOthersSeeOnlyItsPlayersGo) {
    ASSERT_TRUE(StartNodes(3));
    ClusterNodeProcess& a = *nodes[0];
    ClusterNodeProcess& b = *nodes[1];
    ClusterNodeProcess& c = *nodes[2];

    GameTestClient alice, bob, carol, erin;
    ASSERT_TRUE(Join(alice, a, "alice", 13));  // node a owns room 13
    const auto bobIn = Join(bob, b, "bob", 13);
    ASSERT_TRUE(bobIn);
    const std::uint64_t aliceId = bobIn->players(0).player_id();
    ASSERT_TRUE(Join(carol, c, "carol", 13));
    ASSERT_TRUE(Join(erin, c, "erin", 13));
    ASSERT_TRUE(alice.Chat("ready"));
    for (GameTestClient* client : {&bob, &carol, &erin}) {
        ASSERT_TRUE(Heard(*client, "ready", 20s)) << client->Name();
    }

    a.Kill(SIGKILL);
    // Whichever of b and c takes the room, bob, carol and erin stay in it and see alice go,
    // and nothing else: no one despawns or spawns again.
    for (GameTestClient* client : {&bob, &carol, &erin}) {
        const Seen seen = Sort(Record(*client, client == &bob ? 4000ms : 200ms));
        EXPECT_EQ(seen.despawned, std::multiset<std::uint64_t>{aliceId}) << client->Name();
        EXPECT_TRUE(seen.spawned.empty())
            << client->Name() << " saw " << seen.spawned.size() << " spawns";
        EXPECT_TRUE(seen.others.empty())
            << client->Name() << " got " << seen.others.size() << " other packets, the first "
            << (seen.others.empty() ? "" : seen.others[0]);
    }
    // The room is served by its new owner, with all three in it.
    ASSERT_TRUE(carol.Chat("after"));
    for (GameTestClient* client : {&bob, &carol, &erin}) {
        EXPECT_TRUE(Heard(*client, "after")) << client->Name();
    }
    ASSERT_TRUE(bob.Chat("from b"));
    EXPECT_TRUE(Heard(erin, "from b"));
    GameTestClient dave;
    const auto daveIn = Join(dave, b, "dave", 13);
    ASSERT_TRUE(daveIn);
    EXPECT_EQ(daveIn->players_size(), 3) << "dave sees bob, carol and erin";
    for (GameTestClient* client : {&bob, &carol, &erin}) {
        EXPECT_TRUE(WaitFor<Protocol::S_SPAWN>(
            *client, PacketId::S_SPAWN, [](const auto& s) { return s.players(0).name() == "dave"; },
            5s))
            << client->Name();
    }
}

}  // namespace
}  // namespace tavern::test
