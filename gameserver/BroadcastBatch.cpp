#include "gameserver/BroadcastBatch.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "gameserver/GameSession.h"

namespace tavern::game {

void BroadcastBatch::Add(SendBufferRef packet, std::uint64_t except) {
    _packets.push_back({std::move(packet), except});
}

bool BroadcastBatch::Empty() const {
    const std::uint64_t end = End();
    return std::all_of(_sent.begin(), _sent.end(), [end](std::uint64_t s) { return s == end; });
}

void BroadcastBatch::Regroup(std::size_t members, std::size_t groupSize, std::size_t maxGroups) {
    assert(Empty());
    const std::size_t groups = std::clamp<std::size_t>(members / std::max<std::size_t>(groupSize, 1),
                                                       1, std::max<std::size_t>(maxGroups, 1));
    _sent.assign(groups, End());
}

SendBufferRef BroadcastBatch::Join(std::uint64_t from) const {
    const auto first = _packets.begin() + static_cast<std::ptrdiff_t>(from - _base);
    if (first == _packets.end()) return nullptr;
    if (first + 1 == _packets.end()) return first->packet;  // nothing to join: share the packet
    std::size_t bytes = 0;
    for (auto it = first; it != _packets.end(); ++it) bytes += it->packet->Size();
    SendBufferRef joined = SendBuffer::Make(bytes);
    std::byte* out = joined->Data();
    for (auto it = first; it != _packets.end(); ++it) {
        std::memcpy(out, it->packet->Data(), it->packet->Size());
        out += it->packet->Size();
    }
    return joined;
}

std::uint64_t BroadcastBatch::SendWithout(GameSession& session, const SendBufferRef& joined,
                                          std::uint64_t from, std::uint64_t playerId) const {
    std::uint64_t delivered = 0;
    std::size_t offset = 0;    // of the packet at `it` in `joined`
    std::size_t runStart = 0;  // of the run of packets `playerId` gets, not yet sent
    for (auto it = _packets.begin() + static_cast<std::ptrdiff_t>(from - _base);
         it != _packets.end(); ++it) {
        if (it->except == playerId) {
            if (offset > runStart)
                session.Send(SendBuffer::Slice(joined, runStart, offset - runStart));
            runStart = offset + it->packet->Size();
        } else {
            ++delivered;
        }
        offset += it->packet->Size();
    }
    if (offset > runStart) session.Send(SendBuffer::Slice(joined, runStart, offset - runStart));
    return delivered;
}

std::uint64_t BroadcastBatch::FlushGroup(std::size_t group, std::span<const PlayerRef> members) {
    const std::uint64_t from = _sent[group];
    if (from == End()) return 0;

    // Who this range leaves out: the movers of its S_MOVEs (few; sorted for the look-ups).
    std::vector<std::uint64_t> leftOut;
    for (auto it = _packets.begin() + static_cast<std::ptrdiff_t>(from - _base);
         it != _packets.end(); ++it)
        if (it->except != 0) leftOut.push_back(it->except);
    std::sort(leftOut.begin(), leftOut.end());

    // The group's share of the members: a contiguous run of slots.
    const std::size_t groups = _sent.size();
    const std::size_t begin = members.size() * group / groups;
    const std::size_t end = members.size() * (group + 1) / groups;

    // One buffer for the whole group, movers included: a mover gets slices of it around its
    // own S_MOVEs, not a copy, so the tick's packets are in memory once however many move.
    const std::uint64_t count = End() - from;
    SendBufferRef shared;  // made on first use: the group may be empty
    std::uint64_t delivered = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const PlayerRef& member = members[i];
        const auto session = member->Session();
        if (!session) continue;
        if (!shared) shared = Join(from);
        if (std::binary_search(leftOut.begin(), leftOut.end(), member->Id())) {
            delivered += SendWithout(*session, shared, from, member->Id());
        } else {
            session->Send(shared);
            delivered += count;
        }
    }
    _sent[group] = End();
    DropSentByAll();
    return delivered;
}

std::uint64_t BroadcastBatch::FlushAll(std::span<const PlayerRef> members) {
    std::uint64_t delivered = 0;
    for (std::size_t group = 0; group < _sent.size(); ++group)
        delivered += FlushGroup(group, members);
    return delivered;
}

void BroadcastBatch::DropSentByAll() {
    const std::uint64_t oldest = *std::min_element(_sent.begin(), _sent.end());
    while (_base < oldest) {
        _packets.pop_front();
        ++_base;
    }
}

}  // namespace tavern::game
