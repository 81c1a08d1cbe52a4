#pragma once

#include <memory>

#include "ClientPackets.h"
#include "client/ServerListener.h"
#include "core/PacketSession.h"

namespace tavern::client {

class ServerSession;
using ServerSessionRef = std::shared_ptr<ServerSession>;

// The client's connection to a game server. S_ packets run through the generated
// ClientPacketHandler into the Handle_S_* functions, which hand each parsed packet to this
// session's listener (on the session's job queue). The session owns its listener.
class ServerSession final : public PacketSession {
public:
    explicit ServerSession(std::shared_ptr<ServerListener> listener);

    // Safe from any thread: frames `pkt` and queues it for sending.
    template <class Packet>
    void SendPacket(const Packet& pkt) {
        Send(Protocol::ClientPacketHandler::MakeSendBuffer(pkt));
    }

    // Safe from any thread.
    ServerListener& Listener() const { return *_listener; }

protected:
    void OnConnected() override { _listener->OnConnected(*this); }
    void OnConnectFailed(std::error_code error) override {
        _listener->OnConnectFailed(*this, error);
    }
    void OnDisconnected() override { _listener->OnDisconnected(*this); }
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override;

private:
    const std::shared_ptr<ServerListener> _listener;
};

}  // namespace tavern::client
