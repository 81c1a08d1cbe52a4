#pragma once

#include "core/uring/Liburing.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

namespace tavern {

// A worker's pool of receive buffers, handed to the kernel as an io_uring provided-buffer ring.
// A multishot receive picks a buffer only when data arrives, so an idle connection holds none.
// Set up by hand: liburing 2.3 has no io_uring_setup_buf_ring.
//
//   ring (shared with the kernel):  [ bufs[0] | bufs[1] | ... | bufs[count-1] ]  tail ->
//   memory:                          [ buffer 0 ][ buffer 1 ] ... [ buffer count-1 ]
//
// Returned buffers are made visible to the kernel in batches (Flush), once per poll.
// Only on the owning worker's thread.
class ProvidedBufferRing {
public:
    static constexpr std::uint16_t kGroupId = 0;

    ProvidedBufferRing() = default;
    ~ProvidedBufferRing();
    ProvidedBufferRing(const ProvidedBufferRing&) = delete;
    ProvidedBufferRing& operator=(const ProvidedBufferRing&) = delete;

    // `count` must be a power of two.
    std::error_code Setup(io_uring& ring, std::uint32_t count, std::uint32_t size);
    void Teardown(io_uring& ring);

    std::span<const std::byte> Bytes(std::uint16_t id, std::size_t length) const {
        return {_memory.get() + std::size_t{id} * _size, length};
    }
    // Gives buffer `id` back; visible to the kernel after the next Flush.
    void Recycle(std::uint16_t id);
    void Flush();

private:
    io_uring_buf_ring* _ring = nullptr;
    std::size_t _ringBytes = 0;
    std::unique_ptr<std::byte[]> _memory;
    std::uint32_t _count = 0;
    std::uint32_t _size = 0;
    int _pendingReturns = 0;
    bool _registered = false;
};

}  // namespace tavern
