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

// A room's packets waiting for the broadcast tick (chat, moves, spawns, despawns), fanned out
// together. Each packet is serialized once, when it is added; at a flush the packets a member
// has not had yet are laid end to end in one SendBuffer shared by every member it goes to (a
// Send and, usually, one sendmsg per member per tick, instead of one per packet per member). A
// member some packet leaves out (the mover of an S_MOVE, the entrant of an S_SPAWN), or that
// came in after the first of them, gets slices of that same buffer, never a copy: however many
// members move or arrive, a tick's packets are in memory once.
//
//   pending:  [S_CHAT a][S_MOVE b, not to b][S_SPAWN c, not to c][S_CHAT d]
//   members:  everyone else <- one shared buffer of all four
//             b             <- slices of it: [S_CHAT a] and [S_SPAWN c][S_CHAT d]
//             c (came in)   <- a slice of it: [S_CHAT d]
//
// Every member has its own cursor, the first packet it has not had: a member gets exactly what
// was added while it was there, in order, and nothing is flushed when someone enters or
// leaves (a leaver gets its share first, alone). Members are split into groups by their slot
// in the room's member list, and a flush serves one group: a crowded room spreads its fan-out
// over the tick (a group every tick / groups) instead of a burst of a thousand sends at once,
// which on a small machine would hold up every other session on the sending worker, and every
// receiving client, for milliseconds. A packet is dropped once every member has had it.
//
// Not thread-safe: it belongs to one room and is used on that room's job queue.
class BroadcastBatch {
public:
    // On the room's job queue: `packet` goes to every member but `except` (0: to everyone).
    void Add(SendBufferRef packet, std::uint64_t except);
    // True when no member has anything pending.
    bool Empty() const;

    // A member joined at the end of the member list: it gets what is added from now on.
    void AddMember();
    // The member in `slot` (of `members`, not yet changed) leaves: it is sent what it has not
    // had, then its slot is swap-removed, as the room's member list is.
    std::uint64_t RemoveMember(std::size_t slot, std::span<const PlayerRef> members);

    // The number of groups for a room of `members` members: one per `groupSize` (at least one,
    // at most `maxGroups`), and more if a group would pass `maxGroupMembers`. Any time.
    void Regroup(std::size_t members, std::size_t groupSize, std::size_t maxGroups,
                 std::size_t maxGroupMembers);
    std::size_t Groups() const { return _groups; }

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
    // Delivers to `player` the packets of `joined` (Join(from)) from sequence `cursor` on that
    // do not leave it out, as slices of it. Returns how many.
    std::uint64_t SendFrom(Player& player, const SendBufferRef& joined, std::uint64_t from,
                           std::uint64_t cursor) const;
    std::uint64_t End() const { return _base + _packets.size(); }
    void DropSentByAll();

    std::deque<Pending> _packets;
    std::uint64_t _base = 0;               // sequence number of _packets.front()
    std::vector<std::uint64_t> _cursors;   // per member slot: the first sequence not yet sent
    std::size_t _groups = 1;
};

}  // namespace tavern::game
