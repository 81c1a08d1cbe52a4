#include "core/SendBuffer.h"

#include <atomic>
#include <cstring>
#include <mutex>

#include "core/SendBudget.h"

namespace tavern {

namespace {
std::atomic<std::size_t> gLiveBlockBytes{0};
}  // namespace

// A block of bytes that SendBuffers are carved from. Freed when the last buffer is. It counts
// the send queues that hold one of its buffers, so that a budget is charged the whole block
// once, however many queues and buffers share it.
class SendBufferChunk {
public:
    explicit SendBufferChunk(std::size_t capacity)
        : _bytes(std::make_unique_for_overwrite<std::byte[]>(capacity)), _capacity(capacity) {
        gLiveBlockBytes.fetch_add(capacity, std::memory_order_relaxed);
    }
    ~SendBufferChunk() { gLiveBlockBytes.fetch_sub(_capacity, std::memory_order_relaxed); }
    SendBufferChunk(const SendBufferChunk&) = delete;
    SendBufferChunk& operator=(const SendBufferChunk&) = delete;

    std::byte* Begin() { return _bytes.get(); }
    std::size_t Capacity() const { return _capacity; }

    void ChargeQueued(const std::shared_ptr<SendBudget>& budget) {
        std::lock_guard guard(_queueLock);
        if (_queued++ == 0) {
            _charged = budget;
            _charged->Add(_capacity);
        }
    }
    void ReleaseQueued() {
        std::lock_guard guard(_queueLock);
        if (--_queued == 0) {
            _charged->Subtract(_capacity);
            _charged.reset();
        }
    }

private:
    std::unique_ptr<std::byte[]> _bytes;
    std::size_t _capacity;
    std::mutex _queueLock;
    std::size_t _queued = 0;                 // send queues holding a buffer of this block
    std::shared_ptr<SendBudget> _charged;    // the budget charged for it while _queued > 0
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

SendBufferRef SendBuffer::Slice(const SendBufferRef& buffer, std::size_t offset,
                                std::size_t size) {
    return std::make_shared<SendBuffer>(buffer->_chunk, buffer->_data + offset, size);
}

std::size_t SendBuffer::LiveBlockBytes() {
    return gLiveBlockBytes.load(std::memory_order_relaxed);
}

std::size_t SendBuffer::BlockBytes() const {
    return _chunk->Capacity();
}

void SendBuffer::ChargeQueued(const std::shared_ptr<SendBudget>& budget) const {
    _chunk->ChargeQueued(budget);
}

void SendBuffer::ReleaseQueued() const {
    _chunk->ReleaseQueued();
}

SendBufferRef SendBuffer::Twin(const void* kind, TwinMaker make) const {
    if (_twinState.load(std::memory_order_acquire) == 2)
        return _twinKind == kind ? _twin : make(*this);
    std::uint8_t expected = 0;
    if (!_twinState.compare_exchange_strong(expected, 1, std::memory_order_acq_rel))
        return make(*this);  // another thread is making it: rare, and not worth a wait
    _twin = make(*this);
    _twinKind = kind;
    _twinState.store(2, std::memory_order_release);
    return _twin;
}

}  // namespace tavern
