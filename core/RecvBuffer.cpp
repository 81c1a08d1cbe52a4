#include "core/RecvBuffer.h"

#include <algorithm>
#include <cstring>

namespace tavern {

void RecvBuffer::Append(std::span<const std::byte> bytes) {
    if (bytes.empty()) return;
    const std::size_t size = Size();
    if (_capacity - _writePos < bytes.size()) {
        if (_capacity - size >= bytes.size()) {
            // Enough room once the consumed front is dropped: slide the readable bytes down.
            std::memmove(_bytes.get(), _bytes.get() + _readPos, size);
        } else {
            const std::size_t capacity = std::max(size + bytes.size(), _capacity * 2);
            auto grown = std::make_unique_for_overwrite<std::byte[]>(capacity);
            if (size != 0) std::memcpy(grown.get(), _bytes.get() + _readPos, size);
            _bytes = std::move(grown);
            _capacity = capacity;
        }
        _readPos = 0;
        _writePos = size;
    }
    std::memcpy(_bytes.get() + _writePos, bytes.data(), bytes.size());
    _writePos += bytes.size();
}

void RecvBuffer::Consume(std::size_t count) {
    _readPos += std::min(count, Size());
    if (Empty()) {
        _readPos = _writePos = 0;
        if (_capacity > kKeepCapacity) Clear();
    }
}

void RecvBuffer::Clear() {
    _bytes.reset();
    _capacity = _readPos = _writePos = 0;
}

}  // namespace tavern
