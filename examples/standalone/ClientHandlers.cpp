// The client's handlers: print what the server said and tell main when the exchange is over.
#include <cstdio>
#include <future>

#include "LobbyClientPackets.h"

namespace lobby {

std::promise<void> gHeardEcho;  // main waits on it

bool Handle_S_JOINED(tavern::PacketSessionRef& session, S_JOINED& pkt) {
    std::printf("client: joined, %u member(s)\n", pkt.members());
    C_SAY say;
    say.set_text("hello from a standalone game");
    session->Send(ClientPacketHandler::MakeSendBuffer(say));
    return true;
}

bool Handle_S_SAID(tavern::PacketSessionRef& /*session*/, S_SAID& pkt) {
    std::printf("client: %s said \"%s\"\n", pkt.name().c_str(), pkt.text().c_str());
    gHeardEcho.set_value();
    return true;
}

}  // namespace lobby
