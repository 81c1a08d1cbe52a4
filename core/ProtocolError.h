#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tavern {

// Why a packet session was cut off. Each kind has its own counter (PacketSession, Service).
enum class ProtocolError : std::uint8_t {
    HeaderTooSmall,    // size field < 4: would never advance the stream
    PacketTooLarge,    // size field above the configured maximum
    UnknownPacketId,   // no message on this side declares the id
    MalformedPayload,  // the payload does not parse as the id's message
    TruncatedPacket,   // the peer closed in the middle of a packet
    HandlerException,  // a packet handler threw
    HandlerRejected,   // a packet handler returned false
    NotOnePacket,      // a transport message (WebSocket) that is not exactly one packet
};
inline constexpr std::size_t kProtocolErrorKinds = 8;

constexpr std::string_view ToString(ProtocolError error) {
    switch (error) {
        case ProtocolError::HeaderTooSmall: return "header size below 4";
        case ProtocolError::PacketTooLarge: return "packet larger than the maximum";
        case ProtocolError::UnknownPacketId: return "unknown packet id";
        case ProtocolError::MalformedPayload: return "payload does not parse";
        case ProtocolError::TruncatedPacket: return "connection closed inside a packet";
        case ProtocolError::HandlerException: return "packet handler threw";
        case ProtocolError::HandlerRejected: return "packet handler rejected the packet";
        case ProtocolError::NotOnePacket: return "message is not exactly one packet";
    }
    return "unknown protocol error";
}

}  // namespace tavern
