// GameSession's side of a seamless reconnect (the C_LOGIN with a resume token). Kept apart from
// GameSession.cpp, which handles the ordinary requests.
//
//   client                     new session S2                 old session S1 (maybe gone)
//     |-- C_LOGIN{token T, received N} -->|
//     |                                   |-- Redeem(T): the player; T used up
//     |                                   |-- if S1 still holds it: Ask S1 to let go --> closes
//     |<-- S_LOGIN{resumed, received M, T2}
//     |<-- server packets N+1 .. (kept in the player's outbox), then live traffic
//     |-- client packets M+1 .. again, then new ones -->
#include <spdlog/spdlog.h>

#include "ServerPackets.h"
#include "gameserver/GameSession.h"
#include "jobs/Ask.h"

namespace tavern::game {

using Protocol::ServerPacketHandler;

namespace {

// How long a resume waits for the old session to let go of the player.
constexpr auto kReleaseWait = std::chrono::seconds(2);
constexpr auto kExpired = "resume expired";

}  // namespace

bool GameSession::ReleaseForResume() {
    if (!_player) return false;
    // Away, handed over through the registry rather than to the asker: if the resuming session
    // is gone before it takes the player, the player is away as after any drop, not lost.
    // Nothing this session handles from now on counts: it has no player any more.
    if (_context->directory) _context->directory->Release(_player->Id(), this);
    _player->SetHandled(_handled);
    _context->resumes->MarkAway(std::move(_player), std::move(_room), this);
    _player = nullptr;
    _room = nullptr;
    Disconnect("resumed on another connection");
    return true;
}

void GameSession::Resume(const Protocol::C_LOGIN& pkt) {
    ResumeRegistry& resumes = *_context->resumes;
    std::optional<ResumeRegistry::Claim> claim;
    if (resumes.Enabled()) claim = resumes.Redeem(pkt.resume_token());
    if (!claim) return RefuseResume();
    const std::uint64_t received = pkt.received();
    if (claim->away) return CompleteResume(std::move(*claim), received, pkt.resume_token());

    // Online: the old connection may be silently dead (Wi-Fi to LTE). It lets go at once.
    const std::uint64_t playerId = claim->player->Id();
    const GameSessionRef old = claim->player->Session();
    claim.reset();
    if (old && old.get() != this) {
        _loginPending = true;
        Ask(
            *this, old, [](GameSession& target) { return target.ReleaseForResume(); }, kReleaseWait,
            [this, playerId, received, token = pkt.resume_token()](AskResult<bool>) {
                // Whatever the answer (let go, had already dropped it, closed, no answer in
                // time): the player is away now if it is anywhere.
                _loginPending = false;
                auto away = _context->resumes->TakeAway(playerId);
                if (!away) return RefuseResume();
                CompleteResume(std::move(*away), received, token);
            });
        return;
    }
    // Its session is dropping right now: away, or about to be.
    if (auto away = resumes.TakeAway(playerId))
        return CompleteResume(std::move(*away), received, pkt.resume_token());
    RefuseResume();
}

void GameSession::CompleteResume(ResumeRegistry::Claim claim, std::uint64_t received,
                                 const std::string& token) {
    ResumeRegistry& resumes = *_context->resumes;
    PlayerRef player = std::move(claim.player);
    if (_disconnected || !IsConnected()) {
        // This connection dropped too, before any answer: away again, and the token that the
        // client still holds works once more (it was not answered).
        resumes.MarkAway(player, std::move(claim.room));
        return resumes.Reinstate(player, token);
    }
    Protocol::S_LOGIN answer;
    answer.set_success(true);
    answer.set_resumed(true);
    answer.set_player_id(player->Id());
    answer.set_received(player->Handled());
    answer.set_resume_token(resumes.Issue(player));
    const auto replayed =
        player->Outbox().Resume(Self(), received, ServerPacketHandler::MakeSendBuffer(answer));
    if (!replayed) {
        // Claims to have received more than was sent, or what it lacks is no longer kept.
        resumes.Finish(player, claim.room);
        return RefuseResume();
    }
    _player = std::move(player);
    _room = std::move(claim.room);
    _handled = _player->Handled();
    _leftGame = false;
    _context->sessions->AddPlayer(_player);
    if (_context->directory) _context->directory->Claim(_player->Id(), Self());
    resumes.CountResumed();
    spdlog::debug("session {}: resumed player {} ({} packets replayed)", Session::Id(),
                  _player->Id(), *replayed);
}

void GameSession::RefuseResume() {
    _context->resumes->CountRefused();
    RefuseLogin(kExpired);
}

}  // namespace tavern::game
