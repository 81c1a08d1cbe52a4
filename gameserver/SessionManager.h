#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <string>

#include "gameserver/ClusterLink.h"
#include "gameserver/Player.h"

namespace tavern::game {

class GameSession;

// The live game sessions and the logged-in players, by id. Both are held weakly: the service
// owns sessions, sessions own players; this is an index and a count, never an owner.
class SessionManager {
public:
    // Safe from any thread.
    void AddSession(const std::shared_ptr<GameSession>& session);
    void RemoveSession(std::uint64_t sessionId);
    void AddPlayer(const PlayerRef& player);
    void RemovePlayer(std::uint64_t playerId);
    // Safe from any thread. Unique for the server's lifetime; never 0.
    std::uint64_t NextPlayerId() { return _nextPlayerId.fetch_add(1, std::memory_order_relaxed); }

    // Safe from any thread.
    std::size_t SessionCount() const;
    std::size_t PlayerCount() const;
    // Safe from any thread: the player `id`, or nullptr if it logged out or never was.
    PlayerRef FindPlayer(std::uint64_t id) const;
    // Safe from any thread: a logged-in player named `name`, or nullptr. A scan of the players
    // (whispers are rare next to chat and moves).
    PlayerRef FindPlayerByName(const std::string& name) const;
    // Before the server starts: told of every player added and removed (the cluster's player
    // directory). Held weakly.
    void SetPresence(std::weak_ptr<ClusterLink> presence) { _presence = std::move(presence); }

private:
    mutable std::mutex _lock;
    std::unordered_map<std::uint64_t, std::weak_ptr<GameSession>> _sessions;
    std::unordered_map<std::uint64_t, std::weak_ptr<Player>> _players;
    std::atomic<std::uint64_t> _nextPlayerId{1};
    std::weak_ptr<ClusterLink> _presence;  // set before the start, read-only after
};

}  // namespace tavern::game
