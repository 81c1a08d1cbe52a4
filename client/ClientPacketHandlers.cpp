// The Handle_S_* functions the generated ClientPacketHandler dispatches to: each passes the
// parsed packet to the session's listener, on the session's job queue.
#include "ClientPackets.h"
#include "client/ServerSession.h"

namespace Protocol {

tavern::HandlerResult Handle_S_LOGIN(tavern::client::ServerSession& session, S_LOGIN& pkt) {
    session.Listener().OnLogin(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_ENTER_GAME(tavern::client::ServerSession& session, S_ENTER_GAME& pkt) {
    session.Listener().OnEnterGame(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_SPAWN(tavern::client::ServerSession& session, S_SPAWN& pkt) {
    session.Listener().OnSpawn(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_CHAT(tavern::client::ServerSession& session, S_CHAT& pkt) {
    session.Listener().OnChat(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_MOVE(tavern::client::ServerSession& session, S_MOVE& pkt) {
    session.Listener().OnMove(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_LEAVE_GAME(tavern::client::ServerSession& session, S_LEAVE_GAME& pkt) {
    session.Listener().OnLeaveGame(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_DESPAWN(tavern::client::ServerSession& session, S_DESPAWN& pkt) {
    session.Listener().OnDespawn(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_PONG(tavern::client::ServerSession& session, S_PONG& pkt) {
    session.Listener().OnPong(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_ERROR(tavern::client::ServerSession& session, S_ERROR& pkt) {
    session.Listener().OnError(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_KICKED(tavern::client::ServerSession& session, S_KICKED& pkt) {
    session.Listener().OnKicked(session, pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_S_WHISPER(tavern::client::ServerSession& session, S_WHISPER& pkt) {
    session.Listener().OnWhisper(session, pkt);
    return tavern::HandlerResult::Handled();
}

}  // namespace Protocol
