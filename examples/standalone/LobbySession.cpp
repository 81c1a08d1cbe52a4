#include "LobbySession.h"

#include "LobbyServerPackets.h"

namespace lobby {

tavern::HandlerResult LobbySession::Handle_C_JOIN(C_JOIN& pkt) {
    _room->DoAsync([room = _room, self = SharedPacketSession(), name = pkt.name()] {
        room->Join(self, name);
    });
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult LobbySession::Handle_C_SAY(C_SAY& pkt) {
    if (pkt.text().empty()) return tavern::HandlerResult::Violation("empty line");
    _room->DoAsync([room = _room, id = Id(), text = pkt.text()] { room->Say(id, text); });
    return tavern::HandlerResult::Handled();
}

void LobbySession::OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) {
    ServerPacketHandler::HandlePacket(*this, id, payload);
}

}  // namespace lobby
