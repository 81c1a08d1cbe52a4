#include "gameserver/ResumeRegistry.h"

#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "gameserver/ResumeToken.h"
#include "gameserver/RoomRequest.h"
#include "gameserver/SessionManager.h"

namespace tavern::game {

ResumeRegistry::ResumeRegistry(const SchedulerRef& scheduler, Clock::duration window,
                               std::shared_ptr<SessionManager> sessions)
    : JobQueue(scheduler), _window(window), _sessions(std::move(sessions)) {}

std::size_t ResumeRegistry::AwayCount() const {
    std::lock_guard guard(_lock);
    return _away;
}

std::string ResumeRegistry::Issue(const PlayerRef& player) {
    std::string token = NewResumeToken();
    std::lock_guard guard(_lock);
    Entry& entry = _players[player->Id()];
    if (!entry.token.empty()) _tokens.erase(entry.token);
    entry.token = token;
    entry.player = player;
    entry.raw = player.get();
    _tokens[token] = player->Id();
    return token;
}

void ResumeRegistry::Revoke(std::uint64_t playerId) {
    std::lock_guard guard(_lock);
    const auto found = _players.find(playerId);
    if (found == _players.end()) return;
    if (!found->second.token.empty()) _tokens.erase(found->second.token);
    found->second.token.clear();
    if (!found->second.away) _players.erase(found);
}

ResumeRegistry::Claim ResumeRegistry::HandOver(Entry& entry) {
    Claim claim{std::move(entry.away), std::move(entry.room), true};
    entry.away = nullptr;
    entry.room = nullptr;
    ++entry.generation;  // the window's timer and an overflow find nothing to do
    return claim;
}

std::optional<ResumeRegistry::Claim> ResumeRegistry::Redeem(const std::string& token) {
    std::lock_guard guard(_lock);
    const auto named = _tokens.find(token);
    if (named == _tokens.end()) return std::nullopt;
    const std::uint64_t playerId = named->second;
    _tokens.erase(named);  // a token works once
    const auto found = _players.find(playerId);
    if (found == _players.end()) return std::nullopt;
    Entry& entry = found->second;
    entry.token.clear();
    if (entry.away) {
        --_away;
        return HandOver(entry);
    }
    PlayerRef player = entry.player.lock();
    if (!player) {
        _players.erase(found);
        return std::nullopt;
    }
    return Claim{std::move(player), nullptr, false};
}

std::optional<ResumeRegistry::Claim> ResumeRegistry::TakeAway(std::uint64_t playerId) {
    std::lock_guard guard(_lock);
    const auto found = _players.find(playerId);
    if (found == _players.end() || !found->second.away) return std::nullopt;
    --_away;
    return HandOver(found->second);
}

void ResumeRegistry::MarkAway(PlayerRef player, std::shared_ptr<Room> room) {
    MarkAway(std::move(player), std::move(room), nullptr);
}

void ResumeRegistry::MarkAway(PlayerRef player, std::shared_ptr<Room> room,
                              const GameSession* from) {
    const std::uint64_t playerId = player->Id();
    std::uint64_t generation = 0;
    {
        std::lock_guard guard(_lock);
        if (!Enabled() || _stopped) {
            // No resume: the player leaves now, as a drop always did.
        } else {
            Entry& entry = _players[playerId];
            entry.player = player;
            entry.raw = player.get();
            if (!entry.away) ++_away;
            entry.away = player;
            entry.room = room;
            generation = ++entry.generation;
        }
    }
    if (generation == 0) return Finish(player, room);
    // Packets sent to it from now on are only kept; past the bound it leaves for good.
    std::weak_ptr<JobQueue> weak = weak_from_this();
    player->Outbox().Detach(from, [weak, playerId, generation] {
        if (const auto self = weak.lock())
            std::static_pointer_cast<ResumeRegistry>(self)->DoAsync(&ResumeRegistry::Expire,
                                                                    playerId, generation, true);
    });
    DoTimer(_window, &ResumeRegistry::Expire, playerId, generation, false);
}

void ResumeRegistry::Expire(std::uint64_t playerId, std::uint64_t generation, bool overflow) {
    Claim claim;
    {
        std::lock_guard guard(_lock);
        const auto found = _players.find(playerId);
        if (found == _players.end() || !found->second.away ||
            found->second.generation != generation)
            return;  // resumed, taken over, or away again since
        --_away;
        claim = HandOver(found->second);
    }
    (overflow ? _counters.overflowed : _counters.windowEnded)
        .fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("player {}: {}; it leaves for good", playerId,
                  overflow ? "its replay buffer overflowed while away" : "the resume window ended");
    Finish(claim.player, claim.room);
}

void ResumeRegistry::Reinstate(const PlayerRef& player, const std::string& token) {
    std::lock_guard guard(_lock);
    const auto found = _players.find(player->Id());
    if (found == _players.end() || found->second.raw != player.get() ||
        !found->second.token.empty() || _tokens.contains(token))
        return;
    found->second.token = token;
    _tokens[token] = player->Id();
}

void ResumeRegistry::Finish(const PlayerRef& player, const std::shared_ptr<Room>& room) {
    if (!player) return;
    {
        std::lock_guard guard(_lock);
        const auto found = _players.find(player->Id());
        if (found != _players.end() && found->second.raw == player.get() && !found->second.away) {
            if (!found->second.token.empty()) _tokens.erase(found->second.token);
            _players.erase(found);
        }
    }
    if (room) player->PostRequest(RoomRequest::Leave(room, false));  // S_DESPAWN, and a save
    _sessions->RemovePlayer(player->Id());
}

void ResumeRegistry::Stop() {
    std::vector<Claim> away;
    {
        std::lock_guard guard(_lock);
        _stopped = true;
        for (auto& [id, entry] : _players)
            if (entry.away) away.push_back(HandOver(entry));
        _away = 0;
    }
    for (const Claim& claim : away) Finish(claim.player, claim.room);
}

}  // namespace tavern::game
