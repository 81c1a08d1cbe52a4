#include "gameserver/SessionManager.h"

#include "gameserver/GameSession.h"

namespace tavern::game {

void SessionManager::AddSession(const std::shared_ptr<GameSession>& session) {
    std::lock_guard guard(_lock);
    _sessions.emplace(session->Id(), session);
}

void SessionManager::RemoveSession(std::uint64_t sessionId) {
    std::lock_guard guard(_lock);
    _sessions.erase(sessionId);
}

void SessionManager::AddPlayer(const PlayerRef& player) {
    {
        std::lock_guard guard(_lock);
        _players.emplace(player->Id(), player);
    }
    if (auto presence = _presence.lock()) presence->PlayerOnline(player->Id(), player->Name());
}

void SessionManager::RemovePlayer(std::uint64_t playerId) {
    {
        std::lock_guard guard(_lock);
        _players.erase(playerId);
    }
    if (auto presence = _presence.lock()) presence->PlayerOffline(playerId);
}

std::size_t SessionManager::SessionCount() const {
    std::lock_guard guard(_lock);
    return _sessions.size();
}

std::size_t SessionManager::PlayerCount() const {
    std::lock_guard guard(_lock);
    return _players.size();
}

PlayerRef SessionManager::FindPlayerByName(const std::string& name) const {
    std::lock_guard guard(_lock);
    for (const auto& [id, weak] : _players) {
        PlayerRef player = weak.lock();
        if (player && player->Name() == name) return player;
    }
    return nullptr;
}

PlayerRef SessionManager::FindPlayer(std::uint64_t id) const {
    std::lock_guard guard(_lock);
    const auto found = _players.find(id);
    return found == _players.end() ? nullptr : found->second.lock();
}

}  // namespace tavern::game
