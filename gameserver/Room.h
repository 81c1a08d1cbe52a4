#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/SendBuffer.h"
#include "gameserver/BroadcastBatch.h"
#include "gameserver/GameLimits.h"
#include "gameserver/Player.h"
#include "gameserver/RoomLink.h"
#include "jobs/JobQueue.h"

namespace tavern::game {

class Room;
class RoomManager;
using RoomRef = std::shared_ptr<Room>;

// A room is an actor: its members and everything they do in it change only in jobs on its own
// queue, so it needs no lock. A broadcast serializes its packet once and Sends that one
// SendBuffer to every recipient; no lock is held while sending.
//
// Chat, moves, spawns and despawns are fanned out once per broadcast tick
// (GameLimits::broadcastTick; 0 sends at once): the tick's packets travel as one buffer per
// member (BroadcastBatch), which turns a crowded room's flood of small sends into one send per
// member per tick, however many enter, leave, chat or move. A crowded room splits its members
// into groups (GameLimits::broadcastGroupSize members each, at most broadcastGroups, and never
// more than broadcastMaxGroupMembers in one) flushed in turn, a group every tick / groups, so
// its fan-out is spread over the tick rather than one burst. Every member gets exactly what was
// said while it was there, in order: an entrant from its entry on, a leaver up to its leaving.
//
//   enter:  S_ENTER_GAME (the players already here) to the entrant at once, S_SPAWN to the
//           others on the tick
//   chat:   S_CHAT to everyone, the sender included
//   move:   S_MOVE to everyone else
//   leave:  S_LEAVE_GAME to the leaver (unless it disconnected), S_DESPAWN to the others on
//           the tick
class Room final : public JobQueue {
public:
    // `manager` is told when the room has stayed empty for the grace period; `creator` is the
    // address of the client that made it.
    Room(std::uint32_t id, const SchedulerRef& scheduler, const GameLimits& limits,
         std::weak_ptr<RoomManager> manager = {}, std::string creator = {});

    // Safe from any thread.
    std::uint32_t RoomId() const { return _id; }
    // Safe from any thread; exact once the room's queued requests have run.
    std::size_t MemberCount() const { return _memberCount.load(std::memory_order_relaxed); }
    const std::string& Creator() const { return _creator; }
    // Safe from any thread: entries on their way (RoomManager::Reserve), not yet run. A room
    // with one is not reclaimed.
    void ReserveEntry() { _reserved.fetch_add(1, std::memory_order_relaxed); }
    std::size_t ReservedEntries() const { return _reserved.load(std::memory_order_relaxed); }
    // Safe from any thread: gives back a reserved entry that will not be made.
    void CancelEntry();

    // On this room's job queue (pushed by Player::PostRequest): runs `player`'s queued requests
    // for this room, in the order its session made them.
    void RunRequests(PlayerRef player);

    // Safe from any thread: packets this room delivered, one per packet per recipient.
    std::uint64_t PacketsOut() const { return _packetsOut.load(std::memory_order_relaxed); }

    // Before the room is shared (RoomManager::Reserve): its side in a cluster, started as the
    // room's first job (RoomLink.h). Without a cluster a room has none.
    void AttachLink(std::unique_ptr<RoomLink> link);
    // On this room's job queue: its cluster side, or nullptr.
    RoomLink* Link() const { return _link.get(); }

private:
    friend class ClusterRoom;  // the cluster side moves members in and out (RoomRemote.cpp)

    // All on this room's job queue.
    void Enter(const PlayerRef& player);
    void Chat(const PlayerRef& player, std::string text);
    void Move(const PlayerRef& player, float x, float y);
    void Leave(const PlayerRef& player, bool notify);
    bool IsMember(std::uint64_t playerId) const {
        return _index.contains(playerId) || _ghosts.contains(playerId);
    }
    // The cluster side (RoomRemote.cpp), all on this room's job queue.
    bool Diverted(RoomCall&& call);  // true: the link took it (not the owner here)
    void Replay(RoomCall call);       // runs a call the link held, here (now the owner)
    bool IsGhost(const PlayerRef& player) const;
    void DeliverTo(const PlayerRef& player, SendBufferRef buffer) const;
    std::vector<PlayerRef> Everyone() const;  // members and ghosts
    void AddMember(const PlayerRef& player);
    bool RemoveMember(std::uint64_t playerId);  // sends it its share of the tick first
    void AddGhost(const PlayerRef& player);
    bool RemoveGhost(std::uint64_t playerId);
    // Adds `buffer` to this tick's batch (or sends it now when there is no tick).
    void BroadcastOnTick(SendBufferRef buffer, std::uint64_t except);
    Clock::duration GroupInterval() const;
    void FlushTick();  // the next group's turn
    void Flush();      // every group, now
    void Regroup();
    void Refuse(const PlayerRef& player, std::uint32_t requestId, std::string reason) const;
    void ArmReclaim();  // if empty: asks the manager to reclaim it after the grace period
    void ReclaimIfIdle();

    const std::uint32_t _id;
    const GameLimits _limits;
    const std::weak_ptr<RoomManager> _manager;
    const std::string _creator;
    std::atomic<std::size_t> _reserved{0};
    std::vector<PlayerRef> _members;                        // in arrival order, swap-removed
    std::unordered_map<std::uint64_t, std::size_t> _index;  // player id -> _members slot
    std::atomic<std::size_t> _memberCount{0};
    BroadcastBatch _batch;
    bool _flushScheduled = false;
    std::size_t _nextGroup = 0;
    std::atomic<std::uint64_t> _packetsOut{0};
    // In a cluster (on this room's job queue): the link, and on the owner the players of
    // other nodes (ghosts: their packets go to their node through the link).
    std::unique_ptr<RoomLink> _link;
    std::unordered_map<std::uint64_t, PlayerRef> _ghosts;
    bool _replaying = false;  // running a call the link held: not diverted again
};

}  // namespace tavern::game
