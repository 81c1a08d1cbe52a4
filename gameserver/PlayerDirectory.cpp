#include "gameserver/PlayerDirectory.h"

namespace tavern::game {

std::shared_ptr<GameSession> PlayerDirectory::Claim(std::uint64_t playerId,
                                                    const std::shared_ptr<GameSession>& session) {
    std::lock_guard guard(_lock);
    Entry& entry = _online[playerId];
    std::shared_ptr<GameSession> previous = entry.session.lock();
    entry.session = session;
    entry.raw = session.get();
    if (previous == session) return nullptr;
    return previous;
}

void PlayerDirectory::Release(std::uint64_t playerId, const GameSession* session) {
    std::lock_guard guard(_lock);
    const auto found = _online.find(playerId);
    if (found != _online.end() && found->second.raw == session) _online.erase(found);
}

std::shared_ptr<GameSession> PlayerDirectory::Find(std::uint64_t playerId) const {
    std::lock_guard guard(_lock);
    const auto found = _online.find(playerId);
    return found == _online.end() ? nullptr : found->second.session.lock();
}

std::size_t PlayerDirectory::Online() const {
    std::lock_guard guard(_lock);
    return _online.size();
}

}  // namespace tavern::game
