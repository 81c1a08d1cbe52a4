// The server's two handlers: each runs on the session's job queue and passes the request on
// to the room's queue.
#include "LobbyRoom.h"
#include "LobbyServerPackets.h"

namespace lobby {

std::shared_ptr<LobbyRoom> gRoom;  // set by main before the server starts

bool Handle_C_JOIN(tavern::PacketSessionRef& session, C_JOIN& pkt) {
    gRoom->DoAsync([room = gRoom, session, name = pkt.name()] { room->Join(session, name); });
    return true;
}

bool Handle_C_SAY(tavern::PacketSessionRef& session, C_SAY& pkt) {
    gRoom->DoAsync([room = gRoom, id = session->Id(), text = pkt.text()] { room->Say(id, text); });
    return true;
}

}  // namespace lobby
