// Accounts over real sockets: wrong passwords, the per-address brute-force limit, registration
// switched off, and a second login taking over an online account.
#include <gtest/gtest.h>

#include "ServerPackets.h"
#include "tests/game/AccountServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using namespace std::chrono_literals;

class GameAccountTest : public AccountServerFixture {};

TEST_P(GameAccountTest, AWrongPasswordIsRefusedAndTheRightOneStillLogsIn) {
    auto first = Connect();
    const auto created = first->LoginWith("alice", "secret");
    ASSERT_TRUE(created && created->success());
    first->Close();

    auto wrong = Connect();
    const auto refused = wrong->LoginWith("alice", "guess");
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->success());
    EXPECT_EQ(refused->reason(), "wrong name or password");
    // A refusal leaves the session able to try again.
    const auto right = wrong->LoginWith("alice", "secret");
    ASSERT_TRUE(right && right->success()) << (right ? right->reason() : "");
    EXPECT_EQ(right->player_id(), created->player_id());
    EXPECT_FALSE(right->created());
}

TEST_P(GameAccountTest, WithoutRegistrationAnUnknownNameGetsTheWrongPasswordReason) {
    {
        auto first = Connect();
        const auto created = first->LoginWith("alice", "secret");
        ASSERT_TRUE(created && created->success());
    }
    ASSERT_TRUE(WaitUntilEmpty());
    allowRegister = false;
    Restart();
    auto client = Connect();
    const auto unknown = client->LoginWith("nobody", "secret");
    ASSERT_TRUE(unknown);
    EXPECT_FALSE(unknown->success());
    EXPECT_EQ(unknown->reason(), "wrong name or password");
    const auto known = client->LoginWith("alice", "secret");
    ASSERT_TRUE(known && known->success()) << (known ? known->reason() : "");
}

TEST_P(GameAccountTest, TooManyFailuresFromOneAddressAreRefusedEvenWithTheRightPassword) {
    auto owner = Connect();
    ASSERT_TRUE(owner->LoginWith("alice", "secret")->success());
    owner->Close();

    auto attacker = Connect();
    for (std::size_t i = 0; i < kAddressFailures; ++i) {
        const auto answer = attacker->LoginWith("alice", "guess" + std::to_string(i));
        ASSERT_TRUE(answer);
        EXPECT_EQ(answer->reason(), "wrong name or password");
    }
    const auto locked = attacker->LoginWith("alice", "secret");
    ASSERT_TRUE(locked);
    EXPECT_FALSE(locked->success());
    EXPECT_EQ(locked->reason(), "too many attempts");
    // The lock is on the address: another name from it is refused too, and from a new
    // connection.
    auto again = Connect();
    const auto other = again->LoginWith("bob", "secret");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->reason(), "too many attempts");
}

TEST_P(GameAccountTest, ASecondLoginKicksTheFirstSessionAndTakesItsPlace) {
    auto bob = InRoom("bob", 1);
    auto first = Connect();
    const auto login = first->LoginWith("alice", "secret");
    ASSERT_TRUE(login && login->success());
    ASSERT_TRUE(first->Enter(1));
    ASSERT_TRUE(first->Move(7.0f, 8.0f));
    ASSERT_TRUE(bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
    ASSERT_TRUE(bob->Expect<Protocol::S_MOVE>(PacketId::S_MOVE));

    auto second = Connect();
    const auto takeover = second->LoginWith("alice", "secret");
    ASSERT_TRUE(takeover && takeover->success()) << (takeover ? takeover->reason() : "");
    EXPECT_EQ(takeover->player_id(), login->player_id());
    // The new login starts from where the old session left the player.
    EXPECT_EQ(takeover->last_room_id(), 1u);
    EXPECT_FLOAT_EQ(takeover->x(), 7.0f);
    EXPECT_FLOAT_EQ(takeover->y(), 8.0f);

    const auto kicked = first->Expect<Protocol::S_KICKED>(PacketId::S_KICKED);
    ASSERT_TRUE(kicked);
    EXPECT_FALSE(kicked->reason().empty());
    EXPECT_TRUE(first->WaitForClose());
    const auto despawn = bob->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
    ASSERT_TRUE(despawn && despawn->player_ids_size() == 1);
    EXPECT_EQ(despawn->player_ids(0), login->player_id());

    // The new session plays on: back in room 1, where it was.
    ASSERT_TRUE(second->Enter(1));
    const auto spawn = bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(spawn && spawn->players_size() == 1);
    EXPECT_FLOAT_EQ(spawn->players(0).x(), 7.0f);
    EXPECT_EQ(server->Directory().Online(), 2u);
}

TEST_P(GameAccountTest, LoginsSentWhileOneIsUnderWayAreRefusedAndOnlyTheFirstLogsIn) {
    // Three C_LOGINs in one write: the second and the third arrive while the first is with the
    // store. Before the fix the refusal of the second cleared the "under way" mark, so the third
    // started a login of its own: two S_LOGIN successes on one connection (alice, then carol),
    // and alice's player left behind in the server's registry.
    auto client = Connect();
    std::vector<std::byte> bytes;
    for (const char* name : {"alice", "bob", "carol"}) {
        Protocol::C_LOGIN login;
        login.set_name(name);
        login.set_password("secret");
        const auto frame = Frame(static_cast<std::uint16_t>(PacketId::C_LOGIN), Encode(login));
        bytes.insert(bytes.end(), frame.begin(), frame.end());
    }
    ASSERT_TRUE(client->SendRaw(bytes));
    int successes = 0;
    int underWay = 0;
    for (int i = 0; i < 3; ++i) {
        const auto answer = client->Expect<Protocol::S_LOGIN>(PacketId::S_LOGIN);
        ASSERT_TRUE(answer);
        if (answer->success()) {
            ++successes;
            EXPECT_FALSE(answer->created() && answer->player_id() == 0);
        } else {
            EXPECT_EQ(answer->reason(), "a login is already under way");
            ++underWay;
        }
    }
    EXPECT_EQ(successes, 1);
    EXPECT_EQ(underWay, 2);
    EXPECT_FALSE(client->Receive(300ms)) << "no fourth answer";
    EXPECT_EQ(server->Directory().Online(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, GameAccountTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
