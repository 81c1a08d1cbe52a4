#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/SendBuffer.h"

namespace tavern::ws {

// RFC 6455 data framing written by hand: a frame header is 2 to 14 bytes, written straight
// into the one framed copy of a buffer (wslay's send path would take each payload through a
// callback, message by message). Parsing, control frames and the close handshake are wslay's
// (WslayLink).
//
//   0               1               2               3
//   |F|R|R|R| opcode|M| len (7)     | extended len (16 or 64) ...   | mask key (client) |
inline constexpr std::uint8_t kOpBinary = 0x2;
inline constexpr std::size_t kMaxFrameHeader = 14;

// The header of a final binary frame of `payload` bytes (a server's: unmasked) into `out`
// (at least kMaxFrameHeader bytes); returns its length.
std::size_t WriteFrameHeader(std::byte* out, std::size_t payload);

// A server's frames for `buffer`: one final binary frame per packet it holds (whatever does not
// parse as packets goes as one more). Any thread; a SendBuffer::TwinMaker.
SendBufferRef ServerFrames(const SendBuffer& buffer);
// A client's frames for `bytes`: the same, each masked with a fresh key. Any thread.
SendBufferRef MaskedFrames(std::span<const std::byte> bytes);

// The length of the packet at the front of `bytes` (its size field, when it fits), else all of
// `bytes`: how the transports cut a buffer into one message per packet.
std::size_t PacketLengthAt(std::span<const std::byte> bytes);

}  // namespace tavern::ws
