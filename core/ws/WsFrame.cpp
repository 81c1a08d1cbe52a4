#include "core/ws/WsFrame.h"

#include <cstring>
#include <random>

#include "core/PacketHeader.h"

namespace tavern::ws {

std::size_t WriteFrameHeader(std::byte* out, std::size_t payload) {
    out[0] = static_cast<std::byte>(0x80 | kOpBinary);
    if (payload < 126) {
        out[1] = static_cast<std::byte>(payload);
        return 2;
    }
    if (payload <= 0xFFFF) {
        out[1] = std::byte{126};
        out[2] = static_cast<std::byte>(payload >> 8);
        out[3] = static_cast<std::byte>(payload & 0xFF);
        return 4;
    }
    out[1] = std::byte{127};
    for (int i = 0; i < 8; ++i)
        out[2 + i] = static_cast<std::byte>((static_cast<std::uint64_t>(payload) >> (56 - 8 * i)) & 0xFF);
    return 10;
}

std::size_t PacketLengthAt(std::span<const std::byte> bytes) {
    if (bytes.size() < kPacketHeaderSize) return bytes.size();
    const PacketHeader header = ReadPacketHeader(bytes.data());
    if (header.size < kPacketHeaderSize || header.size > bytes.size()) return bytes.size();
    return header.size;
}

namespace {
std::uint32_t NextMask() {
    // Per thread, seeded from the OS: the key only has to be unpredictable to a page's script
    // (RFC 6455 10.3), which a native client has none of.
    thread_local std::mt19937 random{std::random_device{}()};
    return static_cast<std::uint32_t>(random());
}
}  // namespace

SendBufferRef ServerFrames(const SendBuffer& buffer) {
    std::size_t total = 0;
    std::byte header[kMaxFrameHeader];
    for (std::span<const std::byte> rest = buffer.Bytes(); !rest.empty();) {
        const std::size_t n = PacketLengthAt(rest);
        total += WriteFrameHeader(header, n) + n;
        rest = rest.subspan(n);
    }
    SendBufferRef out = SendBuffer::Make(total);
    std::byte* p = out->Data();
    for (std::span<const std::byte> rest = buffer.Bytes(); !rest.empty();) {
        const std::size_t n = PacketLengthAt(rest);
        p += WriteFrameHeader(p, n);
        std::memcpy(p, rest.data(), n);
        p += n;
        rest = rest.subspan(n);
    }
    return out;
}

SendBufferRef MaskedFrames(std::span<const std::byte> bytes) {
    std::size_t total = 0;
    for (std::span<const std::byte> rest = bytes; !rest.empty();) {
        const std::size_t n = PacketLengthAt(rest);
        std::byte header[kMaxFrameHeader];
        total += WriteFrameHeader(header, n) + 4 + n;
        rest = rest.subspan(n);
    }
    SendBufferRef out = SendBuffer::Make(total);
    std::byte* p = out->Data();
    while (!bytes.empty()) {
        const std::size_t n = PacketLengthAt(bytes);
        const std::size_t headerSize = WriteFrameHeader(p, n);
        p[1] |= std::byte{0x80};  // the mask bit
        p += headerSize;
        const std::uint32_t key = NextMask();
        std::byte mask[4];
        std::memcpy(mask, &key, 4);
        std::memcpy(p, mask, 4);
        p += 4;
        for (std::size_t i = 0; i < n; ++i) p[i] = bytes[i] ^ mask[i & 3];
        p += n;
        bytes = bytes.subspan(n);
    }
    return out;
}

}  // namespace tavern::ws
