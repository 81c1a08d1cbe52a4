#include "gameserver/RoomManager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using namespace std::chrono_literals;

class GameRoomReclaimTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.limits.maxRooms = 60;
        options.limits.maxRoomsPerAddress = 20;
        options.limits.emptyRoomGrace = 300ms;
        return options;
    }
};

// 30 connections from one host enter and leave new rooms as fast as the server lets them, for
// a second. Before the fix they made all 60 rooms within a few hundred milliseconds, the rooms
// were never freed, and afterwards every new room id was refused to everyone. Now one address
// holds at most 20 rooms at a time, each session may make only a few, and once the churn stops
// every empty room is gone after the grace period and a new room can be made.
TEST_P(GameRoomReclaimTest, EmptyRoomsAreReclaimedAndOneHostCannotTakeThemAll) {
    std::vector<std::unique_ptr<GameTestClient>> churners;
    for (int i = 0; i < 30; ++i) churners.push_back(LoggedIn("c" + std::to_string(i)));
    ASSERT_FALSE(HasFailure());

    std::uint32_t nextRoom = 1000;
    std::size_t mostRooms = 0;
    int entered = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int round = 0; std::chrono::steady_clock::now() - start < 1s; ++round) {
        // A round every 20 ms: at most 150 packets a second per client, under the rate limit.
        std::this_thread::sleep_until(start + round * 20ms);
        for (auto& client : churners) {
            Protocol::C_ENTER_GAME enter;
            enter.set_room_id(nextRoom++);
            ASSERT_TRUE(client->Send(PacketId::C_ENTER_GAME, enter));
            const auto answer = client->Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME);
            ASSERT_TRUE(answer);
            if (!answer->success()) continue;
            ++entered;
            ASSERT_TRUE(client->Send(PacketId::C_LEAVE_GAME, Protocol::C_LEAVE_GAME{}));
            ASSERT_TRUE(client->Expect<Protocol::S_LEAVE_GAME>(PacketId::S_LEAVE_GAME));
            mostRooms = std::max(mostRooms, server->Rooms().RoomCount());
        }
    }
    EXPECT_GT(entered, 0);
    EXPECT_LE(mostRooms, 20u) << "one address made more than its share of rooms";

    // Every room is empty: after the grace period, all are gone.
    EXPECT_TRUE(WaitUntil([&] { return server->Rooms().RoomCount() == 0; }, 5s))
        << server->Rooms().RoomCount() << " rooms left";
    // And a room can be made again (by a client that has not made any).
    auto late = InRoom("late", 1);
    EXPECT_EQ(server->Rooms().RoomCount(), 1u);
}

// A room someone is in is never reclaimed, and a room whose last player leaves stays for the
// grace period: a player who comes back at once finds the same room and its members.
TEST_P(GameRoomReclaimTest, OccupiedRoomsStayAndEmptyOnesWaitForTheGracePeriod) {
    auto alice = InRoom("alice", 7);
    auto bob = InRoom("bob", 8);
    ASSERT_TRUE(bob->Send(PacketId::C_LEAVE_GAME, Protocol::C_LEAVE_GAME{}));
    ASSERT_TRUE(bob->Expect<Protocol::S_LEAVE_GAME>(PacketId::S_LEAVE_GAME));
    EXPECT_NE(server->Rooms().Find(8), nullptr) << "reclaimed before the grace period";
    std::this_thread::sleep_for(600ms);
    EXPECT_EQ(server->Rooms().Find(8), nullptr) << "not reclaimed after the grace period";
    EXPECT_NE(server->Rooms().Find(7), nullptr) << "an occupied room was reclaimed";
    ASSERT_TRUE(alice->Chat("still here"));
    EXPECT_TRUE(alice->Expect<Protocol::S_CHAT>(PacketId::S_CHAT));
}

INSTANTIATE_TEST_SUITE_P(Backends, GameRoomReclaimTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
