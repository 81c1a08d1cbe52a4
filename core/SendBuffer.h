#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace tavern {

class SendBufferChunk;
class SendBuffer;
class SendBudget;
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
    // Safe to call from any thread. `size` bytes of `buffer` from `offset` on, without a copy:
    // the slice shares (and keeps alive) the block `buffer` was carved from. A member left out
    // of some packets of a shared broadcast gets slices of the shared buffer, not a copy.
    static SendBufferRef Slice(const SendBufferRef& buffer, std::size_t offset, std::size_t size);
    // Safe to call from any thread: bytes of every block alive (carved chunks and own blocks),
    // process-wide; what SendBuffers really hold in memory.
    static std::size_t LiveBlockBytes();

    std::byte* Data() { return _data; }
    const std::byte* Data() const { return _data; }
    std::size_t Size() const { return _size; }
    std::span<const std::byte> Bytes() const { return {_data, _size}; }

    // The bytes of the block this buffer keeps alive: a whole chunk for a small buffer.
    std::size_t BlockBytes() const;

    // Safe to call from any thread. This buffer in a transport's wire form (a WebSocket
    // server's frames around its packets), made by `make` for the first recipient of that
    // transport and then shared by every other one: a broadcast is framed once per transport,
    // never per recipient. `kind` names the form (one per buffer is kept; a buffer asked for
    // another kind, or while its form is still being made, gets a copy of its own).
    using TwinMaker = SendBufferRef (*)(const SendBuffer&);
    SendBufferRef Twin(const void* kind, TwinMaker make) const;

    // Engine internals (SendBudget), safe from any thread: each block counts the send queues
    // holding one of its buffers. The first to hold one charges `budget` the whole block, the
    // last to let go credits the same budget.
    void ChargeQueued(const std::shared_ptr<SendBudget>& budget) const;
    void ReleaseQueued() const;

    SendBuffer(std::shared_ptr<SendBufferChunk> chunk, std::byte* data, std::size_t size)
        : _chunk(std::move(chunk)), _data(data), _size(size) {}

private:
    std::shared_ptr<SendBufferChunk> _chunk;  // keeps the carved-from block alive
    std::byte* _data;
    std::size_t _size;
    // The transport twin: written once by the thread that moves _twinState from 0 to 1, read
    // by anyone who sees 2 (acquire); never changed after.
    mutable std::atomic<std::uint8_t> _twinState{0};
    mutable const void* _twinKind = nullptr;
    mutable SendBufferRef _twin;
};

}  // namespace tavern
