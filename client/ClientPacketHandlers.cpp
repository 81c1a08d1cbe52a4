// The Handle_S_* functions the generated ClientPacketHandler dispatches to: each passes the
// parsed packet to the session's listener, on the session's job queue.
#include "ClientPackets.h"
#include "client/ServerSession.h"

namespace Protocol {

namespace {

// Every session that dispatches through ClientPacketHandler is a ServerSession.
tavern::client::ServerSession& Server(tavern::PacketSessionRef& session) {
    return static_cast<tavern::client::ServerSession&>(*session);
}

}  // namespace

bool Handle_S_LOGIN(tavern::PacketSessionRef& session, S_LOGIN& pkt) {
    Server(session).Listener().OnLogin(Server(session), pkt);
    return true;
}

bool Handle_S_ENTER_GAME(tavern::PacketSessionRef& session, S_ENTER_GAME& pkt) {
    Server(session).Listener().OnEnterGame(Server(session), pkt);
    return true;
}

bool Handle_S_SPAWN(tavern::PacketSessionRef& session, S_SPAWN& pkt) {
    Server(session).Listener().OnSpawn(Server(session), pkt);
    return true;
}

bool Handle_S_CHAT(tavern::PacketSessionRef& session, S_CHAT& pkt) {
    Server(session).Listener().OnChat(Server(session), pkt);
    return true;
}

bool Handle_S_MOVE(tavern::PacketSessionRef& session, S_MOVE& pkt) {
    Server(session).Listener().OnMove(Server(session), pkt);
    return true;
}

bool Handle_S_LEAVE_GAME(tavern::PacketSessionRef& session, S_LEAVE_GAME& pkt) {
    Server(session).Listener().OnLeaveGame(Server(session), pkt);
    return true;
}

bool Handle_S_DESPAWN(tavern::PacketSessionRef& session, S_DESPAWN& pkt) {
    Server(session).Listener().OnDespawn(Server(session), pkt);
    return true;
}

bool Handle_S_PONG(tavern::PacketSessionRef& session, S_PONG& pkt) {
    Server(session).Listener().OnPong(Server(session), pkt);
    return true;
}

bool Handle_S_ERROR(tavern::PacketSessionRef& session, S_ERROR& pkt) {
    Server(session).Listener().OnError(Server(session), pkt);
    return true;
}

bool Handle_S_KICKED(tavern::PacketSessionRef& session, S_KICKED& pkt) {
    Server(session).Listener().OnKicked(Server(session), pkt);
    return true;
}

}  // namespace Protocol
