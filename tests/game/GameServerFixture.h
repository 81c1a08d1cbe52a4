#pragma once

#include <memory>
#include <string>

#include "gameserver/GameServer.h"
#include "tests/game/GameTestClient.h"
#include "tests/support/Backends.h"

namespace tavern::test {

// A real GameServer on loopback, on the engine of the test's backend (BackendTest runs every
// test once per backend). TearDown stops the server before the engine.
class GameServerFixture : public BackendTest {
protected:
    void SetUp() override;
    void TearDown() override;
    // Override to change limits for one suite.
    virtual game::GameServerOptions Options() const;

    // A connected client (a failure is reported).
    std::unique_ptr<GameTestClient> Connect();
    // Connected and logged in as `name`.
    std::unique_ptr<GameTestClient> LoggedIn(const std::string& name);
    // Logged in as `name` and in `room`; S_ENTER_GAME is consumed.
    std::unique_ptr<GameTestClient> InRoom(const std::string& name, std::uint32_t room);

    // Waits until the server counts no session, no player and nobody in a room.
    bool WaitUntilEmpty();

    std::unique_ptr<game::GameServer> server;
};

}  // namespace tavern::test
