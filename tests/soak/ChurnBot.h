#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "client/ServerListener.h"
#include "tests/soak/ChurnTally.h"

namespace tavern::client {
class ServerSession;
}

namespace tavern::soak {

// How a bot's connection ends.
enum class Exit : std::uint8_t {
    Clean,      // C_LEAVE_GAME, wait for S_LEAVE_GAME, close
    Abrupt,     // close (FIN) without leaving
    Reset,      // close with a TCP reset (SO_LINGER 0) without leaving
    MidLogin,   // close right after connecting, before S_LOGIN can arrive
    Reconnect,  // close without leaving (FIN or reset) and connect again at once, same name
    Resident,   // stay through the whole run; leave cleanly when told to
};

// When an Abrupt, Reset or Reconnect exit happens.
enum class Moment : std::uint8_t {
    InGame,      // after playing for `play`
    AfterLogin,  // on S_LOGIN, instead of entering
    MidEnter,    // on S_LOGIN, right after sending C_ENTER_GAME (before S_ENTER_GAME)
};

struct BotPlan {
    std::string name;
    std::uint32_t room = 1;
    Exit exit = Exit::Clean;
    Moment moment = Moment::InGame;
    std::chrono::milliseconds play{500};
    std::uint64_t seed = 0;
};

// What every bot of one run shares.
struct ChurnShared {
    ChurnTally tally;
    std::atomic<bool> stopping{false};  // set before the run stops the client service
    // Safe from any thread: starts a new connection following `plan` (reconnects use it).
    std::function<void(BotPlan)> connect;
};

// One soak client: connects, logs in, enters its room, chats, moves and pings at random
// intervals, and ends its connection the way its plan says. An actor like client::Bot: every
// call below and its timers run on its session's job queue, so its state needs no lock; what
// the run reads goes through the shared ChurnTally.
class ChurnBot final : public client::ServerListener {
public:
    ChurnBot(BotPlan plan, std::shared_ptr<ChurnShared> shared);

    // On the session's job queue: leave cleanly now (the residents, at the end of the run).
    void LeaveNow(client::ServerSession& session);
    // Safe from any thread: the plan and how far the bot got, for a failure report.
    std::string Describe() const;

    // ServerListener, on the session's job queue.
    void OnConnected(client::ServerSession& session) override;
    void OnConnectFailed(client::ServerSession& session, std::error_code error) override;
    void OnDisconnected(client::ServerSession& session) override;
    void OnLogin(client::ServerSession& session, Protocol::S_LOGIN& pkt) override;
    void OnEnterGame(client::ServerSession& session, Protocol::S_ENTER_GAME& pkt) override;
    void OnSpawn(client::ServerSession& session, Protocol::S_SPAWN& pkt) override;
    void OnChat(client::ServerSession& session, Protocol::S_CHAT& pkt) override;
    void OnMove(client::ServerSession& session, Protocol::S_MOVE& pkt) override;
    void OnLeaveGame(client::ServerSession& session, Protocol::S_LEAVE_GAME& pkt) override;
    void OnDespawn(client::ServerSession& session, Protocol::S_DESPAWN& pkt) override;
    void OnPong(client::ServerSession& session, Protocol::S_PONG& pkt) override;
    void OnError(client::ServerSession& session, Protocol::S_ERROR& pkt) override;

private:
    // All on the session's job queue.
    void Act(client::ServerSession& session);       // one chat, move or ping; then the next
    void PlayOver(client::ServerSession& session);  // leave the way the plan says
    void Close(client::ServerSession& session, Exit as, bool reset);
    void Reconnect();
    void Refused(std::string_view what, const std::string& reason);
    template <class Packet>
    void Send(client::ServerSession& session, const Packet& pkt);
    std::chrono::milliseconds RandomMs(int low, int high);
    bool Coin(double probability);
    ChurnTally& Tally() { return _shared->tally; }
    void Reached(const char* stage) { _stage.store(stage, std::memory_order_relaxed); }

    const BotPlan _plan;
    std::atomic<const char*> _stage{"connecting"};  // a string literal
    const std::shared_ptr<ChurnShared> _shared;
    std::mt19937_64 _random;
    bool _loggedIn = false;
    bool _inGame = false;
    bool _leaving = false;           // C_LEAVE_GAME sent
    std::optional<Exit> _closingAs;  // this side began the close, as this kind
    std::chrono::steady_clock::time_point _closeStarted{};
    float _x = 0;
    float _y = 0;
};

}  // namespace tavern::soak
