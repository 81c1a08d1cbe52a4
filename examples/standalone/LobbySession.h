#pragma once

#include <memory>

#include "Lobby.pb.h"
#include "LobbyRoom.h"
#include "core/PacketSession.h"
#include "protocol/HandlerResult.h"

namespace lobby {

// The server's session. The generated dispatch (SESSION lobby::LobbySession) calls its two
// handlers, on this session's job queue; they pass the request on to the room's queue.
class LobbySession final : public tavern::PacketSession {
public:
    explicit LobbySession(std::shared_ptr<LobbyRoom> room) : _room(std::move(room)) {}

    tavern::HandlerResult Handle_C_JOIN(C_JOIN& pkt);
    tavern::HandlerResult Handle_C_SAY(C_SAY& pkt);

protected:
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override;

private:
    const std::shared_ptr<LobbyRoom> _room;
};

}  // namespace lobby
