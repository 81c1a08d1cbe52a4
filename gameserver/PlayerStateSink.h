#pragma once

#include <cstdint>

namespace tavern::game {

// Where a player is, or was when it left its room (room 0: none yet).
struct SavedPosition {
    std::uint32_t roomId = 0;
    float x = 0;
    float y = 0;
};

// Where a player's room and position go to be saved (SaveScheduler with a store; nothing
// without one). Kept free of the store so the game builds where the store does not.
class PlayerStateSink {
public:
    virtual ~PlayerStateSink() = default;
    // Safe from any thread: `position` is the player's newest state. `left`: it just left or
    // dropped, so save it soon rather than with the next interval.
    virtual void Mark(std::uint64_t playerId, const SavedPosition& position, bool left) = 0;
};

}  // namespace tavern::game
