#include "gameserver/GameSession.h"

#include <gtest/gtest.h>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

// Requests out of order or past a limit get a refusal with a reason, and the session stays.
class GameRefusalTest : public GameServerFixture {
protected:
    // The next packet is an S_ERROR refusing `request`, with a reason.
    static void ExpectError(GameTestClient& client, PacketId request) {
        const auto error = client.Expect<Protocol::S_ERROR>(PacketId::S_ERROR);
        ASSERT_TRUE(error);
        EXPECT_EQ(error->request_id(), static_cast<std::uint32_t>(request));
        EXPECT_FALSE(error->reason().empty());
    }
    static void ExpectLoginRefused(GameTestClient& client, const std::string& name) {
        Protocol::C_LOGIN login;
        login.set_name(name);
        ASSERT_TRUE(client.Send(PacketId::C_LOGIN, login));
        const auto answer = client.Expect<Protocol::S_LOGIN>(PacketId::S_LOGIN);
        ASSERT_TRUE(answer);
        EXPECT_FALSE(answer->success());
        EXPECT_EQ(answer->player_id(), 0u);
        EXPECT_FALSE(answer->reason().empty());
    }
    static void ExpectEnterRefused(GameTestClient& client, std::uint32_t room) {
        Protocol::C_ENTER_GAME enter;
        enter.set_room_id(room);
        ASSERT_TRUE(client.Send(PacketId::C_ENTER_GAME, enter));
        const auto answer = client.Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME);
        ASSERT_TRUE(answer);
        EXPECT_FALSE(answer->success());
        EXPECT_EQ(answer->players_size(), 0);
        EXPECT_FALSE(answer->reason().empty());
    }
};

TEST_P(GameRefusalTest, ChatBeforeLoginIsRefusedWithAnError) {
    auto client = Connect();
    ASSERT_TRUE(client->Chat("anyone?"));
    ExpectError(*client, PacketId::C_CHAT);
    EXPECT_NE(client->Login("alice"), 0u) << "the session stays usable";
}

TEST_P(GameRefusalTest, EnterBeforeLoginIsRefused) {
    auto client = Connect();
    ExpectEnterRefused(*client, 1);
    EXPECT_NE(client->Login("alice"), 0u);
    EXPECT_TRUE(client->Enter(1));
}

TEST_P(GameRefusalTest, MoveAndLeaveBeforeLoginAreRefused) {
    auto client = Connect();
    ASSERT_TRUE(client->Send(PacketId::C_MOVE, Protocol::C_MOVE{}));
    ExpectError(*client, PacketId::C_MOVE);
    ASSERT_TRUE(client->Send(PacketId::C_LEAVE_GAME, Protocol::C_LEAVE_GAME{}));
    ExpectError(*client, PacketId::C_LEAVE_GAME);
}

TEST_P(GameRefusalTest, LoginTwiceIsRefused) {
    auto client = Connect();
    ASSERT_NE(client->Login("alice"), 0u);
    ExpectLoginRefused(*client, "alice");
    ExpectLoginRefused(*client, "someone-else");
    EXPECT_EQ(server->Sessions().PlayerCount(), 1u);
}

TEST_P(GameRefusalTest, ChatMoveAndLeaveBeforeEnteringARoomAreRefused) {
    auto client = LoggedIn("alice");
    ASSERT_TRUE(client->Chat("anyone?"));
    ExpectError(*client, PacketId::C_CHAT);
    ASSERT_TRUE(client->Send(PacketId::C_MOVE, Protocol::C_MOVE{}));
    ExpectError(*client, PacketId::C_MOVE);
    ASSERT_TRUE(client->Send(PacketId::C_LEAVE_GAME, Protocol::C_LEAVE_GAME{}));
    ExpectError(*client, PacketId::C_LEAVE_GAME);
}

TEST_P(GameRefusalTest, EnterTwiceIsRefusedWhetherTheSameRoomOrAnother) {
    auto client = InRoom("alice", 1);
    ExpectEnterRefused(*client, 1);
    ExpectEnterRefused(*client, 2);
    EXPECT_TRUE(WaitUntil([&] { return server->Rooms().PlayersInGame() == 1; }));
    ASSERT_TRUE(client->Chat("still here"));
    EXPECT_TRUE(client->Expect<Protocol::S_CHAT>(PacketId::S_CHAT));
}

TEST_P(GameRefusalTest, EmptyAndOverlongNamesAreRefused) {
    auto client = Connect();
    ExpectLoginRefused(*client, "");
    ExpectLoginRefused(*client, std::string(33, 'n'));
    EXPECT_NE(client->Login(std::string(32, 'n')), 0u) << "exactly the limit is fine";
}

TEST_P(GameRefusalTest, EmptyAndOverlongChatAreRefusedAndTheSessionStays) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(alice->Chat(std::string(513, 'x')));
    ExpectError(*alice, PacketId::C_CHAT);
    ASSERT_TRUE(alice->Chat(""));
    ExpectError(*alice, PacketId::C_CHAT);
    EXPECT_TRUE(bob->ExpectSilence()) << "a refused line is not broadcast";

    ASSERT_TRUE(alice->Chat(std::string(512, 'y')));
    const auto chat = bob->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->msg().size(), 512u);
}

TEST_P(GameRefusalTest, MoveToANonFinitePositionIsRefused) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    Protocol::C_MOVE move;
    move.set_x(std::numeric_limits<float>::quiet_NaN());
    ASSERT_TRUE(alice->Send(PacketId::C_MOVE, move));
    ExpectError(*alice, PacketId::C_MOVE);
    move.set_x(std::numeric_limits<float>::infinity());
    ASSERT_TRUE(alice->Send(PacketId::C_MOVE, move));
    ExpectError(*alice, PacketId::C_MOVE);
    EXPECT_TRUE(bob->ExpectSilence());
}

INSTANTIATE_TEST_SUITE_P(Backends, GameRefusalTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
