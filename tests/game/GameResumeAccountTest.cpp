// Seamless reconnect with accounts: a password login to an account whose player is away, or
// online, takes it over; the resume token of the player taken over stops working.
#include <gtest/gtest.h>

#include "ServerPackets.h"
#include "gameserver/AccountService.h"
#include "tests/game/AccountServerFixture.h"
#include "tests/game/ResumingTestClient.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using namespace std::chrono_literals;

class GameResumeAccountTest : public AccountServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = AccountServerFixture::Options();
        options.limits.resumeWindow = 30s;
        return options;
    }
};

TEST_P(GameResumeAccountTest, APasswordLoginToAnAwayPlayerEndsItAndRestoresItsPosition) {
    ResumingTestClient alice;
    ASSERT_TRUE(alice.Login(server->LocalAddress(), "alice"));
    ASSERT_TRUE(alice.Enter(1));
    auto bob = InRoom("bob", 1);
    ASSERT_TRUE(alice.Client().Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
    Protocol::C_MOVE move;
    move.set_x(3);
    move.set_y(4);
    ASSERT_TRUE(alice.Send(PacketId::C_MOVE, move));
    ASSERT_TRUE(bob->Expect<Protocol::S_MOVE>(PacketId::S_MOVE));

    alice.Client().Reset();
    ASSERT_TRUE(WaitUntil([&] { return server->Resumes().AwayCount() == 1; }));
    EXPECT_TRUE(bob->ExpectSilence()) << "away: nobody sees it go";

    // Not a resume but a password login: the away player leaves for good first.
    auto again = Connect();
    const auto login = again->LoginWith("alice", GameTestClient::PasswordFor("alice"));
    ASSERT_TRUE(login && login->success()) << (login ? login->reason() : "");
    EXPECT_FALSE(login->resumed());
    EXPECT_EQ(login->player_id(), alice.PlayerId());
    EXPECT_EQ(login->last_room_id(), 1u);
    EXPECT_FLOAT_EQ(login->x(), 3.0f);
    EXPECT_FLOAT_EQ(login->y(), 4.0f);
    const auto despawn = bob->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
    ASSERT_TRUE(despawn);
    EXPECT_EQ(despawn->player_ids(0), alice.PlayerId());
    EXPECT_EQ(server->Resumes().AwayCount(), 0u);

    // The old token is dead; the new login's works.
    GameTestClient late;
    ASSERT_TRUE(late.Connect(server->LocalAddress()));
    const auto refused = ResumingTestClient::SendResume(late, alice.Token(), alice.Received());
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->success());
    EXPECT_EQ(refused->reason(), "resume expired");
}

TEST_P(GameResumeAccountTest, APasswordLoginToAnOnlinePlayerKicksItAndKillsItsToken) {
    ResumingTestClient alice;
    ASSERT_TRUE(alice.Login(server->LocalAddress(), "alice"));
    ASSERT_TRUE(alice.Enter(1));

    auto again = Connect();
    const auto login = again->LoginWith("alice", GameTestClient::PasswordFor("alice"));
    ASSERT_TRUE(login && login->success()) << (login ? login->reason() : "");
    EXPECT_TRUE(alice.Client().Expect<Protocol::S_KICKED>(PacketId::S_KICKED));
    EXPECT_TRUE(alice.Client().WaitForClose());
    EXPECT_EQ(server->Resumes().AwayCount(), 0u) << "kicked is not away";

    GameTestClient late;
    ASSERT_TRUE(late.Connect(server->LocalAddress()));
    const auto refused = ResumingTestClient::SendResume(late, alice.Token(), alice.Received());
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->success());
    EXPECT_EQ(refused->reason(), "resume expired");
}

INSTANTIATE_TEST_SUITE_P(Backends, GameResumeAccountTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

// A 1 s window and no interval saves to speak of: only the leave at the window's end can have
// saved the position.
class GameResumeSaveTest : public GameResumeAccountTest {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameResumeAccountTest::Options();
        options.limits.resumeWindow = 1s;
        options.persistence.saveInterval = std::chrono::hours(1);
        return options;
    }
};

TEST_P(GameResumeSaveTest, APlayerWhoseWindowEndsIsSavedWhereItWas) {
    ResumingTestClient alice;
    ASSERT_TRUE(alice.Login(server->LocalAddress(), "alice"));
    ASSERT_TRUE(alice.Enter(2));
    auto bob = InRoom("bob", 2);
    Protocol::C_MOVE move;
    move.set_x(7);
    move.set_y(8);
    ASSERT_TRUE(alice.Send(PacketId::C_MOVE, move));
    ASSERT_TRUE(bob->Expect<Protocol::S_MOVE>(PacketId::S_MOVE));
    alice.Client().Reset();
    // Away for the window, then gone for good: others see it leave.
    while (const auto packet = bob->Receive(10s)) {
        if (packet->id == static_cast<std::uint16_t>(PacketId::S_DESPAWN)) break;
    }
    EXPECT_EQ(server->Resumes().Counters().windowEnded.load(), 1u);
    ASSERT_TRUE(WaitUntil([&] { return server->Sessions().PlayerCount() == 1; }));
    // Written by the leave's save, not by an interval (an hour) nor by the stop.
    ASSERT_NE(server->Accounts(), nullptr);
    EXPECT_TRUE(WaitUntil([&] { return server->Accounts()->Saves().SavedStates() >= 1; }));

    bob.reset();
    ASSERT_TRUE(WaitUntilEmpty());
    Restart();
    auto again = Connect();
    const auto login = again->LoginWith("alice", GameTestClient::PasswordFor("alice"));
    ASSERT_TRUE(login && login->success()) << (login ? login->reason() : "");
    EXPECT_EQ(login->last_room_id(), 2u);
    EXPECT_FLOAT_EQ(login->x(), 7.0f);
    EXPECT_FLOAT_EQ(login->y(), 8.0f);
}

INSTANTIATE_TEST_SUITE_P(Backends, GameResumeSaveTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
