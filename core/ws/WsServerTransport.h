#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/Transport.h"
#include "core/ws/HttpHead.h"
#include "core/ws/WslayLink.h"

namespace tavern::ws {

class OriginPolicy;
class WebRoot;
struct WsCounters;

// The server side of one WebSocket connection (RFC 6455), or of one plain HTTP request for the
// page. First the request head: `GET /ws` with a valid upgrade is answered 101 and the session
// starts (OnConnected); `GET /` and the page's files are answered from the WebRoot; anything
// else gets its status (400, 403, 404, 426, 431) and the connection closes after it. Then frames:
// each binary message must be exactly one packet, which goes on to the packet path; every
// packet sent goes out as one binary frame. A buffer is framed once for every WebSocket
// recipient (its SendBuffer::Twin), so a broadcast costs one framed copy, not one per member.
class WsServerTransport final : public Transport {
public:
    WsServerTransport(std::shared_ptr<const WebRoot> root,
                      std::shared_ptr<const OriginPolicy> origins,
                      std::shared_ptr<WsCounters> counters, std::size_t maxHeadBytes);

    void Started(Session& session) override;
    void Received(Session& session, std::span<const std::byte> bytes) override;
    void PeerClosed(Session& session) override;
    // Close 1001 (going away), unless a close frame or an answer went out already.
    void Stopping(Session& session) override;
    // After the close frame (or an HTTP answer) nothing more goes out (RFC 6455 5.5.1).
    SendBufferRef Encode(SendBufferRef buffer) override;

private:
    enum class State : std::uint8_t { Head, Open, Done };

    void HandleRequest(Session& session, const HttpHead& request);
    void Answer(Session& session, const SendBufferRef& response, std::string reason);
    void Refuse(Session& session, int status, std::string_view extraHeaders, std::string reason);
    void FeedFrames(Session& session, std::span<const std::byte> bytes);
    void OnMessage(std::uint8_t opcode, std::span<const std::byte> message);
    void QueueControlFrames(Session& session);

    std::shared_ptr<const WebRoot> _root;
    std::shared_ptr<const OriginPolicy> _origins;
    std::shared_ptr<WsCounters> _counters;
    std::size_t _maxHeadBytes;
    State _state = State::Head;
    std::string _head;                  // the request head so far
    std::optional<WslayLink> _link;     // once upgraded
    std::vector<std::byte> _packets;    // whole packets parsed from one receive
    std::string _badMessage;            // a message that was not one packet (why), if any
    bool _closeHandled = false;
    std::atomic<bool> _upgraded{false};     // set on the home worker, read by Stopping
    // Set once the close frame or an HTTP answer is queued (by the home worker, or Stopping on
    // the job queue; whichever sets it sends the last frame); read by any Send.
    std::atomic<bool> _sendsClosed{false};
};

}  // namespace tavern::ws
