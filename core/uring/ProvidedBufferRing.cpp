#include "core/uring/ProvidedBufferRing.h"

#include <sys/mman.h>

#include <cerrno>

namespace tavern {

namespace {

// From newer kernel headers than Debian 12's liburing 2.3 has (io_uring_buf_reg's `pad` is the
// kernel's `flags`).
constexpr std::uint16_t kPbufRingIncremental = 2;   // IOU_PBUF_RING_INC
constexpr std::uint32_t kCqeBufferMore = 1U << 4;   // IORING_CQE_F_BUF_MORE

}  // namespace

ProvidedBufferRing::~ProvidedBufferRing() {
    if (_ring != nullptr) munmap(_ring, _ringBytes);
}

std::error_code ProvidedBufferRing::Setup(io_uring& ring, std::uint32_t count, std::uint32_t size) {
    _count = count;
    _size = size;
    _ringBytes = sizeof(io_uring_buf) * count;
    void* mapped = mmap(nullptr, _ringBytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
                        -1, 0);
    if (mapped == MAP_FAILED) return {errno, std::system_category()};
    _ring = static_cast<io_uring_buf_ring*>(mapped);

    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(_ring);
    reg.ring_entries = count;
    reg.bgid = kGroupId;
    reg.pad = kPbufRingIncremental;  // refused (EINVAL) by kernels before 6.12: then whole buffers
    int rc = io_uring_register_buf_ring(&ring, &reg, 0);
    _incremental = rc == 0;
    if (rc == -EINVAL) {
        reg.pad = 0;
        rc = io_uring_register_buf_ring(&ring, &reg, 0);
    }
    if (rc != 0) return {-rc, std::system_category()};
    _registered = true;
    if (_incremental) _used = std::make_unique<std::uint32_t[]>(count);

    io_uring_buf_ring_init(_ring);
    _memory = std::make_unique_for_overwrite<std::byte[]>(std::size_t{count} * size);
    const int mask = io_uring_buf_ring_mask(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        io_uring_buf_ring_add(_ring, _memory.get() + std::size_t{i} * size, size,
                              static_cast<unsigned short>(i), mask, static_cast<int>(i));
    }
    io_uring_buf_ring_advance(_ring, static_cast<int>(count));
    return {};
}

void ProvidedBufferRing::Teardown(io_uring& ring) {
    if (_registered) io_uring_unregister_buf_ring(&ring, kGroupId);
    _registered = false;
}

std::span<const std::byte> ProvidedBufferRing::Take(std::uint16_t id, std::size_t length,
                                                    std::uint32_t flags) {
    std::byte* start = _memory.get() + std::size_t{id} * _size;
    if (!_incremental) {
        Recycle(id);  // the bytes stay valid until the kernel sees it again, after Flush
        return {start, length};
    }
    const std::uint32_t offset = _used[id];
    if ((flags & kCqeBufferMore) != 0) {
        _used[id] = offset + static_cast<std::uint32_t>(length);
    } else {
        _used[id] = 0;
        Recycle(id);
    }
    return {start + offset, length};
}

void ProvidedBufferRing::Recycle(std::uint16_t id) {
    io_uring_buf_ring_add(_ring, _memory.get() + std::size_t{id} * _size, _size, id,
                          io_uring_buf_ring_mask(_count), _pendingReturns);
    ++_pendingReturns;
}

void ProvidedBufferRing::Flush() {
    if (_pendingReturns == 0) return;
    io_uring_buf_ring_advance(_ring, _pendingReturns);
    _pendingReturns = 0;
}

}  // namespace tavern
