#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace tavern::game {

class GameSession;

// Which session each online account is logged in on, so that a newer login can take over.
// Holds sessions weakly: an index, never an owner.
class PlayerDirectory {
public:
    // Safe from any thread. Makes `session` the account's session and returns the one it
    // replaces, if that one is still alive (nullptr otherwise).
    std::shared_ptr<GameSession> Claim(std::uint64_t playerId,
                                       const std::shared_ptr<GameSession>& session);
    // Safe from any thread. Forgets the account's entry if it is still `session`'s.
    void Release(std::uint64_t playerId, const GameSession* session);
    // Safe from any thread: the account's session, if it has a live one (a kick from another
    // node of a cluster).
    std::shared_ptr<GameSession> Find(std::uint64_t playerId) const;
    // Safe from any thread.
    std::size_t Online() const;

private:
    struct Entry {
        std::weak_ptr<GameSession> session;
        const GameSession* raw = nullptr;  // compared only, never dereferenced
    };
    mutable std::mutex _lock;
    std::unordered_map<std::uint64_t, Entry> _online;
};

}  // namespace tavern::game
