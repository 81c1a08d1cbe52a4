#pragma once

#include <future>

#include "Lobby.pb.h"
#include "core/PacketSession.h"
#include "protocol/HandlerResult.h"

namespace lobby {

// The client's session: joins once connected, says one line once joined, and fulfils
// `heard` when that line comes back from the room.
class PlayerSession final : public tavern::PacketSession {
public:
    explicit PlayerSession(std::promise<void>& heard) : _heard(heard) {}

    tavern::HandlerResult Handle_S_JOINED(S_JOINED& pkt);
    tavern::HandlerResult Handle_S_SAID(S_SAID& pkt);

protected:
    void OnConnected() override;
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override;

private:
    std::promise<void>& _heard;
};

}  // namespace lobby
