#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/SendBuffer.h"

namespace google::protobuf {
class MessageLite;
}  // namespace google::protobuf

namespace tavern {

// The bridge between protobuf messages and the wire format (core/PacketHeader.h):
//
//   MakePacketBuffer(id, msg)          ParsePayload(msg, payload)
//   +------+------+----------------+       +----------------+
//   | size |  id  | msg, serialized|  -->  |    payload     | --> msg
//   +------+------+----------------+       +----------------+
//    one SendBuffer, written once           the bytes after the header
//
// Generated code (protoc-gen-tavern) calls these; game code normally uses the generated
// <Side>PacketHandler::MakeSendBuffer(pkt) instead.

// Safe to call from any thread while no other thread modifies or serializes `msg` (protobuf
// caches the message's size inside it). Serializes `msg` once, straight into a
// SendBuffer::Make(4 + size) behind its header. Throws std::length_error naming the message,
// its size and the limit when the packet would exceed the wire format's 65535 bytes; sizes are
// never truncated to 16 bits.
SendBufferRef MakePacketBuffer(std::uint16_t id, const google::protobuf::MessageLite& msg);

// Safe to call from any thread on a `msg` no other thread uses. Replaces `msg` with the parse
// of `payload`; false when the bytes are not a valid encoding of it.
bool ParsePayload(google::protobuf::MessageLite& msg, std::span<const std::byte> payload);

}  // namespace tavern
