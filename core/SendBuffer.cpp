#include "core/SendBuffer.h"

#include <cstring>

namespace tavern {

// A block of bytes that SendBuffers are carved from. Freed when the last buffer is.
class SendBufferChunk {
public:
    explicit SendBufferChunk(std::size_t capacity)
        : _bytes(std::make_unique_for_overwrite<std::byte[]>(capacity)), _capacity(capacity) {}

    std::byte* Begin() { return _bytes.get(); }
    std::size_t Capacity() const { return _capacity; }

private:
    std::unique_ptr<std::byte[]> _bytes;
    std::size_t _capacity;
};

namespace {

constexpr std::size_t kAlignment = 16;
constexpr std::size_t kLargeBuffer = SendBuffer::kChunkSize / 4;

// The chunk this thread is carving from. A chunk outlives this pointer as long as buffers carved
// from it live, so threads never share a chunk's free space and never lock.
struct ThreadChunk {
    std::shared_ptr<SendBufferChunk> chunk;
    std::size_t used = 0;
};
thread_local ThreadChunk tChunk;

}  // namespace

SendBufferRef SendBuffer::Make(std::size_t size) {
    if (size >= kLargeBuffer) {
        auto chunk = std::make_shared<SendBufferChunk>(size == 0 ? 1 : size);
        std::byte* data = chunk->Begin();
        return std::make_shared<SendBuffer>(std::move(chunk), data, size);
    }
    const std::size_t rounded = (size + kAlignment - 1) & ~(kAlignment - 1);
    if (!tChunk.chunk || tChunk.used + rounded > tChunk.chunk->Capacity()) {
        tChunk.chunk = std::make_shared<SendBufferChunk>(kChunkSize);
        tChunk.used = 0;
    }
    std::byte* data = tChunk.chunk->Begin() + tChunk.used;
    tChunk.used += rounded;
    return std::make_shared<SendBuffer>(tChunk.chunk, data, size);
}

SendBufferRef SendBuffer::Copy(std::span<const std::byte> bytes) {
    SendBufferRef buffer = Make(bytes.size());
    if (!bytes.empty()) std::memcpy(buffer->Data(), bytes.data(), bytes.size());
    return buffer;
}

}  // namespace tavern
