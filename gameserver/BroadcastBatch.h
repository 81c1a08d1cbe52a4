#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/SendBuffer.h"
#include "gameserver/Player.h"

namespace tavern::game {

// A room's chat and move packets of one broadcast tick, fanned out together. Each packet is
// serialized once, when it is added; at the flush the tick's packets are laid end to end in one
// SendBuffer that every member gets (a Send and, usually, one sendmsg per member per tick,
// instead of one per packet per member). A member some packet leaves out (the mover of an
// S_MOVE) gets a buffer of its own without it.
//
//   tick:    [S_CHAT a][S_MOVE b, not to b][S_CHAT c]
//   members: everyone else <- one shared buffer of all three
//            b             <- [S_CHAT a][S_CHAT c]
//
// Not thread-safe: it belongs to one room and is used on that room's job queue.
class BroadcastBatch {
public:
    // On the room's job queue: `packet` goes to every member but `except` (0: to everyone).
    void Add(SendBufferRef packet, std::uint64_t except);
    bool Empty() const { return _packets.empty(); }

    // On the room's job queue: sends what was added to `members`, in the order added, and
    // starts a new tick. Returns the packets delivered, one per packet per recipient.
    std::uint64_t Flush(const std::vector<PlayerRef>& members);

private:
    struct Pending {
        SendBufferRef packet;
        std::uint64_t except;
    };
    bool LeavesOut(std::uint64_t playerId) const;
    // The packets `playerId` gets (all of them for 0), laid end to end; nullptr if none.
    SendBufferRef Join(std::uint64_t playerId, std::size_t& count) const;

    std::vector<Pending> _packets;
    std::vector<std::uint64_t> _leftOut;  // sorted: every nonzero `except` of this tick
};

}  // namespace tavern::game
