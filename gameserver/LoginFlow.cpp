#include "gameserver/LoginFlow.h"

#include <spdlog/spdlog.h>

#include "gameserver/AccountService.h"
#include "gameserver/GameContext.h"
#include "gameserver/GameSession.h"
#include "gameserver/ResumeRegistry.h"
#include "jobs/Ask.h"

namespace tavern::game {

namespace {

// Past this the login answers "service unavailable" (hashing at `interactive` takes ~0.1 s).
constexpr auto kLoginTimeout = std::chrono::seconds(30);
// How long a takeover waits for the old player to leave its room.
constexpr auto kTakeoverWait = std::chrono::seconds(2);
constexpr auto kKickReason = "logged in from another connection";

using Context = std::shared_ptr<const GameContext>;

struct Granted {
    std::uint64_t playerId = 0;
    std::string name;
    SavedPosition position;
    bool created = false;
};

void Grant(GameSession& session, const Context& context, Granted granted) {
    // A state still waiting to be saved is newer than what the store returned.
    if (const auto pending = context->accounts->Saves().Pending(granted.playerId))
        granted.position = *pending;
    session.FinishLogin(granted.playerId, granted.name, granted.position, granted.created);
}

// On the new session's job queue: waits until the old player has run its queued room requests
// (its leave among them), then grants the login with the position it had.
void AwaitLeave(GameSession& session, Context context, Granted granted, PlayerRef old,
                Clock::time_point deadline) {
    if (old && !old->Idle() && Clock::now() < deadline) {
        session.DoTimer(std::chrono::milliseconds(2),
                        [&session, context = std::move(context), granted = std::move(granted),
                         old = std::move(old), deadline]() mutable {
                            AwaitLeave(session, std::move(context), std::move(granted),
                                       std::move(old), deadline);
                        });
        return;
    }
    if (old && old->Idle()) granted.position = old->Position();
    Grant(session, context, std::move(granted));
}

void TakeOverHere(GameSession& session, const Context& context, Granted granted);

void OnAnswer(GameSession& session, const Context& context,
              AskResult<store::LoginOutcome> result) {
    StoreMetrics& metrics = context->accounts->Metrics();
    if (!result) {
        metrics.CountLogin(std::nullopt);
        spdlog::warn("session {}: login failed: {} {}", session.Session::Id(),
                     AskErrorName(result.ErrorKind()), result.Message());
        return session.RefuseLogin("service unavailable");
    }
    store::LoginOutcome outcome = std::move(result).Value();
    metrics.CountLogin(outcome.status);
    if (!outcome.Succeeded()) return session.RefuseLogin(std::string(ReasonText(outcome.status)));
    if (!session.IsConnected()) return;

    Granted granted{outcome.account.playerId, outcome.account.name,
                    SavedPosition{outcome.state.roomId, outcome.state.x, outcome.state.y},
                    outcome.status == store::LoginStatus::Created};
    // In a cluster the account may be online on another node: that session ends first (its
    // state saved), and this login starts where it left the player.
    if (context->takeover && !granted.created) {
        const std::uint64_t playerId = granted.playerId;
        const std::string name = granted.name;
        return context->takeover->EndElsewhere(
            session, playerId, name,
            [&session, context, granted = std::move(granted)](
                std::optional<SavedPosition> left) mutable {
                if (left) granted.position = *left;
                if (!session.IsConnected()) return;
                TakeOverHere(session, context, std::move(granted));
            });
    }
    TakeOverHere(session, context, std::move(granted));
}

// On the new session's job queue: the account's session or away player on this node, if any,
// ends, and the login is granted.
void TakeOverHere(GameSession& session, const Context& context, Granted granted) {
    // An away player of this account (its connection dropped, no resume came) leaves for good
    // first, as a kicked one would: others see S_DESPAWN, and the login gets its position.
    if (auto away = context->resumes->TakeAway(granted.playerId)) {
        spdlog::info("player {} ({}): session {} logs in while it was away", granted.playerId,
                     granted.name, session.Session::Id());
        context->resumes->Finish(away->player, away->room);
        context->directory->Claim(granted.playerId, session.Self());
        return AwaitLeave(session, context, std::move(granted), std::move(away->player),
                          Clock::now() + kTakeoverWait);
    }
    const auto old = context->directory->Claim(granted.playerId, session.Self());
    if (!old) return Grant(session, context, std::move(granted));

    spdlog::info("player {} ({}): session {} takes over from session {}", granted.playerId,
                 granted.name, session.Session::Id(), old->Session::Id());
    Ask(session, old, [](GameSession& target) { return target.KickForTakeover(kKickReason); },
        kTakeoverWait, [&session, context, granted](AskResult<PlayerRef> kicked) mutable {
            PlayerRef player = kicked ? std::move(kicked).Value() : nullptr;
            AwaitLeave(session, context, std::move(granted), std::move(player),
                       Clock::now() + kTakeoverWait);
        });
}

}  // namespace

void LoginFlow::Start(GameSession& session, const Context& context, std::string name,
                      std::string password) {
    AccountService* accounts = context->accounts.get();
    Ask(
        session, accounts->Executor(),
        [accounts, name = std::move(name), password = std::move(password),
         address = session.PeerAddress().Ip()] {
            store::LoginRequest request;
            request.name = name;
            request.password = password;
            request.address = address;
            request.allowRegister = accounts->AllowRegister();
            const auto started = std::chrono::steady_clock::now();
            store::LoginOutcome outcome = accounts->Accounts().Login(request);
            accounts->Metrics().Record(StoreMetrics::Call::Login,
                                       std::chrono::steady_clock::now() - started);
            return outcome;
        },
        kLoginTimeout,
        [&session, context](AskResult<store::LoginOutcome> result) {
            OnAnswer(session, context, std::move(result));
        });
}

}  // namespace tavern::game
