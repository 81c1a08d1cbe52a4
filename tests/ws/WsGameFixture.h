#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/ws/WebSocket.h"
#include "tests/game/GameServerFixture.h"
#include "tests/ws/WsPlayer.h"

namespace tavern::test {

// A GameServer with a WebSocket listener beside its TCP one (once per backend), serving a page
// folder the fixture writes (index.html, app.js, app.css). Two bystanders, a TCP player and a
// WebSocket player in room 1, show that one client's bad input ends only that client.
class WsGameFixture : public GameServerFixture {
protected:
    WsGameFixture();
    ~WsGameFixture() override;
    game::GameServerOptions Options() const override;

    NetAddress WsAddress() const { return *server->WsLocalAddress(); }
    const ws::WsCounters& WsCounts() const { return server->WsTransport()->Counters(); }
    ServiceCounters& WsServiceCounts() { return server->WsService()->Counters(); }
    // A raw WebSocket test client, connected (not upgraded).
    std::unique_ptr<WsTestClient> RawWs();
    std::unique_ptr<WsPlayer> WsInRoom(const std::string& name, std::uint32_t room);

    // The TCP and the WebSocket bystander enter room 1, each seeing the other.
    void StartBystanders();
    // Both chat, and both hear both lines.
    void ExpectBystandersCarryOn();

    std::filesystem::path webRoot;
    std::unique_ptr<GameTestClient> tcpBystander;
    std::unique_ptr<WsPlayer> wsBystander;
};

}  // namespace tavern::test
