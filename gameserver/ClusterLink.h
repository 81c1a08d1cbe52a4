#pragma once

#include <cstdint>
#include <string>

namespace tavern::game {

class GameSession;
class Player;

// What the game asks of the other nodes of a cluster (gameserver --nats). Without a cluster
// there is none (GameContext::cluster is null) and everything stays on this node. The one
// implementation is ClusterNode (on the NATS bus; Linux only).
class ClusterLink {
public:
    virtual ~ClusterLink() = default;

    // Safe from any thread: a player logged in on this node / its player left it (the player
    // directory, by name, in the cluster's key-value bucket).
    virtual void PlayerOnline(std::uint64_t playerId, const std::string& name) = 0;
    virtual void PlayerOffline(std::uint64_t playerId) = 0;

    // On `from`'s job queue: delivers a whisper of `sender` to the player named `to`, who is not
    // on this node. `from` gets S_ERROR when no node has such a player or the bus is away.
    virtual void Whisper(GameSession& from, const Player& sender, const std::string& to,
                         const std::string& msg) = 0;
};

}  // namespace tavern::game
