#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/Transport.h"
#include "core/ws/WslayLink.h"

namespace tavern::ws {

// The client side of one WebSocket connection: sends the upgrade request for `path` when the
// socket connects, checks the 101 answer's Sec-WebSocket-Accept, and only then lets the session
// start (OnConnected). Every packet the session sends is copied once into a masked frame of its
// own (a client's frames must be masked: RFC 6455 5.3), held back until the handshake is
// answered if the session sends before that; what the server sends is parsed with wslay, each
// binary message one packet.
class WsClientTransport final : public Transport {
public:
    WsClientTransport(std::string host, std::string path);

    void Started(Session& session) override;
    void Received(Session& session, std::span<const std::byte> bytes) override;
    void PeerClosed(Session& session) override;
    SendBufferRef Encode(SendBufferRef buffer) override;

private:
    enum class State : std::uint8_t { Head, Open, Done };

    void FeedFrames(Session& session, std::span<const std::byte> bytes);

    std::string _host;
    std::string _path;
    std::string _key;
    State _state = State::Head;
    std::string _head;
    std::optional<WslayLink> _link;
    std::vector<std::byte> _packets;
    std::string _badMessage;
    // Frames sent before the handshake completed: they follow the request, once it is answered.
    std::mutex _pendingLock;
    bool _open = false;                    // under _pendingLock
    std::vector<SendBufferRef> _pending;   // under _pendingLock
};

}  // namespace tavern::ws
