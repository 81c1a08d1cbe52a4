#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tavern::fuzz {

// What the packet fuzzer makes of its input: the session's options, where the byte stream is
// cut into receives, how the connection ends, and the stream itself.
//
//   +-------+--------+------------------------------+----------------------------------+
//   | flags | cuts n | n receive lengths, u16 LE     | the byte stream the peer sent    |
//   +-------+--------+------------------------------+----------------------------------+
//
//   flags bits 0-1  maxPacketSize: 65535, 1024, 37 or 4 (only empty payloads fit)
//   flags bit 2     the peer closes after the stream (EOF: a tail left is a TruncatedPacket)
//   flags bit 3     the receive fails after the stream (connection reset)
//   flags bit 4     a packet rate limit of 8 per second (maxPacketsPerSecond): an input runs in
//                   microseconds, so more than 8 packets in all is a flood
//
// The stream goes to the session in receives of the given lengths (0 is skipped: no backend
// delivers an empty receive); whatever is left goes in one last receive.
struct FuzzPlan {
    std::size_t maxPacketSize = 65535;
    bool peerCloses = false;
    bool receiveFails = false;
    std::uint32_t maxPacketsPerSecond = 0;
    std::vector<std::size_t> cuts;
    std::span<const std::byte> stream;
};

inline constexpr std::array<std::size_t, 4> kFuzzMaxPacketSizes = {65535, 1024, 37, 4};
inline constexpr std::uint8_t kFuzzPeerCloses = 1u << 2;
inline constexpr std::uint8_t kFuzzReceiveFails = 1u << 3;
inline constexpr std::uint8_t kFuzzRateLimit = 1u << 4;
inline constexpr std::uint32_t kFuzzPacketsPerSecond = 8;

inline std::optional<FuzzPlan> ParseFuzzInput(std::span<const std::byte> input) {
    if (input.size() < 2) return std::nullopt;
    FuzzPlan plan;
    const auto flags = static_cast<std::uint8_t>(input[0]);
    plan.maxPacketSize = kFuzzMaxPacketSizes[flags & 3u];
    plan.peerCloses = (flags & kFuzzPeerCloses) != 0;
    plan.receiveFails = (flags & kFuzzReceiveFails) != 0;
    plan.maxPacketsPerSecond = (flags & kFuzzRateLimit) != 0 ? kFuzzPacketsPerSecond : 0;
    const auto count = static_cast<std::size_t>(input[1]);
    if (input.size() < 2 + 2 * count) return std::nullopt;
    for (std::size_t i = 0; i < count; ++i) {
        const auto lo = static_cast<std::size_t>(input[2 + 2 * i]);
        const auto hi = static_cast<std::size_t>(input[3 + 2 * i]);
        plan.cuts.push_back(lo | (hi << 8));
    }
    plan.stream = input.subspan(2 + 2 * count);
    return plan;
}

inline std::vector<std::byte> MakeFuzzInput(std::uint8_t flags,
                                            const std::vector<std::uint16_t>& cuts,
                                            std::span<const std::byte> stream) {
    std::vector<std::byte> input;
    input.push_back(static_cast<std::byte>(flags));
    input.push_back(static_cast<std::byte>(cuts.size()));
    for (std::uint16_t cut : cuts) {
        input.push_back(static_cast<std::byte>(cut & 0xFF));
        input.push_back(static_cast<std::byte>(cut >> 8));
    }
    input.insert(input.end(), stream.begin(), stream.end());
    return input;
}

}  // namespace tavern::fuzz
