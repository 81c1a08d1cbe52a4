#pragma once

#include <cstdint>
#include <system_error>

#include "Protocol.pb.h"

namespace tavern::client {

class ServerSession;

// What a client does with the server's packets. A ServerSession calls these on its job queue,
// one at a time and in arrival order, so an implementation needs no lock for state that only
// these calls touch. Every method has a default that ignores the event.
class ServerListener {
public:
    virtual ~ServerListener() = default;

    virtual void OnConnected(ServerSession& /*session*/) {}
    virtual void OnConnectFailed(ServerSession& /*session*/, std::error_code /*error*/) {}
    virtual void OnDisconnected(ServerSession& /*session*/) {}
    // A reconnect (ResumeLink) resumed the player on `session`, a new connection: it is still
    // in its room, what the server sent meanwhile follows, and `resent` of this client's own
    // packets the server had not handled were sent again. Timers of the old session are gone.
    virtual void OnResumed(ServerSession& /*session*/, std::uint64_t /*resent*/) {}

    virtual void OnLogin(ServerSession& /*session*/, Protocol::S_LOGIN& /*pkt*/) {}
    virtual void OnEnterGame(ServerSession& /*session*/, Protocol::S_ENTER_GAME& /*pkt*/) {}
    virtual void OnSpawn(ServerSession& /*session*/, Protocol::S_SPAWN& /*pkt*/) {}
    virtual void OnChat(ServerSession& /*session*/, Protocol::S_CHAT& /*pkt*/) {}
    virtual void OnMove(ServerSession& /*session*/, Protocol::S_MOVE& /*pkt*/) {}
    virtual void OnLeaveGame(ServerSession& /*session*/, Protocol::S_LEAVE_GAME& /*pkt*/) {}
    virtual void OnDespawn(ServerSession& /*session*/, Protocol::S_DESPAWN& /*pkt*/) {}
    virtual void OnPong(ServerSession& /*session*/, Protocol::S_PONG& /*pkt*/) {}
    virtual void OnError(ServerSession& /*session*/, Protocol::S_ERROR& /*pkt*/) {}
    // A newer login to the same account took over; the server closes this connection next.
    virtual void OnKicked(ServerSession& /*session*/, Protocol::S_KICKED& /*pkt*/) {}
    // A player (on any node) whispered to this one.
    virtual void OnWhisper(ServerSession& /*session*/, Protocol::S_WHISPER& /*pkt*/) {}
};

}  // namespace tavern::client
