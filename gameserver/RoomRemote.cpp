// Room's side of a cluster (see RoomLink.h): what the link needs of the room. Built everywhere;
// without a link none of it is reached but the checks for one.
#include <utility>

#include "gameserver/Room.h"

namespace tavern::game {

void Room::AttachLink(std::unique_ptr<RoomLink> link) {
    _link = std::move(link);
    // The room's first job: nobody else has the room yet.
    DoAsync([self = SharedAs<Room>()] { self->_link->Start(); });
}

bool Room::Diverted(RoomCall&& call) {
    if (!_link || _replaying || !_link->Diverts()) return false;
    _link->Divert(std::move(call));
    return true;
}

void Room::Replay(RoomCall call) {
    _replaying = true;
    switch (call.kind) {
        case RoomCall::Kind::Enter:
            Enter(call.player);
            break;
        case RoomCall::Kind::Chat:
            Chat(call.player, std::move(call.text));
            break;
        case RoomCall::Kind::Move:
            Move(call.player, call.x, call.y);
            break;
        case RoomCall::Kind::Leave:
            Leave(call.player, call.notify);
            break;
    }
    _replaying = false;
}

bool Room::IsGhost(const PlayerRef& player) const {
    return _link && _link->IsGhost(*player);
}

void Room::DeliverTo(const PlayerRef& player, SendBufferRef buffer) const {
    if (IsGhost(player)) {
        std::vector<SendBufferRef> packets;
        packets.push_back(std::move(buffer));
        return _link->Direct(*player, std::move(packets), false);
    }
    player->Deliver(std::move(buffer));
}

std::vector<PlayerRef> Room::Everyone() const {
    std::vector<PlayerRef> everyone(_members);
    everyone.reserve(_members.size() + _ghosts.size());
    for (const auto& [id, ghost] : _ghosts) everyone.push_back(ghost);
    return everyone;
}

void Room::AddMember(const PlayerRef& player) {
    _index.emplace(player->Id(), _members.size());
    _members.push_back(player);
    _batch.AddMember();
    _memberCount.store(_members.size(), std::memory_order_relaxed);
    Regroup();
}

bool Room::RemoveMember(std::uint64_t playerId) {
    const auto found = _index.find(playerId);
    if (found == _index.end()) return false;
    const std::size_t slot = found->second;
    // The leaver still gets what was said while it was here, alone; nobody else is flushed.
    _packetsOut.fetch_add(_batch.RemoveMember(slot, _members), std::memory_order_relaxed);
    _index.erase(found);
    if (slot + 1 != _members.size()) {
        _members[slot] = std::move(_members.back());
        _index[_members[slot]->Id()] = slot;
    }
    _members.pop_back();
    _memberCount.store(_members.size(), std::memory_order_relaxed);
    Regroup();
    return true;
}

void Room::AddGhost(const PlayerRef& player) {
    _ghosts[player->Id()] = player;
}

bool Room::RemoveGhost(std::uint64_t playerId) {
    return _ghosts.erase(playerId) > 0;
}

}  // namespace tavern::game
