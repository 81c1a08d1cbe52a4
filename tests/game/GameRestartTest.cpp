// Saved state over real sockets: a player's room and position survive a server restart, are
// written every save interval while it plays, and put it back where it was when it re-enters.
#include <gtest/gtest.h>

#include "ServerPackets.h"
#include "store/OpenStore.h"
#include "tests/game/AccountServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

class GameRestartTest : public AccountServerFixture {};

TEST_P(GameRestartTest, ALoginAfterARestartFindsTheSavedRoomAndPosition) {
    std::uint64_t id = 0;
    {
        auto alice = Connect();
        const auto created = alice->LoginWith("alice", "secret");
        ASSERT_TRUE(created && created->success()) << (created ? created->reason() : "");
        EXPECT_TRUE(created->created());
        EXPECT_EQ(created->last_room_id(), 0u);
        id = created->player_id();
        ASSERT_NE(id, 0u);
        ASSERT_TRUE(alice->Enter(3));
        ASSERT_TRUE(alice->Move(4.5f, -2.0f));
        ASSERT_TRUE(alice->ExpectSilence(std::chrono::milliseconds(100)));
    }  // dropped: saved on the way out
    ASSERT_TRUE(WaitUntilEmpty());
    Restart();

    // Someone in room 3 sees alice come back where she was.
    auto bob = InRoom("bob", 3);
    auto alice = Connect();
    const auto again = alice->LoginWith("alice", "secret");
    ASSERT_TRUE(again && again->success()) << (again ? again->reason() : "");
    EXPECT_FALSE(again->created());
    EXPECT_EQ(again->player_id(), id);
    EXPECT_EQ(again->last_room_id(), 3u);
    EXPECT_FLOAT_EQ(again->x(), 4.5f);
    EXPECT_FLOAT_EQ(again->y(), -2.0f);
    ASSERT_TRUE(alice->Enter(3));
    const auto spawn = bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(spawn && spawn->players_size() == 1);
    EXPECT_EQ(spawn->players(0).player_id(), id);
    EXPECT_FLOAT_EQ(spawn->players(0).x(), 4.5f);
    EXPECT_FLOAT_EQ(spawn->players(0).y(), -2.0f);

    // Another room starts at (0, 0), and becomes the saved one.
    ASSERT_TRUE(alice->Send(PacketId::C_LEAVE_GAME, Protocol::C_LEAVE_GAME{}));
    ASSERT_TRUE(alice->Expect<Protocol::S_LEAVE_GAME>(PacketId::S_LEAVE_GAME));
    auto carol = InRoom("carol", 4);
    ASSERT_TRUE(alice->Enter(4));
    const auto elsewhere = carol->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(elsewhere && elsewhere->players_size() == 1);
    EXPECT_FLOAT_EQ(elsewhere->players(0).x(), 0.0f);
    EXPECT_FLOAT_EQ(elsewhere->players(0).y(), 0.0f);
    alice->Close();
    ASSERT_TRUE(WaitUntil([&] { return server->Sessions().PlayerCount() == 2; }));
    Restart();
    auto third = Connect();
    const auto last = third->LoginWith("alice", "secret");
    ASSERT_TRUE(last && last->success());
    EXPECT_EQ(last->last_room_id(), 4u);
    EXPECT_FLOAT_EQ(last->x(), 0.0f);
}

TEST_P(GameRestartTest, MovesAreWrittenEverySaveIntervalWhileThePlayerStaysOnline) {
    auto alice = Connect();
    const auto login = alice->LoginWith("alice", "secret");
    ASSERT_TRUE(login && login->success());
    ASSERT_TRUE(alice->Enter(2));
    const auto db = store::OpenStore(DbUrl());
    for (int step = 1; step <= 3; ++step) {
        const float x = static_cast<float>(step) * 10;
        ASSERT_TRUE(alice->Move(x, 1.0f));
        // Still connected: only the interval can have written it.
        EXPECT_TRUE(WaitUntil(
            [&] {
                const auto saved = db->LoadPlayerState(login->player_id());
                return saved && saved->roomId == 2 && saved->x == x && saved->y == 1.0f;
            },
            std::chrono::seconds(10)))
            << "step " << step;
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, GameRestartTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
