// The Handle_C_* functions the generated ServerPacketHandler dispatches to. Each runs on the
// session's job queue with the parsed packet and forwards it to the GameSession. They answer
// Handled even for a refused request: a refusal is an answer (S_ERROR, success = false), while
// a Violation would cut the session off as a protocol error.
#include "ServerPackets.h"
#include "gameserver/GameSession.h"
#include "gameserver/WhisperService.h"

namespace Protocol {

tavern::HandlerResult Handle_C_LOGIN(tavern::game::GameSession& session, C_LOGIN& pkt) {
    session.Login(pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_ENTER_GAME(tavern::game::GameSession& session, C_ENTER_GAME& pkt) {
    session.EnterGame(pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_CHAT(tavern::game::GameSession& session, C_CHAT& pkt) {
    session.Chat(pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_MOVE(tavern::game::GameSession& session, C_MOVE& pkt) {
    session.Move(pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_LEAVE_GAME(tavern::game::GameSession& session, C_LEAVE_GAME& /*pkt*/) {
    session.LeaveGame();
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_PING(tavern::game::GameSession& session, C_PING& pkt) {
    session.Ping(pkt);
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_WHISPER(tavern::game::GameSession& session, C_WHISPER& pkt) {
    tavern::game::WhisperService::Handle(session, pkt);
    return tavern::HandlerResult::Handled();
}

}  // namespace Protocol
