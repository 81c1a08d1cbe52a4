#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace tavern {

// The bytes of an incomplete packet a session holds between two receives. Receives land in the
// worker's buffers (io_uring provided buffers, the epoll read buffer), so an idle session holds
// nothing here; only a packet cut by a receive boundary is copied in, and the storage is given
// back once it is consumed (unless it is small enough to keep for the next split packet).
//
//   +-------------------+------------------+------------------+
//   | consumed (dead)   |  readable bytes  |  writable space  |
//   +-------------------+------------------+------------------+
//   0             _readPos            _writePos          _capacity
//
// Only used on the session's home worker.
class RecvBuffer {
public:
    static constexpr std::size_t kKeepCapacity = 4096;

    bool Empty() const { return _readPos == _writePos; }
    std::size_t Size() const { return _writePos - _readPos; }
    std::size_t Capacity() const { return _capacity; }
    std::span<const std::byte> Readable() const { return {_bytes.get() + _readPos, Size()}; }

    // Appends `bytes`, compacting or growing the storage as needed.
    void Append(std::span<const std::byte> bytes);
    // Drops `count` bytes from the front; frees large storage once empty.
    void Consume(std::size_t count);
    void Clear();

private:
    std::unique_ptr<std::byte[]> _bytes;
    std::size_t _capacity = 0;
    std::size_t _readPos = 0;
    std::size_t _writePos = 0;
};

}  // namespace tavern
