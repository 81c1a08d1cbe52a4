#include "PlayerSession.h"

#include <cstdio>

#include "LobbyClientPackets.h"

namespace lobby {

void PlayerSession::OnConnected() {
    C_JOIN join;
    join.set_name("ada");
    Send(ClientPacketHandler::MakeSendBuffer(join));
}

tavern::HandlerResult PlayerSession::Handle_S_JOINED(S_JOINED& pkt) {
    std::printf("client: joined, %u member(s)\n", pkt.members());
    C_SAY say;
    say.set_text("hello from a standalone game");
    Send(ClientPacketHandler::MakeSendBuffer(say));
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult PlayerSession::Handle_S_SAID(S_SAID& pkt) {
    std::printf("client: %s said \"%s\"\n", pkt.name().c_str(), pkt.text().c_str());
    _heard.set_value();
    return tavern::HandlerResult::Handled();
}

void PlayerSession::OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) {
    ClientPacketHandler::HandlePacket(*this, id, payload);
}

}  // namespace lobby
