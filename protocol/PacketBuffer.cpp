#include "protocol/PacketBuffer.h"

#include <climits>
#include <stdexcept>
#include <string>

#include <google/protobuf/message_lite.h>

#include "core/PacketHeader.h"

namespace tavern {

SendBufferRef MakePacketBuffer(std::uint16_t id, const google::protobuf::MessageLite& msg) {
    const std::size_t payloadSize = msg.ByteSizeLong();  // caches sizes for the write below
    const std::size_t packetSize = kPacketHeaderSize + payloadSize;
    if (packetSize > kMaxWirePacketSize) {
        throw std::length_error("packet " + msg.GetTypeName() + " (id " + std::to_string(id) +
                                ") is " + std::to_string(packetSize) +
                                " bytes with its header; the wire format's limit is " +
                                std::to_string(kMaxWirePacketSize));
    }
    SendBufferRef buffer = SendBuffer::Make(packetSize);
    WritePacketHeader(buffer->Data(), static_cast<std::uint16_t>(packetSize), id);
    msg.SerializeWithCachedSizesToArray(
        reinterpret_cast<std::uint8_t*>(buffer->Data() + kPacketHeaderSize));
    return buffer;
}

bool ParsePayload(google::protobuf::MessageLite& msg, std::span<const std::byte> payload) {
    if (payload.size() > static_cast<std::size_t>(INT_MAX)) return false;
    return msg.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
}

}  // namespace tavern
