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
//
// Where the kernel has it (6.12 and later), the ring consumes its buffers incrementally
// (IOU_PBUF_RING_INC): a receive takes only the bytes it needs from the current buffer, and the
// next receive, of any connection, goes on from there. A 64-byte message then no longer uses up
// a whole 16 KiB buffer, so thousands of connections ready at once do not run the ring dry
// (a receive that finds no buffer ends its multishot and has to be armed again). A completion
// says whether the kernel will write more into its buffer (IORING_CQE_F_BUF_MORE); the buffer
// goes back only when it will not.
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

    // True when the kernel consumes the buffers incrementally (see above).
    bool Incremental() const { return _incremental; }
    // The `length` bytes a completion with buffer `id` and `flags` received. The caller must be
    // done with them before the next call: this gives the buffer back to the kernel (visible
    // after the next Flush) unless the kernel goes on writing into it.
    std::span<const std::byte> Take(std::uint16_t id, std::size_t length, std::uint32_t flags);
    void Flush();

private:
    io_uring_buf_ring* _ring = nullptr;
    std::size_t _ringBytes = 0;
    std::unique_ptr<std::byte[]> _memory;
    std::uint32_t _count = 0;
    std::uint32_t _size = 0;
    std::unique_ptr<std::uint32_t[]> _used;  // incremental: bytes of each buffer handed out so far
    int _pendingReturns = 0;
    bool _registered = false;
    bool _incremental = false;

    void Recycle(std::uint16_t id);
};

}  // namespace tavern
