#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gameserver/GameLimits.h"
#include "gameserver/Room.h"
#include "jobs/JobsFwd.h"

namespace tavern::game {

// The rooms by room id. A room is made the first time someone enters it and then kept for the
// server's lifetime (up to GameLimits::maxRooms), so a room id always names the same actor.
// The lock guards only the map, never a room's work.
class RoomManager {
public:
    RoomManager(SchedulerRef scheduler, GameLimits limits);

    // Safe from any thread. The room `id`, made on first use; nullptr with `reason` set when
    // making it would pass the cap on rooms.
    RoomRef FindOrCreate(std::uint32_t id, std::string& reason);
    // Safe from any thread. nullptr if no one ever entered room `id`.
    RoomRef Find(std::uint32_t id) const;

    // Safe from any thread.
    std::size_t RoomCount() const;
    // Safe from any thread: players in all rooms, as of the rooms' last finished requests.
    std::size_t PlayersInGame() const;
    // Safe from any thread: packets all rooms delivered, one per packet per recipient.
    std::uint64_t PacketsOut() const;

private:
    const SchedulerRef _scheduler;
    const GameLimits _limits;
    mutable std::mutex _lock;
    std::unordered_map<std::uint32_t, RoomRef> _rooms;
};

}  // namespace tavern::game
