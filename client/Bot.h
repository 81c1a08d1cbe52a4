#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "client/LatencyHistogram.h"
#include "client/ServerListener.h"
#include "jobs/Clock.h"

namespace tavern::client {

// What every bot of one run shares: the load to make, the ping histogram, the stop flag.
struct BotShared {
    std::size_t rooms = 1;
    std::uint32_t firstRoom = 0;  // bot i enters room firstRoom + i % rooms
    double chatPerSec = 1;        // per bot; 0: no chat
    double movePerSec = 1;        // per bot; 0: no moves
    double pingPerSec = 1;        // per bot; 0: no pings
    std::string namePrefix = "bot";
    LatencyHistogram pings;             // round trips, in nanoseconds
    std::atomic<bool> stopping{false};  // set before the run disconnects its bots
};

// One bot's counts. Written on its session's job queue, read by the progress line from any
// thread: relaxed atomics, each bot on its own, so a thousand bots never share a counter.
struct BotCounters {
    std::atomic<bool> connected{false};
    std::atomic<bool> loggedIn{false};
    std::atomic<bool> inGame{false};
    std::atomic<bool> connectFailed{false};
    std::atomic<bool> dropped{false};
    std::atomic<bool> left{false};  // S_LEAVE_GAME came: it left its room (the run's end)
    std::atomic<std::uint64_t> refused{0};
    std::atomic<std::uint64_t> chatsSent{0};
    std::atomic<std::uint64_t> chatsReceived{0};
    std::atomic<std::uint64_t> movesSent{0};
    std::atomic<std::uint64_t> movesReceived{0};
    std::atomic<std::uint64_t> pingsSent{0};
    std::atomic<std::uint64_t> pongs{0};
};

// A load-test player, and an actor: its listener calls and its timers (DoTimer on its session's
// job queue) run one at a time on that queue, so its state needs no lock. It logs in as
// "<prefix>-<index>", enters room firstRoom + index % rooms, and then chats, moves and pings at the
// shared rates until the run stops. Each timer starts at a random phase so that bots do not all act
// on the same millisecond.
class Bot final : public ServerListener {
public:
    Bot(std::size_t index, std::shared_ptr<BotShared> shared);

    // Any thread: the password a bot (or the console client without --password) logs in with,
    // derived from its name so that the account a run creates logs in again on the next run.
    static std::string PasswordFor(const std::string& name);

    // Safe from any thread.
    const BotCounters& Counters() const { return _counters; }
    std::size_t Index() const { return _index; }

    // ServerListener, on the session's job queue.
    void OnConnected(ServerSession& session) override;
    void OnConnectFailed(ServerSession& session, std::error_code error) override;
    void OnDisconnected(ServerSession& session) override;
    void OnLogin(ServerSession& session, Protocol::S_LOGIN& pkt) override;
    void OnEnterGame(ServerSession& session, Protocol::S_ENTER_GAME& pkt) override;
    void OnChat(ServerSession& session, Protocol::S_CHAT& pkt) override;
    void OnMove(ServerSession& session, Protocol::S_MOVE& pkt) override;
    void OnPong(ServerSession& session, Protocol::S_PONG& pkt) override;
    void OnError(ServerSession& session, Protocol::S_ERROR& pkt) override;
    void OnResumed(ServerSession& session, std::uint64_t resent) override;
    void OnLeaveGame(ServerSession& session, Protocol::S_LEAVE_GAME& pkt) override;

private:
    void SendLogin(ServerSession& session);
    using Tick = void (Bot::*)(ServerSession&);
    struct Timer {
        Clock::duration interval{};
        Clock::time_point due{};
    };

    // On the session's job queue.
    void Start(ServerSession& session, Timer& timer, double perSecond, Tick tick);
    void Schedule(ServerSession& session, Timer& timer, Tick tick);
    void ChatTick(ServerSession& session);
    void MoveTick(ServerSession& session);
    void PingTick(ServerSession& session);
    void Refused(std::string_view what, const std::string& reason);
    bool Stopping() const { return _shared->stopping.load(std::memory_order_relaxed); }

    const std::size_t _index;
    const std::shared_ptr<BotShared> _shared;
    BotCounters _counters;
    // On the session's job queue only.
    std::mt19937 _random;
    std::uint64_t _playerId = 0;
    int _loginRetries = 0;  // "service unavailable" answers retried so far (session's queue)
    Timer _chat;
    Timer _move;
    Timer _ping;
    float _x = 0;
    float _y = 0;
};

}  // namespace tavern::client
