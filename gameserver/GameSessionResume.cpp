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

ResumeRegistry::Claim GameSession::ReleaseForResume() {
    if (!_player) return {};
    ResumeRegistry::Claim claim{std::move(_player), std::move(_room), false};
    _player = nullptr;
    _room = nullptr;
    // Nothing this session handles from now on counts: it has no player any more.
    claim.player->SetHandled(_handled);
    if (_context->directory) _context->directory->Release(claim.player->Id(), this);
    Disconnect("resumed on another connection");
    return claim;
}

void GameSession::Resume(const Protocol::C_LOGIN& pkt) {
    ResumeRegistry& resumes = *_context->resumes;
    std::optional<ResumeRegistry::Claim> claim;
    if (resumes.Enabled()) claim = resumes.Redeem(pkt.resume_token());
    if (!claim) return RefuseResume();
    const std::uint64_t received = pkt.received();
    if (claim->away) return CompleteResume(std::move(*claim), received);

    // Online: the old connection may be silently dead (Wi-Fi to LTE). It lets go at once.
    const std::uint64_t playerId = claim->player->Id();
    const GameSessionRef old = claim->player->Session();
    if (!old || old.get() == this) {  // dropping right now: away, or about to be
        if (auto away = resumes.TakeAway(playerId))
            return CompleteResume(std::move(*away), received);
        return RefuseResume();
    }
    _loginPending = true;
    Ask(
        *this, old, [](GameSession& target) { return target.ReleaseForResume(); }, kReleaseWait,
        [this, playerId, received](AskResult<ResumeRegistry::Claim> released) {
            _loginPending = false;
            std::optional<ResumeRegistry::Claim> taken;
            if (released && released.Value().player) {
                taken = std::move(released).Value();
            } else {
                // It went away (or was closed) before it could answer.
                taken = _context->resumes->TakeAway(playerId);
            }
            if (!taken) return RefuseResume();
            CompleteResume(std::move(*taken), received);
        });
}

void GameSession::CompleteResume(ResumeRegistry::Claim claim, std::uint64_t received) {
    ResumeRegistry& resumes = *_context->resumes;
    PlayerRef player = std::move(claim.player);
    if (_disconnected || !IsConnected()) {  // this connection dropped too: away again
        return resumes.MarkAway(std::move(player), std::move(claim.room));
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
