#include "gameserver/RoomManager.h"

#include <utility>

namespace tavern::game {

RoomManager::RoomManager(SchedulerRef scheduler, GameLimits limits)
    : _scheduler(std::move(scheduler)), _limits(limits) {}

RoomRef RoomManager::FindOrCreate(std::uint32_t id, std::string& reason) {
    std::lock_guard guard(_lock);
    if (const auto found = _rooms.find(id); found != _rooms.end()) return found->second;
    if (_rooms.size() >= _limits.maxRooms) {
        reason = "the server has its maximum of " + std::to_string(_limits.maxRooms) + " rooms";
        return nullptr;
    }
    auto room = std::make_shared<Room>(id, _scheduler, _limits);
    _rooms.emplace(id, room);
    return room;
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
