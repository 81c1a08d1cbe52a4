#pragma once

#include <memory>

#include "gameserver/ClusterLink.h"
#include "gameserver/GameLimits.h"
#include "gameserver/PlayerDirectory.h"
#include "gameserver/PlayerStateSink.h"
#include "gameserver/RemoteTakeover.h"
#include "gameserver/RoomManager.h"
#include "gameserver/SessionManager.h"

namespace tavern::game {

class AccountService;
class ResumeRegistry;

// What every GameSession of one GameServer shares. The server makes it and each session holds
// it, so a session that outlives a stopping server still finds its managers: no globals.
struct GameContext {
    GameLimits limits;
    std::shared_ptr<SessionManager> sessions;
    std::shared_ptr<RoomManager> rooms;
    std::shared_ptr<PlayerDirectory> directory;
    // Accounts and saved state; null without a database (any name logs in, nothing is saved).
    std::shared_ptr<AccountService> accounts;
    std::shared_ptr<PlayerStateSink> saves;  // the accounts' SaveScheduler, or null
    // The other nodes (gameserver --nats); null when this process runs alone.
    std::shared_ptr<ClusterLink> cluster;
    std::shared_ptr<ResumeRegistry> resumes;  // tokens and away players (seamless reconnect)
    // Ends an account's session on another node before a login here (null without a cluster).
    std::shared_ptr<RemoteTakeover> takeover;
};

}  // namespace tavern::game
