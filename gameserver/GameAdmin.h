#pragma once

#include <memory>
#include <system_error>

#include "admin/AdminServer.h"
#include "gameserver/GameServer.h"

namespace tavern::game {

// Not from a worker, after server.Start(): the admin endpoint for `server`, serving the
// engine's families (admin/EngineMetrics, packets named from the generated PacketId) and the
// game's (players, rooms, room members, room deliveries). Not ready until SetReady(true).
// nullptr with `error` set if it cannot listen. Stop it before stopping `server`.
std::unique_ptr<admin::AdminServer> StartGameAdmin(GameServer& server, admin::AdminOptions options,
                                                   std::error_code& error);

}  // namespace tavern::game
