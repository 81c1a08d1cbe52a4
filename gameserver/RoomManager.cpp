#include "gameserver/RoomManager.h"

#include <utility>

namespace tavern::game {

RoomManager::RoomManager(SchedulerRef scheduler, GameLimits limits)
    : _scheduler(std::move(scheduler)), _limits(limits) {}

RoomRef RoomManager::Reserve(std::uint32_t id, const std::string& address, bool mayCreate,
                             bool& created, std::string& reason) {
    std::lock_guard guard(_lock);
    created = false;
    if (const auto found = _rooms.find(id); found != _rooms.end()) {
        found->second->ReserveEntry();
        return found->second;
    }
    if (_rooms.size() >= _limits.maxRooms) {
        reason = "the server has its maximum of " + std::to_string(_limits.maxRooms) + " rooms";
        return nullptr;
    }
    std::size_t& byAddress = _roomsByAddress[address];
    if (byAddress >= _limits.maxRoomsPerAddress) {
        reason = "clients from your address have made " +
                 std::to_string(_limits.maxRoomsPerAddress) + " rooms; enter one of them";
        return nullptr;
    }
    if (!mayCreate) {
        reason = "making rooms too often; wait a moment";
        return nullptr;
    }
    ++byAddress;
    auto room = std::make_shared<Room>(id, _scheduler, _limits, weak_from_this(), address);
    room->ReserveEntry();
    if (_makeLink) room->AttachLink(_makeLink(*room));
    _rooms.emplace(id, room);
    created = true;
    return room;
}

void RoomManager::ReclaimIfIdle(const Room& room) {
    std::lock_guard guard(_lock);
    if (room.MemberCount() != 0 || room.ReservedEntries() != 0) return;
    const auto found = _rooms.find(room.RoomId());
    if (found == _rooms.end() || found->second.get() != &room) return;
    _rooms.erase(found);
    if (const auto byAddress = _roomsByAddress.find(room.Creator());
        byAddress != _roomsByAddress.end() && --byAddress->second == 0)
        _roomsByAddress.erase(byAddress);
}

RoomRef RoomManager::Find(std::uint32_t id) const {
    std::lock_guard guard(_lock);
    const auto found = _rooms.find(id);
    return found == _rooms.end() ? nullptr : found->second;
}

std::size_t RoomManager::RoomCount() const {
    std::lock_guard guard(_lock);
    return _rooms.size();
}

std::size_t RoomManager::PlayersInGame() const {
    std::lock_guard guard(_lock);
    std::size_t players = 0;
    for (const auto& [id, room] : _rooms) players += room->MemberCount();
    return players;
}

std::uint64_t RoomManager::PacketsOut() const {
    std::lock_guard guard(_lock);
    std::uint64_t packets = 0;
    for (const auto& [id, room] : _rooms) packets += room->PacketsOut();
    return packets;
}

}  // namespace tavern::game
