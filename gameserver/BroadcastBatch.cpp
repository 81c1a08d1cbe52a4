#include "gameserver/BroadcastBatch.h"

#include <algorithm>
#include <cstring>

#include "gameserver/GameSession.h"

namespace tavern::game {

void BroadcastBatch::Add(SendBufferRef packet, std::uint64_t except) {
    _packets.push_back({std::move(packet), except});
}

bool BroadcastBatch::Empty() const {
    const std::uint64_t end = End();
    return std::all_of(_cursors.begin(), _cursors.end(), [end](std::uint64_t c) { return c == end; });
}

void BroadcastBatch::AddMember() {
    _cursors.push_back(End());
}

std::uint64_t BroadcastBatch::RemoveMember(std::size_t slot, std::span<const PlayerRef> members) {
    std::uint64_t delivered = 0;
    const std::uint64_t cursor = _cursors[slot];
    // Delivered even to a player that is away: its outbox keeps it for a resume.
    if (cursor != End()) delivered = SendFrom(*members[slot], Join(cursor), cursor, cursor);
    _cursors[slot] = _cursors.back();
    _cursors.pop_back();
    DropSentByAll();
    return delivered;
}

void BroadcastBatch::Regroup(std::size_t members, std::size_t groupSize, std::size_t maxGroups,
                             std::size_t maxGroupMembers) {
    std::size_t groups = std::clamp<std::size_t>(members / std::max<std::size_t>(groupSize, 1), 1,
                                                 std::max<std::size_t>(maxGroups, 1));
    const std::size_t cap = std::max<std::size_t>(maxGroupMembers, 1);
    groups = std::max(groups, (members + cap - 1) / cap);
    _groups = std::max<std::size_t>(groups, 1);
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

std::uint64_t BroadcastBatch::SendFrom(Player& player, const SendBufferRef& joined,
                                       std::uint64_t from, std::uint64_t cursor) const {
    const std::uint64_t playerId = player.Id();
    std::uint64_t delivered = 0;
    std::size_t offset = 0;    // of the packet at `it` in `joined`
    std::size_t runStart = 0;  // of the run of packets the member gets, not yet sent
    std::uint64_t sequence = from;
    for (auto it = _packets.begin() + static_cast<std::ptrdiff_t>(from - _base);
         it != _packets.end(); ++it, ++sequence) {
        const std::size_t size = it->packet->Size();
        if (sequence < cursor || it->except == playerId) {
            if (offset > runStart)
                player.Deliver(SendBuffer::Slice(joined, runStart, offset - runStart));
            runStart = offset + size;
        } else {
            ++delivered;
        }
        offset += size;
    }
    if (runStart == 0 && offset > 0) {
        player.Deliver(joined);  // all of it: no slice needed
    } else if (offset > runStart) {
        player.Deliver(SendBuffer::Slice(joined, runStart, offset - runStart));
    }
    return delivered;
}

std::uint64_t BroadcastBatch::FlushGroup(std::size_t group, std::span<const PlayerRef> members) {
    // The group's share of the members: a contiguous run of slots.
    const std::size_t begin = members.size() * group / _groups;
    const std::size_t end = members.size() * (group + 1) / _groups;
    const std::uint64_t last = End();
    std::uint64_t from = last;
    for (std::size_t i = begin; i < end; ++i) from = std::min(from, _cursors[i]);
    if (from == last) return 0;

    // Who this range leaves out: movers and entrants (few; sorted for the look-ups).
    std::vector<std::uint64_t> leftOut;
    for (auto it = _packets.begin() + static_cast<std::ptrdiff_t>(from - _base);
         it != _packets.end(); ++it)
        if (it->except != 0) leftOut.push_back(it->except);
    std::sort(leftOut.begin(), leftOut.end());

    // One buffer for the whole group: a member that came in later or is left out of some
    // packets gets slices of it, not a copy.
    const SendBufferRef shared = Join(from);
    std::uint64_t delivered = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const std::uint64_t cursor = _cursors[i];
        if (cursor == last) continue;
        _cursors[i] = last;
        Player& member = *members[i];
        if (cursor == from && !std::binary_search(leftOut.begin(), leftOut.end(), member.Id())) {
            member.Deliver(shared);
            delivered += last - from;
        } else {
            delivered += SendFrom(member, shared, from, cursor);
        }
    }
    DropSentByAll();
    return delivered;
}

std::uint64_t BroadcastBatch::FlushAll(std::span<const PlayerRef> members) {
    std::uint64_t delivered = 0;
    for (std::size_t group = 0; group < _groups; ++group)
        delivered += FlushGroup(group, members);
    return delivered;
}

void BroadcastBatch::DropSentByAll() {
    const std::uint64_t oldest =
        _cursors.empty() ? End() : *std::min_element(_cursors.begin(), _cursors.end());
    while (_base < oldest) {
        _packets.pop_front();
        ++_base;
    }
}

}  // namespace tavern::game
