#include "tests/game/GameServerFixture.h"

namespace tavern::test {

void GameServerFixture::SetUp() {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server = std::make_unique<game::GameServer>(Options(), core);
    ASSERT_FALSE(server->Start());
}

void GameServerFixture::TearDown() {
    if (server) server->Stop();
    BackendTest::TearDown();
    server.reset();
}

game::GameServerOptions GameServerFixture::Options() const {
    game::GameServerOptions options;
    options.address = NetAddress::Loopback(0);
    // A drop leaves at once, as these suites expect (others see S_DESPAWN); GameResumeTest and
    // the chaos run turn seamless reconnect on.
    options.limits.resumeWindow = std::chrono::milliseconds::zero();
    return options;
}

std::unique_ptr<GameTestClient> GameServerFixture::Connect() {
    auto client = std::make_unique<GameTestClient>();
    EXPECT_TRUE(client->Connect(server->LocalAddress()));
    return client;
}

std::unique_ptr<GameTestClient> GameServerFixture::LoggedIn(const std::string& name) {
    auto client = Connect();
    EXPECT_NE(client->Login(name), 0u);
    return client;
}

std::unique_ptr<GameTestClient> GameServerFixture::InRoom(const std::string& name,
                                                          std::uint32_t room) {
    auto client = LoggedIn(name);
    EXPECT_TRUE(client->Enter(room).has_value());
    return client;
}

bool GameServerFixture::WaitUntilEmpty() {
    return WaitUntil([&] {
        return server->Sessions().SessionCount() == 0 && server->Sessions().PlayerCount() == 0 &&
               server->Rooms().PlayersInGame() == 0;
    });
}

}  // namespace tavern::test
