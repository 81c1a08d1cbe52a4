#pragma once

#include <chrono>
#include <cstddef>

namespace tavern::game {

// What one client may ask of the server. A request past a limit gets a refusal (S_LOGIN /
// S_ENTER_GAME with success = false, or S_ERROR), never a disconnect: it is a valid packet.
struct GameLimits {
    std::size_t maxNameBytes = 32;
    std::size_t maxChatBytes = 512;
    // Rooms are made on first entry and destroyed once they have stayed empty for
    // emptyRoomGrace; the cap stops clients from making four billion.
    std::size_t maxRooms = 10000;
    std::chrono::milliseconds emptyRoomGrace{10000};
    // Rooms alive that clients from one address made: one host cannot take every room.
    std::size_t maxRoomsPerAddress = 100;
    // Per session: rooms it may make (a second, with a burst), and rooms it may enter.
    double roomCreatesPerSecond = 1;
    double roomCreateBurst = 5;
    double roomEntersPerSecond = 4;
    double roomEnterBurst = 10;
    std::size_t maxPlayersPerRoom = 5000;
    // S_ENTER_GAME lists at most this many players; the rest follow in S_SPAWN packets of the
    // same size, so a crowded room never needs a packet over the wire format's 64 KiB.
    std::size_t playersPerPacket = 400;
    // Chat and moves reach the room once per tick, batched (see Room); 0: each at once. A tick
    // adds at most this much to a chat line's delay and never delays a ping.
    std::chrono::milliseconds broadcastTick{20};
    // A crowded room flushes its tick to one group of members at a time (a group per
    // broadcastGroupSize members, at most broadcastGroups groups), a group every
    // broadcastTick / groups: the fan-out is spread over the tick instead of bursting.
    std::size_t broadcastGroupSize = 32;
    std::size_t broadcastGroups = 8;  // 1: every member at once
    // ... and more groups than that when one would pass this many members: one flush never
    // holds a worker for more than about this many sends.
    std::size_t broadcastMaxGroupMembers = 128;
    // Seamless reconnect (ResumeRegistry): a connection that ends without C_LEAVE_GAME leaves
    // its player in its room, away, for resumeWindow (0: no resume, a drop leaves at once); what
    // is sent to it meanwhile is kept up to resumeBuffer packet bytes, past which it leaves.
    // The same bound covers the recent packets kept while connected.
    std::chrono::milliseconds resumeWindow{30000};
    std::size_t resumeBuffer = 256 * 1024;
};

}  // namespace tavern::game
