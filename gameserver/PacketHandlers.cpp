// The Handle_C_* functions the generated ServerPacketHandler dispatches to. Each runs on the
// session's job queue with the parsed packet and forwards it to the GameSession. They return
// true even for a refused request: a refusal is an answer (S_ERROR, success = false), and false
// would make the generated code cut the session off as a protocol error.
#include "ServerPackets.h"
#include "gameserver/GameSession.h"

namespace Protocol {

namespace {

// Every session of a GameServer's service is a GameSession (GameServer's factory makes them).
tavern::game::GameSession& Game(tavern::PacketSessionRef& session) {
    return static_cast<tavern::game::GameSession&>(*session);
}

}  // namespace

bool Handle_C_LOGIN(tavern::PacketSessionRef& session, C_LOGIN& pkt) {
    Game(session).Login(pkt);
    return true;
}

bool Handle_C_ENTER_GAME(tavern::PacketSessionRef& session, C_ENTER_GAME& pkt) {
    Game(session).EnterGame(pkt);
    return true;
}

bool Handle_C_CHAT(tavern::PacketSessionRef& session, C_CHAT& pkt) {
    Game(session).Chat(pkt);
    return true;
}

bool Handle_C_MOVE(tavern::PacketSessionRef& session, C_MOVE& pkt) {
    Game(session).Move(pkt);
    return true;
}

bool Handle_C_LEAVE_GAME(tavern::PacketSessionRef& session, C_LEAVE_GAME& /*pkt*/) {
    Game(session).LeaveGame();
    return true;
}

bool Handle_C_PING(tavern::PacketSessionRef& session, C_PING& pkt) {
    Game(session).Ping(pkt);
    return true;
}

}  // namespace Protocol
