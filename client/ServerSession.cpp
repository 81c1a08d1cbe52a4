#include "client/ServerSession.h"

#include <utility>

namespace tavern::client {

ServerSession::ServerSession(std::shared_ptr<ServerListener> listener)
    : _listener(std::move(listener)) {}

void ServerSession::OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) {
    Protocol::ClientPacketHandler::HandlePacket(*this, id, payload);
}

}  // namespace tavern::client
