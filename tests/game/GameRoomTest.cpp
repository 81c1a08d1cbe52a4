#include "gameserver/GameServer.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

class GameRoomTest : public GameServerFixture {};

std::set<std::uint64_t> Ids(
    const google::protobuf::RepeatedPtrField<Protocol::PlayerInfo>& players) {
    std::set<std::uint64_t> ids;
    for (const auto& player : players) ids.insert(player.player_id());
    return ids;
}

// Reads `count` S_CHAT packets: (player id, text) -> how many times it arrived.
std::map<std::pair<std::uint64_t, std::string>, int> ReadChats(GameTestClient& client, int count) {
    std::map<std::pair<std::uint64_t, std::string>, int> seen;
    for (int i = 0; i < count; ++i) {
        const auto chat = client.Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        if (!chat) break;
        ++seen[{chat->player_id(), chat->msg()}];
    }
    return seen;
}

TEST_P(GameRoomTest, PlayersEnteringOneRoomSeeEachOtherSpawn) {
    auto alice = Connect();
    const auto aliceId = alice->Login("alice");
    const auto aliceEnter = alice->Enter(1);
    ASSERT_TRUE(aliceEnter);
    EXPECT_EQ(aliceEnter->players_size(), 0) << "the first player finds the room empty";

    auto bob = Connect();
    const auto bobId = bob->Login("bob");
    const auto bobEnter = bob->Enter(1);
    ASSERT_TRUE(bobEnter);
    EXPECT_EQ(Ids(bobEnter->players()), std::set<std::uint64_t>{aliceId});
    EXPECT_EQ(bobEnter->players(0).name(), "alice");
    const auto bobSpawn = alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(bobSpawn);
    EXPECT_EQ(Ids(bobSpawn->players()), std::set<std::uint64_t>{bobId});
    EXPECT_EQ(bobSpawn->players(0).name(), "bob");

    auto carol = Connect();
    const auto carolId = carol->Login("carol");
    const auto carolEnter = carol->Enter(1);
    ASSERT_TRUE(carolEnter);
    EXPECT_EQ(Ids(carolEnter->players()), (std::set<std::uint64_t>{aliceId, bobId}));
    for (GameTestClient* other : {alice.get(), bob.get()}) {
        const auto spawn = other->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
        ASSERT_TRUE(spawn) << other->Name();
        EXPECT_EQ(Ids(spawn->players()), std::set<std::uint64_t>{carolId}) << other->Name();
    }
    for (GameTestClient* client : {alice.get(), bob.get(), carol.get()})
        EXPECT_TRUE(client->ExpectSilence()) << client->Name();
    EXPECT_EQ(server->Rooms().PlayersInGame(), 3u);
}

TEST_P(GameRoomTest, ChatReachesEveryoneInTheRoomExactlyOnceSenderIncluded) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    auto carol = InRoom("carol", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);  // bob
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);  // carol
    bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);    // carol

    std::map<std::pair<std::uint64_t, std::string>, int> expected;
    for (GameTestClient* client : {alice.get(), bob.get(), carol.get()}) {
        ASSERT_TRUE(client->Chat("hello from " + client->Name()));
    }
    const auto aliceChats = ReadChats(*alice, 3);
    ASSERT_EQ(aliceChats.size(), 3u);
    for (const auto& [line, count] : aliceChats) EXPECT_EQ(count, 1) << line.second;
    for (GameTestClient* client : {bob.get(), carol.get()})
        EXPECT_EQ(ReadChats(*client, 3), aliceChats) << client->Name();
    for (GameTestClient* client : {alice.get(), bob.get(), carol.get()})
        EXPECT_TRUE(client->ExpectSilence()) << client->Name() << " got a line twice";
}

TEST_P(GameRoomTest, ChatLinesFromOneSenderArriveInTheOrderSent) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    constexpr int kLines = 150;  // under the default 200 packets/s burst
    for (int i = 0; i < kLines; ++i) ASSERT_TRUE(alice->Chat("line " + std::to_string(i)));
    for (int i = 0; i < kLines; ++i) {
        const auto chat = bob->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(chat);
        ASSERT_EQ(chat->msg(), "line " + std::to_string(i));
    }
}

TEST_P(GameRoomTest, MoveIsSeenByTheOthersButNotByTheMover) {
    auto alice = Connect();
    const auto aliceId = alice->Login("alice");
    ASSERT_TRUE(alice->Enter(1));
    auto bob = InRoom("bob", 1);
    auto carol = InRoom("carol", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);

    Protocol::C_MOVE move;
    move.set_x(1.5f);
    move.set_y(-2.0f);
    ASSERT_TRUE(alice->Send(PacketId::C_MOVE, move));
    for (GameTestClient* other : {bob.get(), carol.get()}) {
        const auto seen = other->Expect<Protocol::S_MOVE>(PacketId::S_MOVE);
        ASSERT_TRUE(seen) << other->Name();
        EXPECT_EQ(seen->player_id(), aliceId);
        EXPECT_FLOAT_EQ(seen->x(), 1.5f);
        EXPECT_FLOAT_EQ(seen->y(), -2.0f);
    }
    EXPECT_TRUE(alice->ExpectSilence()) << "the mover must not get its own S_MOVE";

    // A newcomer finds alice where she moved to.
    auto dave = Connect();
    dave->Login("dave");
    const auto enter = dave->Enter(1);
    ASSERT_TRUE(enter);
    bool found = false;
    for (const auto& player : enter->players()) {
        if (player.player_id() != aliceId) continue;
        found = true;
        EXPECT_FLOAT_EQ(player.x(), 1.5f);
        EXPECT_FLOAT_EQ(player.y(), -2.0f);
    }
    EXPECT_TRUE(found);
}

TEST_P(GameRoomTest, PingIsAnsweredWithTheSameClientTimeEvenBeforeLogin) {
    auto client = Connect();
    for (std::uint64_t time : {0ull, 123456789ull, 0xFFFFFFFFFFFFFFFFull}) {
        Protocol::C_PING ping;
        ping.set_client_time(time);
        ASSERT_TRUE(client->Send(PacketId::C_PING, ping));
        const auto pong = client->Expect<Protocol::S_PONG>(PacketId::S_PONG);
        ASSERT_TRUE(pong);
        EXPECT_EQ(pong->client_time(), time);
    }
}

TEST_P(GameRoomTest, LeaveAnswersTheLeaverAndDespawnsItForTheOthers) {
    auto alice = InRoom("alice", 1);
    auto bob = Connect();
    const auto bobId = bob->Login("bob");
    ASSERT_TRUE(bob->Enter(1));
    auto carol = InRoom("carol", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);

    ASSERT_TRUE(bob->Send(PacketId::C_LEAVE_GAME, Protocol::C_LEAVE_GAME{}));
    EXPECT_TRUE(bob->Expect<Protocol::S_LEAVE_GAME>(PacketId::S_LEAVE_GAME));
    for (GameTestClient* other : {alice.get(), carol.get()}) {
        const auto despawn = other->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
        ASSERT_TRUE(despawn) << other->Name();
        ASSERT_EQ(despawn->player_ids_size(), 1);
        EXPECT_EQ(despawn->player_ids(0), bobId);
    }
    EXPECT_TRUE(WaitUntil([&] { return server->Rooms().PlayersInGame() == 2; }));

    // Bob is still logged in: he may enter another room, and no longer hears room 1.
    const auto again = bob->Enter(2);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->players_size(), 0);
    ASSERT_TRUE(alice->Chat("only for room 1"));
    EXPECT_TRUE(alice->Expect<Protocol::S_CHAT>(PacketId::S_CHAT));
    EXPECT_TRUE(bob->ExpectSilence());
}

TEST_P(GameRoomTest, AbruptDisconnectDespawnsThePlayerAndTheCountsReturnToZero) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    auto carol = Connect();
    const auto carolId = carol->Login("carol");
    ASSERT_TRUE(carol->Enter(1));
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    EXPECT_EQ(server->Sessions().SessionCount(), 3u);
    EXPECT_EQ(server->Sessions().PlayerCount(), 3u);

    carol->Reset();  // RST, no goodbye
    for (GameTestClient* other : {alice.get(), bob.get()}) {
        const auto despawn = other->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
        ASSERT_TRUE(despawn) << other->Name();
        ASSERT_EQ(despawn->player_ids_size(), 1);
        EXPECT_EQ(despawn->player_ids(0), carolId);
    }
    EXPECT_TRUE(WaitUntil([&] {
        return server->Sessions().SessionCount() == 2 && server->Sessions().PlayerCount() == 2;
    }));
    EXPECT_EQ(server->Sessions().FindPlayer(carolId), nullptr) << "the player object was freed";

    alice->Reset();
    bob->Close();  // a clean FIN this time
    EXPECT_TRUE(WaitUntilEmpty());
    EXPECT_EQ(server->Service().SessionCount(), 0u);
}

TEST_P(GameRoomTest, ClientThatClosesCleanlyIsDespawnedForTheOthers) {
    auto alice = InRoom("alice", 1);
    auto bob = Connect();
    const auto bobId = bob->Login("bob");
    ASSERT_TRUE(bob->Enter(1));
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    bob->Close();
    const auto despawn = alice->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
    ASSERT_TRUE(despawn);
    EXPECT_EQ(despawn->player_ids(0), bobId);
}

TEST_P(GameRoomTest, RoomsAreIsolated) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 2);
    EXPECT_TRUE(alice->ExpectSilence()) << "bob entered another room";

    ASSERT_TRUE(alice->Chat("room one"));
    const auto own = alice->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(own);
    EXPECT_EQ(own->msg(), "room one");
    EXPECT_TRUE(bob->ExpectSilence());

    ASSERT_TRUE(bob->Chat("room two"));
    EXPECT_TRUE(bob->Expect<Protocol::S_CHAT>(PacketId::S_CHAT));
    Protocol::C_MOVE move;
    move.set_x(1);
    ASSERT_TRUE(bob->Send(PacketId::C_MOVE, move));
    EXPECT_TRUE(alice->ExpectSilence());
    EXPECT_EQ(server->Rooms().RoomCount(), 2u);
}

TEST_P(GameRoomTest, ManyClientsChattingAtOnceEachGetEveryLineOnce) {
    constexpr int kClients = 12;
    constexpr int kLines = 20;
    std::vector<std::unique_ptr<GameTestClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(InRoom("p" + std::to_string(i), 7));
        for (int j = 0; j < i; ++j) clients[j]->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    }
    for (int line = 0; line < kLines; ++line)
        for (auto& client : clients)
            ASSERT_TRUE(client->Chat(client->Name() + ":" + std::to_string(line)));
    for (auto& client : clients) {
        const auto seen = ReadChats(*client, kClients * kLines);
        EXPECT_EQ(seen.size(), static_cast<std::size_t>(kClients * kLines)) << client->Name();
        for (const auto& [line, count] : seen) EXPECT_EQ(count, 1) << line.second;
    }
}

TEST_P(GameRoomTest, ServerStopDisconnectsEveryoneAndEmptiesTheCounts) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    server->Stop();
    EXPECT_TRUE(alice->WaitForClose());
    EXPECT_TRUE(bob->WaitForClose());
    EXPECT_EQ(server->Sessions().SessionCount(), 0u);
    EXPECT_EQ(server->Sessions().PlayerCount(), 0u);
    EXPECT_EQ(server->Rooms().PlayersInGame(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, GameRoomTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

// A small S_ENTER_GAME, so that a handful of players already spill over into S_SPAWN packets.
class GameCrowdTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.limits.playersPerPacket = 2;
        options.limits.maxPlayersPerRoom = 6;
        return options;
    }
};

TEST_P(GameCrowdTest, EnteringACrowdedRoomListsEveryoneAcrossSeveralPackets) {
    std::vector<std::unique_ptr<GameTestClient>> clients;
    std::set<std::uint64_t> ids;
    for (int i = 0; i < 5; ++i) {
        auto client = Connect();
        ids.insert(client->Login("p" + std::to_string(i)));
        Protocol::C_ENTER_GAME enter;
        enter.set_room_id(3);
        ASSERT_TRUE(client->Send(PacketId::C_ENTER_GAME, enter));
        clients.push_back(std::move(client));
        // Each one waits for its answer, so the room's order is known.
        const auto answer = clients.back()->Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME);
        ASSERT_TRUE(answer && answer->success());
        std::set<std::uint64_t> listed = Ids(answer->players());
        EXPECT_LE(answer->players_size(), 2);
        while (listed.size() < static_cast<std::size_t>(i)) {
            const auto more = clients.back()->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
            ASSERT_TRUE(more);
            EXPECT_LE(more->players_size(), 2);
            for (const auto id : Ids(more->players())) listed.insert(id);
        }
        EXPECT_EQ(listed.size(), static_cast<std::size_t>(i));
        for (int j = 0; j < i; ++j) clients[j]->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    }
    // The room holds six: the seventh is turned away.
    auto sixth = InRoom("p5", 3);
    for (auto& client : clients) client->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    auto seventh = LoggedIn("p6");
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(3);
    ASSERT_TRUE(seventh->Send(PacketId::C_ENTER_GAME, enter));
    const auto refusal = seventh->Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME);
    ASSERT_TRUE(refusal);
    EXPECT_FALSE(refusal->success());
    EXPECT_NE(refusal->reason().find("full"), std::string::npos) << refusal->reason();
}

INSTANTIATE_TEST_SUITE_P(Backends, GameCrowdTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

// The engine cuts off a client that sends nothing for the idle timeout; the game then treats it
// like any other disconnect.
class GameIdleTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.service.idleTimeout = std::chrono::milliseconds(400);
        return options;
    }
};

TEST_P(GameIdleTest, SilentPlayerIsCutOffAtTheIdleTimeoutAndDespawned) {
    auto quiet = Connect();
    const auto quietId = quiet->Login("quiet");
    ASSERT_TRUE(quiet->Enter(1));
    auto chatty = InRoom("chatty", 1);
    quiet->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    // chatty pings every 100 ms and stays; quiet says nothing and is cut off.
    bool despawned = false;
    for (int i = 0; i < 30 && !despawned; ++i) {
        Protocol::C_PING ping;
        ping.set_client_time(1);
        ASSERT_TRUE(chatty->Send(PacketId::C_PING, ping));
        const auto packet = chatty->Receive(std::chrono::milliseconds(500));
        ASSERT_TRUE(packet);
        if (packet->id == static_cast<std::uint16_t>(PacketId::S_DESPAWN)) {
            Protocol::S_DESPAWN despawn;
            ASSERT_TRUE(despawn.ParseFromArray(packet->payload.data(),
                                               static_cast<int>(packet->payload.size())));
            EXPECT_EQ(despawn.player_ids(0), quietId);
            despawned = true;
        } else {
            EXPECT_EQ(packet->id, static_cast<std::uint16_t>(PacketId::S_PONG));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    EXPECT_TRUE(despawned);
    EXPECT_TRUE(quiet->WaitForClose());
    EXPECT_TRUE(WaitUntil([&] { return server->Sessions().PlayerCount() == 1; }));
}

INSTANTIATE_TEST_SUITE_P(Backends, GameIdleTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
