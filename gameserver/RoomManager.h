#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gameserver/GameLimits.h"
#include "gameserver/Room.h"
#include "jobs/JobsFwd.h"

namespace tavern::game {

// The rooms by room id. A room is made the first time someone enters it (up to
// GameLimits::maxRooms, and maxRoomsPerAddress made from one address) and destroyed once it has
// stayed empty for GameLimits::emptyRoomGrace with no entry on its way, so a room id names one
// actor at a time and a host cannot use the rooms up. The lock guards only the map and the
// counts, never a room's work.
class RoomManager : public std::enable_shared_from_this<RoomManager> {
public:
    RoomManager(SchedulerRef scheduler, GameLimits limits);

    // Safe from any thread. The room `id` with an entry reserved in it (Room::Enter takes it,
    // Room::CancelEntry gives it back), so that it is not reclaimed meanwhile; made on first use
    // if `mayCreate` (`created` says so), for a client at `address`. nullptr with `reason` set
    // when it would pass the cap on rooms or on that address's rooms, or may not be made.
    RoomRef Reserve(std::uint32_t id, const std::string& address, bool mayCreate, bool& created,
                    std::string& reason);
    // On `room`'s job queue: forgets it if it is empty with no entry reserved.
    void ReclaimIfIdle(const Room& room);
    // Safe from any thread. nullptr if no one ever entered room `id`.
    RoomRef Find(std::uint32_t id) const;

    // Before the first Reserve (a cluster node): every room made from now on gets a RoomLink
    // made by `makeLink` (RoomLink.h).
    using LinkMaker = std::function<std::unique_ptr<RoomLink>(Room&)>;
    void SetLinkMaker(LinkMaker makeLink) { _makeLink = std::move(makeLink); }

    // Safe from any thread.
    std::size_t RoomCount() const;
    // Safe from any thread: players in all rooms, as of the rooms' last finished requests.
    std::size_t PlayersInGame() const;
    // Safe from any thread: packets all rooms delivered, one per packet per recipient.
    std::uint64_t PacketsOut() const;

private:
    const SchedulerRef _scheduler;
    const GameLimits _limits;
    LinkMaker _makeLink;
    mutable std::mutex _lock;
    std::unordered_map<std::uint32_t, RoomRef> _rooms;
    std::unordered_map<std::string, std::size_t> _roomsByAddress;  // rooms alive, by creator
};

}  // namespace tavern::game
