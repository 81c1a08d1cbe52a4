#include "gameserver/PlayerOutbox.h"

#include <utility>

#include "core/PacketHeader.h"
#include "gameserver/GameSession.h"

namespace tavern::game {

namespace {

// The packets laid end to end in `bytes` (a buffer holds whole packets).
std::uint32_t CountPackets(std::span<const std::byte> bytes) {
    std::uint32_t count = 0;
    while (bytes.size() >= kPacketHeaderSize) {
        const PacketHeader header = ReadPacketHeader(bytes.data());
        if (header.size < kPacketHeaderSize || header.size > bytes.size()) break;
        bytes = bytes.subspan(header.size);
        ++count;
    }
    return count;
}

// The offset of packet `index` (0-based) in `bytes`.
std::size_t OffsetOfPacket(std::span<const std::byte> bytes, std::uint64_t index) {
    std::size_t offset = 0;
    for (std::uint64_t i = 0; i < index && bytes.size() - offset >= kPacketHeaderSize; ++i)
        offset += ReadPacketHeader(bytes.data() + offset).size;
    return offset;
}

}  // namespace

PlayerOutbox::PlayerOutbox(std::size_t limitBytes, Clock::duration keepFor)
    : _limitBytes(limitBytes), _keepFor(keepFor) {}

void PlayerOutbox::Deliver(SendBufferRef buffer) {
    if (!buffer) return;
    const std::uint32_t count = CountPackets(buffer->Bytes());
    std::function<void()> overflow;
    {
        std::lock_guard guard(_lock);
        const auto now = Clock::now();
        if (_attached) {
            if (const auto session = _session.lock()) session->Send(buffer);
        }
        _kept.push_back({std::move(buffer), _sent + 1, count, now});
        _keptBytes += _kept.back().buffer->Size();
        _sent += count;
        if (_attached) {
            Trim(now);
        } else if (_keptBytes > _limitBytes && _onOverflow) {
            overflow = std::move(_onOverflow);
            _onOverflow = nullptr;
        }
    }
    if (overflow) overflow();
}

void PlayerOutbox::Trim(Clock::time_point now) {
    while (!_kept.empty() && (_keptBytes > _limitBytes || now - _kept.front().at > _keepFor)) {
        _keptBytes -= _kept.front().buffer->Size();
        _kept.pop_front();
    }
}

void PlayerOutbox::Attach(const std::shared_ptr<GameSession>& session, const SendBufferRef& first) {
    std::lock_guard guard(_lock);
    session->Send(first);
    _session = session;
    _raw = session.get();
    _attached = true;
    _onOverflow = nullptr;
}

std::optional<std::uint64_t> PlayerOutbox::Resume(const std::shared_ptr<GameSession>& session,
                                                  std::uint64_t received,
                                                  const SendBufferRef& first) {
    std::lock_guard guard(_lock);
    const std::uint64_t oldest = _kept.empty() ? _sent + 1 : _kept.front().first;
    if (received > _sent || received + 1 < oldest) return std::nullopt;
    _session = session;
    _raw = session.get();
    _attached = true;
    _onOverflow = nullptr;
    session->Send(first);
    for (const Kept& kept : _kept) {
        if (kept.first + kept.count <= received + 1) continue;  // the client has all of it
        if (kept.first > received) {
            session->Send(kept.buffer);
        } else {  // the client has its first packets: the rest, as a slice
            const std::size_t offset =
                OffsetOfPacket(kept.buffer->Bytes(), received + 1 - kept.first);
            session->Send(SendBuffer::Slice(kept.buffer, offset, kept.buffer->Size() - offset));
        }
    }
    Trim(Clock::now());
    return _sent - received;
}

void PlayerOutbox::Detach(const GameSession* session, std::function<void()> onOverflow) {
    std::function<void()> overflow;
    {
        std::lock_guard guard(_lock);
        // Taken over by another session already: that one holds the player now.
        if (session != nullptr && _attached && _raw != session) return;
        _attached = false;
        _session.reset();
        _raw = nullptr;
        _onOverflow = std::move(onOverflow);
        if (_keptBytes > _limitBytes && _onOverflow) overflow = std::exchange(_onOverflow, nullptr);
    }
    if (overflow) overflow();
}

std::shared_ptr<GameSession> PlayerOutbox::Session() const {
    std::lock_guard guard(_lock);
    return _attached ? _session.lock() : nullptr;
}

std::uint64_t PlayerOutbox::Sent() const {
    std::lock_guard guard(_lock);
    return _sent;
}

std::size_t PlayerOutbox::KeptBytes() const {
    std::lock_guard guard(_lock);
    return _keptBytes;
}

}  // namespace tavern::game
