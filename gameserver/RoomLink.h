#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/SendBuffer.h"
#include "gameserver/Player.h"

namespace tavern::game {

// A player's request to a room, as the room's cluster side sees it when it passes the request
// on (to the owner on another node) or holds it (until the owner is known).
struct RoomCall {
    enum class Kind : std::uint8_t { Enter, Chat, Move, Leave };
    Kind kind = Kind::Enter;
    PlayerRef player;
    std::string text;    // Chat
    float x = 0;         // Move
    float y = 0;         // Move
    bool notify = true;  // Leave

    static RoomCall Enter(PlayerRef player) { return Make(Kind::Enter, std::move(player)); }
    static RoomCall Chat(PlayerRef player, std::string text) {
        RoomCall call = Make(Kind::Chat, std::move(player));
        call.text = std::move(text);
        return call;
    }
    static RoomCall Move(PlayerRef player, float x, float y) {
        RoomCall call = Make(Kind::Move, std::move(player));
        call.x = x;
        call.y = y;
        return call;
    }
    static RoomCall Leave(PlayerRef player, bool notify) {
        RoomCall call = Make(Kind::Leave, std::move(player));
        call.notify = notify;
        return call;
    }

private:
    static RoomCall Make(Kind kind, PlayerRef player) {
        RoomCall call;
        call.kind = kind;
        call.player = std::move(player);
        return call;
    }
};

// A room's side in a cluster (gameserver --nats): which node owns the room, and the traffic
// with the other nodes. Without a cluster a room has none. The one implementation is
// ClusterRoom (on the bus; Linux only). Every method runs on the room's job queue.
//
// On the owner the room runs as alone, with the players of other nodes as "ghosts" (members
// whose packets go to their node, not to a session); on any other node the room is a stand-in
// whose requests go to the owner and which fans the owner's ticks out to its own members.
class RoomLink {
public:
    virtual ~RoomLink() = default;

    // Once, first thing on the room's queue: joins the room's ownership (claims or finds it).
    virtual void Start() = 0;
    // Whether this node does not run the room's requests itself (not the owner, or not yet).
    virtual bool Diverts() const = 0;
    // Only when Diverts(): the request goes to the owner, waits for it to be known, or is
    // refused (the bus is away).
    virtual void Divert(RoomCall call) = 0;

    // On the owner: a packet of the tick for the members of other nodes.
    virtual void Broadcast(const SendBufferRef& packet, std::uint64_t except) = 0;
    // On the owner: packets for the ghost `player` alone (sent to its node). With `entered`
    // set, they are its member list and it is a member from now on.
    virtual void Direct(const Player& player, std::vector<SendBufferRef> packets, bool entered) = 0;
    // Whether `player` is a ghost of this room: a player of another node, run here.
    virtual bool IsGhost(const Player& player) const = 0;
    // On the owner: a member (local or ghost) entered / left; the other nodes learn it.
    virtual void Joined(const Player& player) = 0;
    virtual void Left(const Player& player) = 0;
};

}  // namespace tavern::game
