#include "core/ws/WsServerTransport.h"


#include "core/PacketHeader.h"
#include "core/Session.h"
#include "core/ws/OriginPolicy.h"
#include "core/ws/WebRoot.h"
#include "core/ws/WsCounters.h"
#include "core/ws/WsFrame.h"
#include "core/ws/WsHandshake.h"

namespace tavern::ws {

namespace {

// The key of the server's framed twin of a buffer (SendBuffer::Twin).
constexpr char kServerFrames = 0;

SendBufferRef BytesOf(std::string_view text) {
    return SendBuffer::Copy({reinterpret_cast<const std::byte*>(text.data()), text.size()});
}

std::string_view StatusText(int status) {
    switch (status) {
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 426: return "Upgrade Required";
        case 431: return "Request Header Fields Too Large";
        default: return "Error";
    }
}

void Count(std::atomic<std::uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

WsServerTransport::WsServerTransport(std::shared_ptr<const WebRoot> root,
                                     std::shared_ptr<const OriginPolicy> origins,
                                     std::shared_ptr<WsCounters> counters,
                                     std::size_t maxHeadBytes)
    : _root(std::move(root)),
      _origins(std::move(origins)),
      _counters(std::move(counters)),
      _maxHeadBytes(maxHeadBytes) {}

void WsServerTransport::Started(Session& /*session*/) {}

// --- The request head ---------------------------------------------------------------------------

void WsServerTransport::Received(Session& session, std::span<const std::byte> bytes) {
    if (_state == State::Open) return FeedFrames(session, bytes);
    if (_state == State::Done) return;  // answered; the connection closes after the answer
    const std::size_t before = _head.size();
    _head.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    // The blank line may have begun in an earlier receive: look from a little before.
    const std::size_t end = _head.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
    if (end == std::string::npos || end + 4 > _maxHeadBytes) {
        if (_head.size() > _maxHeadBytes || end != std::string::npos) {
            Count(_counters->headersTooLarge);
            Refuse(session, 431, {},
                   "request head over " + std::to_string(_maxHeadBytes) + " bytes");
        }
        return;  // a head dribbled slowly meets the idle timeout
    }
    const std::size_t headEnd = end + 4;
    const std::span<const std::byte> rest = bytes.subspan(headEnd - before);
    const std::optional<HttpHead> request =
        HttpHead::ParseRequest(std::string_view(_head).substr(0, headEnd));
    std::string().swap(_head);
    if (!request) {
        Count(_counters->badRequests);
        return Refuse(session, 400, {}, "malformed HTTP request");
    }
    HandleRequest(session, *request);
    // A client may send its first frames right behind the request.
    if (_state == State::Open && !rest.empty()) FeedFrames(session, rest);
}

void WsServerTransport::HandleRequest(Session& session, const HttpHead& request) {
    if (request.method != "GET") {
        Count(_counters->badRequests);
        return Refuse(session, 400, {}, "method " + request.method + " (only GET)");
    }
    if (request.Path() != "/ws") {
        SendBufferRef file = _root ? _root->Find(request.Path()) : nullptr;
        if (!file) {
            Count(_counters->notFound);
            return Refuse(session, 404, {}, "no page file " + std::string(request.Path()));
        }
        Count(_counters->filesServed);
        return Answer(session, file, "page file served");
    }
    if (!request.HasToken("upgrade", "websocket") || !request.HasToken("connection", "upgrade")) {
        Count(_counters->badRequests);
        return Refuse(session, 400, {}, "GET /ws without a WebSocket upgrade");
    }
    const std::string key = request.Header("sec-websocket-key");
    if (!WsHandshake::ValidKey(key)) {
        Count(_counters->badRequests);
        return Refuse(session, 400, {}, "missing or malformed Sec-WebSocket-Key");
    }
    if (request.Header("sec-websocket-version") != "13") {
        Count(_counters->badVersions);
        return Refuse(session, 426, "Sec-WebSocket-Version: 13\r\n",
                      "Sec-WebSocket-Version other than 13");
    }
    const std::string origin = request.Header("origin");
    if (!_origins->Allows(origin, request.Header("host"))) {
        Count(_counters->originRefused);
        // Named in the log only as a well-formed origin: the header is the client's text.
        const auto shown = OriginPolicy::Normalize(origin);
        return Refuse(session, 403, {},
                      "Origin " + (shown ? shown->substr(0, 100) : std::string("(malformed)")) +
                          " not allowed");
    }
    session.SendFramed(BytesOf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                             WsHandshake::AcceptKey(key) + "\r\n\r\n"));
    _link.emplace(true, session.TransportMessageLimit(),
                  [this](std::uint8_t opcode, std::span<const std::byte> message) {
                      OnMessage(opcode, message);
                  });
    _state = State::Open;
    _upgraded.store(true, std::memory_order_release);
    Count(_counters->upgrades);
    session.TransportReady();
}

void WsServerTransport::Answer(Session& session, const SendBufferRef& response,
                               std::string reason) {
    _state = State::Done;
    _sendsClosed.store(true, std::memory_order_release);
    std::string().swap(_head);
    session.SendFramed(response);
    session.DisconnectAfterSend(std::move(reason));
}

void WsServerTransport::Refuse(Session& session, int status, std::string_view extraHeaders,
                               std::string reason) {
    const std::string body = std::to_string(status) + " " + std::string(StatusText(status)) + "\n";
    Answer(session,
           BytesOf("HTTP/1.1 " + std::to_string(status) + " " + std::string(StatusText(status)) +
                   "\r\nContent-Type: text/plain\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n" + std::string(extraHeaders) +
                   "Connection: close\r\n\r\n" + body),
           "HTTP " + std::to_string(status) + ": " + reason);
}

// --- Frames -------------------------------------------------------------------------------------

void WsServerTransport::FeedFrames(Session& session, std::span<const std::byte> bytes) {
    const bool ok = _link->Feed(bytes);
    // Packets before a bad message still count: they were sent first.
    if (!_packets.empty()) {
        session.TransportDeliver(_packets);
        _packets.clear();
    }
    if (!_badMessage.empty()) {
        _state = State::Done;
        return session.TransportProtocolError(std::exchange(_badMessage, {}));
    }
    QueueControlFrames(session);
    if (!ok && _state == State::Open) {
        _state = State::Done;
        session.Cut("WebSocket framing failed");
    }
}

void WsServerTransport::OnMessage(std::uint8_t opcode, std::span<const std::byte> message) {
    if (!_badMessage.empty()) return;
    if (opcode == WslayLink::kText) {
        _link->Close(1003, "binary messages only");
        return;
    }
    if (opcode != WslayLink::kBinary) return;  // control frames: wslay answers them
    if (message.size() < kPacketHeaderSize ||
        ReadPacketHeader(message.data()).size != message.size()) {
        _badMessage = "a " + std::to_string(message.size()) +
                      "-byte WebSocket message whose packet header says " +
                      (message.size() < kPacketHeaderSize
                           ? std::string("nothing")
                           : std::to_string(ReadPacketHeader(message.data()).size));
        return;
    }
    _packets.insert(_packets.end(), message.begin(), message.end());
}

void WsServerTransport::QueueControlFrames(Session& session) {
    std::vector<std::byte> out = _link->TakeOutgoing();
    if (!out.empty()) session.SendFramed(SendBuffer::Copy(out));
    if (_closeHandled || !_link->CloseSent()) return;
    _closeHandled = true;
    _sendsClosed.store(true, std::memory_order_release);
    _state = State::Done;
    const std::uint16_t code = _link->CloseCodeSent();
    if (_link->CloseReceived()) {
        Count(_counters->peerCloses);
    } else if (code == 1002) {
        Count(_counters->protocolCloses);
    } else if (code == 1003 || code == 1007) {
        Count(_counters->textCloses);
    } else if (code == 1009) {
        Count(_counters->tooBigCloses);
    }
    session.DisconnectAfterSend("WebSocket closed (" + std::to_string(code) + ")");
}

void WsServerTransport::PeerClosed(Session& session) {
    session.TransportPeerClosed(0);
}

void WsServerTransport::Stopping(Session& session) {
    if (!_upgraded.load(std::memory_order_acquire) ||
        _sendsClosed.exchange(true, std::memory_order_acq_rel))
        return;
    // FIN, close, code 1001: the server is going away. The connection closes after it.
    static constexpr std::byte kGoingAway[] = {std::byte{0x88}, std::byte{0x02}, std::byte{0x03},
                                               std::byte{0xE9}};
    session.SendFramed(SendBuffer::Copy(kGoingAway));
}

// --- Sending ------------------------------------------------------------------------------------

SendBufferRef WsServerTransport::Encode(SendBufferRef buffer) {
    if (_sendsClosed.load(std::memory_order_acquire)) return nullptr;
    return buffer->Twin(&kServerFrames, &ServerFrames);
}

}  // namespace tavern::ws
