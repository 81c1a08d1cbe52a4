#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/SendBuffer.h"
#include "gameserver/GameLimits.h"
#include "gameserver/Player.h"
#include "jobs/JobQueue.h"

namespace tavern::game {

class Room;
using RoomRef = std::shared_ptr<Room>;

// A room is an actor: its members and everything they do in it change only in jobs on its own
// queue, so it needs no lock. A broadcast serializes its packet once and Sends that one
// SendBuffer to every recipient; no lock is held while sending.
//
//   enter:  S_ENTER_GAME (the players already here) to the entrant, S_SPAWN to the others
//   chat:   S_CHAT to everyone, the sender included
//   move:   S_MOVE to everyone else
//   leave:  S_LEAVE_GAME to the leaver (unless it disconnected), S_DESPAWN to the others
class Room final : public JobQueue {
public:
    Room(std::uint32_t id, const SchedulerRef& scheduler, const GameLimits& limits);

    // Safe from any thread.
    std::uint32_t RoomId() const { return _id; }
    // Safe from any thread; exact once the room's queued requests have run.
    std::size_t MemberCount() const { return _memberCount.load(std::memory_order_relaxed); }

    // On this room's job queue (pushed by Player::PostRequest): runs `player`'s queued requests
    // for this room, in the order its session made them.
    void RunRequests(PlayerRef player);

private:
    // All on this room's job queue.
    void Enter(const PlayerRef& player);
    void Chat(const PlayerRef& player, std::string text);
    void Move(const PlayerRef& player, float x, float y);
    void Leave(const PlayerRef& player, bool notify);
    bool IsMember(std::uint64_t playerId) const { return _index.contains(playerId); }
    // Sends `buffer` to every member except `except` (0: nobody is left out).
    void Broadcast(const SendBufferRef& buffer, std::uint64_t except = 0) const;
    void Refuse(const PlayerRef& player, std::uint32_t requestId, std::string reason) const;

    const std::uint32_t _id;
    const GameLimits _limits;
    std::vector<PlayerRef> _members;                         // in arrival order, swap-removed
    std::unordered_map<std::uint64_t, std::size_t> _index;   // player id -> _members slot
    std::atomic<std::size_t> _memberCount{0};
};

}  // namespace tavern::game
