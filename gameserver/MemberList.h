#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/PacketHeader.h"
#include "core/SendBuffer.h"
#include "gameserver/Player.h"

namespace tavern::game {

// A room's member list for an entrant: an S_ENTER_GAME with the first players, then S_SPAWNs
// with the rest. Packets are split by their encoded size (and at most `playersPerPacket`
// players each), never by count alone: with long names a few hundred players already pass the
// wire format's 64 KiB, and a packet that cannot be built would leave the entrant unanswered.
// On the room's job queue (it reads the members' positions).
std::vector<SendBufferRef> MemberListPackets(std::span<const PlayerRef> members,
                                             std::size_t playersPerPacket,
                                             std::size_t maxPacketBytes = kMaxWirePacketSize);

}  // namespace tavern::game
