#pragma once

#include <memory>

#include "ClientPackets.h"
#include "client/ServerListener.h"
#include "core/PacketSession.h"

namespace tavern::client {

class ResumeLink;
class ServerSession;
using ServerSessionRef = std::shared_ptr<ServerSession>;

// The client's connection to a game server. S_ packets run through the generated
// ClientPacketHandler into the Handle_S_* functions, which hand each parsed packet to this
// session's listener (on the session's job queue). The session owns its listener.
//
// With a ResumeLink, the session is one connection of a longer stream: the link counts its
// packets both ways, and when the connection drops it connects a new session for the same
// listener and resumes (the listener's OnResumed), or logs in afresh (its OnConnected again).
class ServerSession final : public PacketSession {
public:
    explicit ServerSession(std::shared_ptr<ServerListener> listener,
                           std::shared_ptr<ResumeLink> link = nullptr);

    // Safe from any thread: frames `pkt` and queues it for sending.
    template <class Packet>
    void SendPacket(const Packet& pkt) {
        SendPacketBuffer(Protocol::ClientPacketHandler::MakeSendBuffer(pkt));
    }
    // Safe from any thread: one framed packet (through the link, if any).
    void SendPacketBuffer(SendBufferRef packet);

    // Safe from any thread.
    ServerListener& Listener() const { return *_listener; }
    const std::shared_ptr<ResumeLink>& Link() const { return _link; }
    // On the job queue, in OnDisconnected: whether the link is reconnecting.
    bool Reconnecting() const { return _reconnecting; }

protected:
    void OnConnected() override;
    void OnConnectFailed(std::error_code error) override;
    void OnDisconnected() override;
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override;

private:
    const std::shared_ptr<ServerListener> _listener;
    const std::shared_ptr<ResumeLink> _link;
    bool _reconnecting = false;  // on the job queue
};

}  // namespace tavern::client
