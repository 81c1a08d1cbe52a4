#pragma once
// What the bench load programs share: one packet written to a blocking-enough socket in one
// send, and the packets split out of what a read returned (a packet cut across reads waits in
// the caller's tail). Linux only; used by bench/c100k and bench/login.
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "ClientPackets.h"
#include "core/PacketHeader.h"

namespace tavern::bench {

// One packet in one send; false if it did not fit the small frame or the send fell short.
template <typename Message>
bool SendPacket(int fd, Protocol::PacketId packetId, const Message& message) {
    char bytes[512];
    const auto size = static_cast<std::size_t>(message.ByteSizeLong()) + kPacketHeaderSize;
    if (size > sizeof(bytes)) return false;
    WritePacketHeader(reinterpret_cast<std::byte*>(bytes), static_cast<std::uint16_t>(size),
                      static_cast<std::uint16_t>(packetId));
    message.SerializeToArray(bytes + kPacketHeaderSize, static_cast<int>(size - kPacketHeaderSize));
    return ::send(fd, bytes, size, MSG_NOSIGNAL) == static_cast<ssize_t>(size);
}

// Appends `bytes` to `tail` and calls onPacket(id, payload, size) for every whole packet in it;
// stops early when onPacket returns false. False if a header is malformed.
template <typename OnPacket>
bool SplitPackets(std::string& tail, const char* bytes, std::size_t count, OnPacket&& onPacket) {
    tail.append(bytes, count);
    std::size_t at = 0;
    bool ok = true;
    while (tail.size() - at >= kPacketHeaderSize) {
        const auto header = ReadPacketHeader(reinterpret_cast<const std::byte*>(tail.data() + at));
        if (header.size < kPacketHeaderSize) {
            ok = false;
            break;
        }
        if (tail.size() - at < header.size) break;
        const bool more = onPacket(static_cast<Protocol::PacketId>(header.id),
                                   tail.data() + at + kPacketHeaderSize,
                                   static_cast<std::size_t>(header.size - kPacketHeaderSize));
        at += header.size;
        if (!more) break;
    }
    tail.erase(0, at);
    if (tail.empty()) tail.shrink_to_fit();
    return ok;
}

}  // namespace tavern::bench
