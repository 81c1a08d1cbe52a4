#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gameserver/PlayerStateSink.h"

namespace tavern::game {

class GameSession;

// A login that must first end the same account's session on another node of a cluster (the
// account is online there). The one implementation is KickRelay (on the bus; Linux only);
// without a cluster there is none (GameContext::takeover is null).
class RemoteTakeover {
public:
    // Where the player was left by the session ended elsewhere; nullopt: no other node had it
    // (or none could be asked, and the login goes on with what the store returned).
    using Then = std::function<void(std::optional<SavedPosition>)>;

    virtual ~RemoteTakeover() = default;

    // On `session`'s job queue, once the store has granted it a login to `playerId` (the
    // account named `name`): ends that account's session on any other node (S_KICKED there)
    // and waits until its state is saved; `then` runs as a job on `session`.
    virtual void EndElsewhere(GameSession& session, std::uint64_t playerId, const std::string& name,
                              Then then) = 0;
};

}  // namespace tavern::game
