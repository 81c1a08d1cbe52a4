// PostgreSQL stopped and started while players are connected: they play on, new logins get
// "service unavailable", and every save made during the outage lands once it is back.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "ServerPackets.h"
#include "store/OpenStore.h"
#include "tests/game/AccountServerFixture.h"
#include "tests/store/PostgresServer.h"
#include "tests/store/TestDatabase.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using store::test::PostgresServer;

class GamePostgresOutageTest : public AccountServerFixture {
protected:
    void SetUp() override {
        _postgres = PostgresServer::Shared();
        if (_postgres != nullptr) {
            _db = std::make_unique<store::test::TestDatabase>(store::test::Backend::Postgres);
            dbUrl = _db->Url();
        }
        AccountServerFixture::SetUp();
    }
    void TearDown() override {
        AccountServerFixture::TearDown();
        _db.reset();
    }

    PostgresServer* _postgres = nullptr;
    std::unique_ptr<store::test::TestDatabase> _db;
};

TEST_P(GamePostgresOutageTest, SavesMadeWhileTheDatabaseIsDownLandOnceItIsBack) {
    if (_postgres == nullptr) {
        if (PostgresServer::Required())
            FAIL() << "PostgreSQL is required but unavailable: " << PostgresServer::Why();
        GTEST_SKIP() << "PostgreSQL unavailable: " << PostgresServer::Why();
    }
    auto alice = Connect();
    const auto login = alice->LoginWith("alice", "secret");
    ASSERT_TRUE(login && login->success()) << (login ? login->reason() : "");
    ASSERT_TRUE(alice->Enter(1));
    auto bob = InRoom("bob", 1);
    ASSERT_TRUE(alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
    ASSERT_EQ(server->Directory().Online(), 2u);

    _postgres->Stop();
    // Connected players carry on: moves still reach the room.
    ASSERT_TRUE(alice->Move(2.0f, 3.0f));
    ASSERT_TRUE(bob->Expect<Protocol::S_MOVE>(PacketId::S_MOVE));
    // Several save intervals fail meanwhile; a new login cannot be checked and is refused.
    auto carol = Connect();
    const auto refused = carol->LoginWith("carol", "secret");
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->success());
    EXPECT_EQ(refused->reason(), "service unavailable");
    std::this_thread::sleep_for(4 * kSaveInterval);
    ASSERT_TRUE(alice->Move(5.0f, 6.0f));
    ASSERT_TRUE(bob->Expect<Protocol::S_MOVE>(PacketId::S_MOVE));
    ASSERT_TRUE(alice->Send(PacketId::C_LEAVE_GAME, Protocol::C_LEAVE_GAME{}));
    ASSERT_TRUE(alice->Expect<Protocol::S_LEAVE_GAME>(PacketId::S_LEAVE_GAME));
    std::this_thread::sleep_for(2 * kSaveInterval);
    _postgres->Start();

    const auto db = store::OpenStore(DbUrl());
    EXPECT_TRUE(WaitUntil(
        [&] {
            const auto saved = db->LoadPlayerState(login->player_id());
            return saved && saved->roomId == 1 && saved->x == 5.0f && saved->y == 6.0f;
        },
        std::chrono::seconds(20)));
    // And logins work again.
    const auto later = carol->LoginWith("carol", "secret");
    ASSERT_TRUE(later && later->success()) << (later ? later->reason() : "");
}

INSTANTIATE_TEST_SUITE_P(Backends, GamePostgresOutageTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
