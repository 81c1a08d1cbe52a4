#pragma once

#include <memory>

#include "gameserver/GameLimits.h"
#include "gameserver/RoomManager.h"
#include "gameserver/SessionManager.h"

namespace tavern::game {

// What every GameSession of one GameServer shares. The server makes it and each session holds
// it, so a session that outlives a stopping server still finds its managers: no globals.
struct GameContext {
    GameLimits limits;
    std::shared_ptr<SessionManager> sessions;
    std::shared_ptr<RoomManager> rooms;
};

}  // namespace tavern::game
