#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace tavern {

class SendBufferChunk;
class SendBuffer;
using SendBufferRef = std::shared_ptr<SendBuffer>;

// A reference-counted block of bytes to send: one packet (header + payload) or any raw bytes.
// Fill it right after Make(), then hand it to Session::Send. From then on it is shared and must
// not change: a broadcast serializes once and gives the same SendBuffer to every recipient.
//
// Small buffers are carved from the calling thread's current 64 KiB chunk, so making one costs a
// bump of an offset plus one small control block; the chunk is freed when its last buffer is.
// Buffers larger than a quarter of a chunk get a block of their own. There is no size limit
// here; the packet layer enforces the wire format's.
class SendBuffer {
public:
    static constexpr std::size_t kChunkSize = 64 * 1024;

    // Safe to call from any thread. The bytes are uninitialised.
    static SendBufferRef Make(std::size_t size);
    // Safe to call from any thread.
    static SendBufferRef Copy(std::span<const std::byte> bytes);

    std::byte* Data() { return _data; }
    const std::byte* Data() const { return _data; }
    std::size_t Size() const { return _size; }
    std::span<const std::byte> Bytes() const { return {_data, _size}; }

    SendBuffer(std::shared_ptr<SendBufferChunk> chunk, std::byte* data, std::size_t size)
        : _chunk(std::move(chunk)), _data(data), _size(size) {}

private:
    std::shared_ptr<SendBufferChunk> _chunk;  // keeps the carved-from block alive
    std::byte* _data;
    std::size_t _size;
};

}  // namespace tavern
