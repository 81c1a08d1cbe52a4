#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gameserver/Player.h"
#include "jobs/JobQueue.h"

namespace tavern::game {

class GameSession;
class Room;
class SessionManager;

// Counts of the resume path, for /metrics. Safe from any thread.
struct ResumeCounters {
    std::atomic<std::uint64_t> resumed{0};      // a token redeemed, the stream replayed
    std::atomic<std::uint64_t> refused{0};      // "resume expired": unknown, used, forged, too old
    std::atomic<std::uint64_t> windowEnded{0};  // away for the whole window: left for good
    std::atomic<std::uint64_t> overflowed{0};   // away, and the replay buffer overflowed
};

// The resume tokens and the players that are away. A token names one player and works once
// (each successful login or resume issues the next). A player whose connection ended without
// C_LEAVE_GAME is away: it stays in its room, others see nothing, its outbox keeps what is
// sent to it, and this registry holds it until a resume takes it back, or until the window
// ends or its outbox overflows, when it leaves for good (others see S_DESPAWN, its state is
// saved by the room's leave). An actor only for its timers; the maps are under a lock.
class ResumeRegistry final : public JobQueue {
public:
    // `window` 0: disabled (no tokens are issued, drops leave at once).
    ResumeRegistry(const SchedulerRef& scheduler, Clock::duration window,
                   std::shared_ptr<SessionManager> sessions);

    // Safe from any thread.
    bool Enabled() const { return _window > Clock::duration::zero(); }
    const ResumeCounters& Counters() const { return _counters; }
    std::size_t AwayCount() const;
    void CountResumed() { _counters.resumed.fetch_add(1, std::memory_order_relaxed); }
    void CountRefused() { _counters.refused.fetch_add(1, std::memory_order_relaxed); }

    // Safe from any thread: a new token for `player`; its previous one stops working.
    std::string Issue(const PlayerRef& player);
    // Safe from any thread: `playerId` logged out or was taken over: its token stops working.
    // An away player is not touched (see TakeAway).
    void Revoke(std::uint64_t playerId);

    struct Claim {
        PlayerRef player;
        std::shared_ptr<Room> room;  // set when it was away (the room it is in, or null)
        bool away = false;
    };
    // Safe from any thread: the player `token` names, the token used up; an away player is
    // handed over (the caller now holds it, its window timer is void). nullopt: unknown.
    std::optional<Claim> Redeem(const std::string& token);
    // Safe from any thread: if `playerId` is away, hands it over as Redeem does.
    std::optional<Claim> TakeAway(std::uint64_t playerId);

    // Safe from any thread: the player's connection ended without C_LEAVE_GAME; `room` is the
    // room it is in (or null). After Stop, or when disabled, it leaves for good at once.
    void MarkAway(PlayerRef player, std::shared_ptr<Room> room);
    // As above, detaching `from` (the session that held it) from the player's outbox first.
    void MarkAway(PlayerRef player, std::shared_ptr<Room> room, const GameSession* from);
    // Safe from any thread: `token`, used up by a resume that never got to answer, names
    // `player` again (if it has no newer one).
    void Reinstate(const PlayerRef& player, const std::string& token);
    // Safe from any thread: `player` (handed over by Redeem or TakeAway) leaves for good.
    void Finish(const PlayerRef& player, const std::shared_ptr<Room>& room);

    // Safe from any thread: from now on nobody goes away; every away player leaves for good.
    void Stop();

private:
    struct Entry {
        std::string token;  // empty once used or revoked
        std::weak_ptr<Player> player;
        const Player* raw = nullptr;  // whose entry this is (an account's id outlives a Player)
        PlayerRef away;               // set while away
        std::shared_ptr<Room> room;
        std::uint64_t generation = 0;  // bumped at each change of away state
    };
    // On this queue: the window ended, or the outbox overflowed (`overflow`).
    void Expire(std::uint64_t playerId, std::uint64_t generation, bool overflow);
    // Under _lock: hands `entry`'s away player over.
    static Claim HandOver(Entry& entry);

    const Clock::duration _window;
    const std::shared_ptr<SessionManager> _sessions;
    mutable std::mutex _lock;
    std::unordered_map<std::string, std::uint64_t> _tokens;  // token -> player id
    std::unordered_map<std::uint64_t, Entry> _players;
    std::size_t _away = 0;
    bool _stopped = false;
    ResumeCounters _counters;
};

}  // namespace tavern::game
