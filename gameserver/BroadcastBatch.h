#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "core/SendBuffer.h"
#include "gameserver/Player.h"

namespace tavern::game {

class GameSession;

// A room's chat and move packets waiting for the broadcast tick, fanned out together. Each
// packet is serialized once, when it is added; at a flush the packets a member has not had yet
// are laid end to end in one SendBuffer shared by every member it goes to (a Send and, usually,
// one sendmsg per member per tick, instead of one per packet per member). A member some packet
// leaves out (the mover of an S_MOVE) gets slices of that same buffer around it, not a copy:
// however many members move, a tick's packets are in memory once.
//
//   pending: [S_CHAT a][S_MOVE b, not to b][S_CHAT c]
//   members: everyone else <- one shared buffer of all three
//            b             <- two slices of it: [S_CHAT a] and [S_CHAT c]
//
// Members are split into groups by their slot in the room's member list, and a flush serves
// one group: a crowded room spreads its fan-out over the tick (a group every tick / groups)
// instead of a burst of a thousand sends at once, which on a small machine would hold up every
// other session on the sending worker, and every receiving client, for milliseconds. Each
// group has its own cursor into the pending packets; a packet is dropped once every group has
// had it. The grouping may change only when nothing is pending (FlushAll first), so a member
// moving to another slot or group never skips or repeats a packet.
//
// Not thread-safe: it belongs to one room and is used on that room's job queue.
class BroadcastBatch {
public:
    // On the room's job queue: `packet` goes to every member but `except` (0: to everyone).
    void Add(SendBufferRef packet, std::uint64_t except);
    // True when no group has anything pending.
    bool Empty() const;

    // The number of groups for a room of `members` members: one per `groupSize` (at least
    // one, at most `maxGroups`). Only when Empty().
    void Regroup(std::size_t members, std::size_t groupSize, std::size_t maxGroups);
    std::size_t Groups() const { return _sent.size(); }

    // Sends group `group`'s pending packets to its members (its share of `members`), in the
    // order added. Returns the packets delivered, one per packet per recipient.
    std::uint64_t FlushGroup(std::size_t group, std::span<const PlayerRef> members);
    // Every group's pending packets: afterwards Empty().
    std::uint64_t FlushAll(std::span<const PlayerRef> members);

private:
    struct Pending {
        SendBufferRef packet;
        std::uint64_t except;
    };
    // The packets from sequence `from` on, laid end to end; nullptr if none.
    SendBufferRef Join(std::uint64_t from) const;
    // Sends `session` the packets of `joined` (Join(from)) that do not leave `playerId` out,
    // as slices of it. Returns how many.
    std::uint64_t SendWithout(GameSession& session, const SendBufferRef& joined,
                              std::uint64_t from, std::uint64_t playerId) const;
    std::uint64_t End() const { return _base + _packets.size(); }
    void DropSentByAll();

    std::deque<Pending> _packets;
    std::uint64_t _base = 0;                  // sequence number of _packets.front()
    std::vector<std::uint64_t> _sent{0};      // per group: the first sequence not yet sent
};

}  // namespace tavern::game
