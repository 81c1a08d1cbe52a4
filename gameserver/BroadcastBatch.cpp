#include "gameserver/BroadcastBatch.h"

#include <algorithm>
#include <cstring>

#include "gameserver/GameSession.h"

namespace tavern::game {

void BroadcastBatch::Add(SendBufferRef packet, std::uint64_t except) {
    if (except != 0) {
        const auto at = std::lower_bound(_leftOut.begin(), _leftOut.end(), except);
        if (at == _leftOut.end() || *at != except) _leftOut.insert(at, except);
    }
    _packets.push_back({std::move(packet), except});
}

bool BroadcastBatch::LeavesOut(std::uint64_t playerId) const {
    return std::binary_search(_leftOut.begin(), _leftOut.end(), playerId);
}

SendBufferRef BroadcastBatch::Join(std::uint64_t playerId, std::size_t& count) const {
    const auto wanted = [playerId](const Pending& p) {
        return playerId == 0 || p.except != playerId;
    };
    std::size_t bytes = 0;
    count = 0;
    const Pending* only = nullptr;
    for (const Pending& p : _packets) {
        if (!wanted(p)) continue;
        bytes += p.packet->Size();
        ++count;
        only = &p;
    }
    if (count == 0) return nullptr;
    if (count == 1) return only->packet;  // nothing to join: share the packet itself
    SendBufferRef joined = SendBuffer::Make(bytes);
    std::byte* out = joined->Data();
    for (const Pending& p : _packets) {
        if (!wanted(p)) continue;
        std::memcpy(out, p.packet->Data(), p.packet->Size());
        out += p.packet->Size();
    }
    return joined;
}

std::uint64_t BroadcastBatch::Flush(const std::vector<PlayerRef>& members) {
    if (_packets.empty()) return 0;
    std::size_t sharedCount = 0;
    const SendBufferRef shared = Join(0, sharedCount);
    std::uint64_t delivered = 0;
    for (const PlayerRef& member : members) {
        const auto session = member->Session();
        if (!session) continue;
        if (!LeavesOut(member->Id())) {
            session->Send(shared);
            delivered += sharedCount;
            continue;
        }
        std::size_t count = 0;
        if (SendBufferRef own = Join(member->Id(), count)) {
            session->Send(std::move(own));
            delivered += count;
        }
    }
    _packets.clear();
    _leftOut.clear();
    return delivered;
}

}  // namespace tavern::game
