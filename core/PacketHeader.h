#pragma once

#include <cstddef>
#include <cstdint>

namespace tavern {

// The wire format every client relies on:
//
//   +-----------+-----------+---------------------------+
//   | size: u16 |  id: u16  | payload (size - 4 bytes)  |
//   +-----------+-----------+---------------------------+
//    little-endian, `size` counts the 4-byte header.
//
// The payload is the protobuf encoding of the message whose packet_id is `id`.
struct PacketHeader {
    std::uint16_t size;
    std::uint16_t id;
};

inline constexpr std::size_t kPacketHeaderSize = 4;
inline constexpr std::size_t kMaxWirePacketSize = 0xFFFF;  // what a u16 size can say

inline PacketHeader ReadPacketHeader(const std::byte* bytes) {
    const auto b = [bytes](int i) { return static_cast<std::uint16_t>(bytes[i]); };
    return PacketHeader{static_cast<std::uint16_t>(b(0) | (b(1) << 8)),
                        static_cast<std::uint16_t>(b(2) | (b(3) << 8))};
}

inline void WritePacketHeader(std::byte* bytes, std::uint16_t size, std::uint16_t id) {
    bytes[0] = static_cast<std::byte>(size & 0xFF);
    bytes[1] = static_cast<std::byte>(size >> 8);
    bytes[2] = static_cast<std::byte>(id & 0xFF);
    bytes[3] = static_cast<std::byte>(id >> 8);
}

}  // namespace tavern
