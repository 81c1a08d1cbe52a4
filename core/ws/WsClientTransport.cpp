#include "core/ws/WsClientTransport.h"

#include "core/PacketHeader.h"
#include "core/Session.h"
#include "core/ws/HttpHead.h"
#include "core/ws/WsFrame.h"
#include "core/ws/WsHandshake.h"

namespace tavern::ws {

namespace {
constexpr std::size_t kMaxResponseHead = 8192;
}

WsClientTransport::WsClientTransport(std::string host, std::string path)
    : _host(std::move(host)), _path(std::move(path)), _key(WsHandshake::NewKey()) {}

void WsClientTransport::Started(Session& session) {
    const std::string request = "GET " + _path + " HTTP/1.1\r\nHost: " + _host +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: " + _key +
                                "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    session.SendFramed(
        SendBuffer::Copy({reinterpret_cast<const std::byte*>(request.data()), request.size()}));
}

void WsClientTransport::Received(Session& session, std::span<const std::byte> bytes) {
    if (_state == State::Open) return FeedFrames(session, bytes);
    if (_state == State::Done) return;
    const std::size_t before = _head.size();
    _head.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const std::size_t end = _head.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
    if (end == std::string::npos) {
        if (_head.size() > kMaxResponseHead) {
            _state = State::Done;
            session.TransportConnectFailed("answer head over " +
                                           std::to_string(kMaxResponseHead) + " bytes");
        }
        return;
    }
    const std::size_t headEnd = end + 4;
    const auto response = HttpHead::ParseResponse(std::string_view(_head).substr(0, headEnd));
    const std::span<const std::byte> rest = bytes.subspan(headEnd - before);
    std::string().swap(_head);
    if (!response || response->status != 101 ||
        response->Header("sec-websocket-accept") != WsHandshake::AcceptKey(_key)) {
        _state = State::Done;
        return session.TransportConnectFailed(
            response ? "the server answered HTTP " + std::to_string(response->status) +
                           (response->status == 101 ? " with a wrong Sec-WebSocket-Accept" : "")
                     : std::string("a malformed HTTP answer"));
    }
    _link.emplace(false, session.TransportMessageLimit(),
                  [this](std::uint8_t opcode, std::span<const std::byte> message) {
                      if (!_badMessage.empty() || opcode != WslayLink::kBinary) return;
                      if (message.size() < kPacketHeaderSize ||
                          ReadPacketHeader(message.data()).size != message.size()) {
                          _badMessage = "a " + std::to_string(message.size()) +
                                        "-byte WebSocket message that is not one packet";
                          return;
                      }
                      _packets.insert(_packets.end(), message.begin(), message.end());
                  });
    _state = State::Open;
    {
        // Under the lock while queued, so a Send racing with it cannot overtake them.
        std::lock_guard guard(_pendingLock);
        _open = true;
        for (auto& frame : _pending) session.SendFramed(std::move(frame));
        _pending.clear();
    }
    session.TransportReady();
    if (!rest.empty()) FeedFrames(session, rest);
}

void WsClientTransport::FeedFrames(Session& session, std::span<const std::byte> bytes) {
    const bool ok = _link->Feed(bytes);
    if (!_packets.empty()) {
        session.TransportDeliver(_packets);
        _packets.clear();
    }
    if (!_badMessage.empty()) {
        _state = State::Done;
        return session.TransportProtocolError(std::exchange(_badMessage, {}));
    }
    std::vector<std::byte> out = _link->TakeOutgoing();
    if (!out.empty()) session.SendFramed(SendBuffer::Copy(out));
    if (_link->CloseSent()) {
        _state = State::Done;
        session.DisconnectAfterSend("WebSocket closed (" + std::to_string(_link->CloseCodeSent()) +
                                    ")");
    } else if (!ok) {
        _state = State::Done;
        session.Cut("WebSocket framing failed");
    }
}

void WsClientTransport::PeerClosed(Session& session) {
    if (_state == State::Head) {
        _state = State::Done;
        return session.TransportConnectFailed("the server closed before answering");
    }
    session.TransportPeerClosed(0);
}

SendBufferRef WsClientTransport::Encode(SendBufferRef buffer) {
    SendBufferRef frames = MaskedFrames(buffer->Bytes());
    std::lock_guard guard(_pendingLock);
    if (_open) return frames;
    _pending.push_back(std::move(frames));
    return nullptr;
}

}  // namespace tavern::ws
