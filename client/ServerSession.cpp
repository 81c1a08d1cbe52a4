#include "client/ServerSession.h"

#include <utility>

#include "client/ResumeLink.h"

namespace tavern::client {

ServerSession::ServerSession(std::shared_ptr<ServerListener> listener,
                             std::shared_ptr<ResumeLink> link)
    : _listener(std::move(listener)), _link(std::move(link)) {}

void ServerSession::SendPacketBuffer(SendBufferRef packet) {
    if (_link && !_link->OnSend(*this, packet)) return;
    Send(std::move(packet));
}

void ServerSession::OnConnected() {
    if (_link && _link->OnConnected(*this)) return;  // resuming: the listener hears OnResumed
    _listener->OnConnected(*this);
}

void ServerSession::OnConnectFailed(std::error_code error) {
    if (_link && _link->OnConnectFailed()) return;  // another attempt follows
    _listener->OnConnectFailed(*this, error);
}

void ServerSession::OnDisconnected() {
    if (_link) {
        const auto ended = _link->OnDisconnected(*this);
        if (ended == ResumeLink::Ended::Abandoned) return;  // a newer connection took over
        _reconnecting = ended == ResumeLink::Ended::Reconnecting;
    }
    _listener->OnDisconnected(*this);
}

void ServerSession::OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) {
    if (_link) {
        std::uint64_t resent = 0;
        switch (_link->OnPacket(*this, id, payload, resent)) {
            case ResumeLink::Outcome::Resumed:
                return _listener->OnResumed(*this, resent);
            case ResumeLink::Outcome::Refused:
                return _listener->OnConnected(*this);  // "resume expired": log in afresh
            case ResumeLink::Outcome::Ignore:
                return;
            case ResumeLink::Outcome::Pass:
                break;
        }
    }
    Protocol::ClientPacketHandler::HandlePacket(*this, id, payload);
}

}  // namespace tavern::client
