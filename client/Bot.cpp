#include "client/Bot.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "client/ServerSession.h"

namespace tavern::client {

namespace {

std::uint64_t NowNanoseconds() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count());
}

}  // namespace

Bot::Bot(std::size_t index, std::shared_ptr<BotShared> shared)
    : _index(index), _shared(std::move(shared)), _random(static_cast<unsigned>(index * 7919 + 1)) {}

std::string Bot::PasswordFor(const std::string& name) {
    return "tavern-bot:" + name;
}

void Bot::OnConnected(ServerSession& session) {
    _counters.connected.store(true, std::memory_order_relaxed);
    SendLogin(session);
}

void Bot::SendLogin(ServerSession& session) {
    Protocol::C_LOGIN login;
    login.set_name(_shared->namePrefix + "-" + std::to_string(_index));
    login.set_password(PasswordFor(login.name()));
    session.SendPacket(login);
}

void Bot::OnConnectFailed(ServerSession& /*session*/, std::error_code error) {
    _counters.connectFailed.store(true, std::memory_order_relaxed);
    spdlog::warn("bot {}: cannot connect: {}", _index, error.message());
}

void Bot::OnDisconnected(ServerSession& session) {
    _counters.inGame.store(false, std::memory_order_relaxed);
    if (Stopping()) return;
    if (session.Reconnecting()) return;  // its ResumeLink connects again and resumes
    _counters.dropped.store(true, std::memory_order_relaxed);
    spdlog::warn("bot {}: dropped by the server: {}", _index, session.DisconnectReason());
}

void Bot::OnLogin(ServerSession& session, Protocol::S_LOGIN& pkt) {
    // A server whose store is busy (a thousand bots logging in at once) answers "service
    // unavailable": back off and try again, as a real client would, a few times at most.
    constexpr int kLoginRetries = 8;
    if (!pkt.success() && pkt.reason() == "service unavailable" && _loginRetries < kLoginRetries) {
        ++_loginRetries;
        std::uniform_int_distribution<int> jitter(50, 150);
        const auto delay = std::chrono::milliseconds(jitter(_random) * _loginRetries);
        session.DoTimer(delay, [this, &session] { SendLogin(session); });
        return;
    }
    if (!pkt.success()) return Refused("login", pkt.reason());
    _counters.loggedIn.store(true, std::memory_order_relaxed);
    _playerId = pkt.player_id();
    Protocol::C_ENTER_GAME enter;
    const auto slot = static_cast<std::uint32_t>(_index % std::max<std::size_t>(_shared->rooms, 1));
    enter.set_room_id(_shared->firstRoom + slot);
    session.SendPacket(enter);
}

void Bot::OnEnterGame(ServerSession& session, Protocol::S_ENTER_GAME& pkt) {
    if (!pkt.success()) return Refused("enter", pkt.reason());
    _counters.inGame.store(true, std::memory_order_relaxed);
    Start(session, _chat, _shared->chatPerSec, &Bot::ChatTick);
    Start(session, _move, _shared->movePerSec, &Bot::MoveTick);
    Start(session, _ping, _shared->pingPerSec, &Bot::PingTick);
}

void Bot::OnResumed(ServerSession& session, std::uint64_t /*resent*/) {
    // Still in its room: the old session's timers died with it, so they start again here.
    _counters.inGame.store(true, std::memory_order_relaxed);
    Start(session, _chat, _shared->chatPerSec, &Bot::ChatTick);
    Start(session, _move, _shared->movePerSec, &Bot::MoveTick);
    Start(session, _ping, _shared->pingPerSec, &Bot::PingTick);
}

void Bot::OnLeaveGame(ServerSession& /*session*/, Protocol::S_LEAVE_GAME& /*pkt*/) {
    _counters.inGame.store(false, std::memory_order_relaxed);
    _counters.left.store(true, std::memory_order_relaxed);
}

void Bot::OnChat(ServerSession& /*session*/, Protocol::S_CHAT& /*pkt*/) {
    _counters.chatsReceived.fetch_add(1, std::memory_order_relaxed);
}

void Bot::OnMove(ServerSession& /*session*/, Protocol::S_MOVE& /*pkt*/) {
    _counters.movesReceived.fetch_add(1, std::memory_order_relaxed);
}

void Bot::OnPong(ServerSession& /*session*/, Protocol::S_PONG& pkt) {
    _counters.pongs.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t now = NowNanoseconds();
    if (now >= pkt.client_time()) _shared->pings.Record(now - pkt.client_time());
}

void Bot::OnError(ServerSession& /*session*/, Protocol::S_ERROR& pkt) {
    Refused(Protocol::ToString(static_cast<Protocol::PacketId>(pkt.request_id())), pkt.reason());
}

void Bot::Refused(std::string_view what, const std::string& reason) {
    _counters.refused.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("bot {}: {} refused: {}", _index, what, reason);
}

void Bot::Start(ServerSession& session, Timer& timer, double perSecond, Tick tick) {
    if (perSecond <= 0) return;
    timer.interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / perSecond));
    // A random first phase within one interval.
    std::uniform_real_distribution<double> phase(0.0, 1.0);
    timer.due = Clock::now() - timer.interval +
                std::chrono::duration_cast<Clock::duration>(timer.interval * phase(_random));
    Schedule(session, timer, tick);
}

void Bot::Schedule(ServerSession& session, Timer& timer, Tick tick) {
    if (Stopping()) return;
    const auto now = Clock::now();
    timer.due += timer.interval;
    // A bot that fell far behind (an overloaded machine) skips ahead instead of bursting.
    if (timer.due < now - timer.interval) timer.due = now;
    const auto delay = std::max(Clock::duration::zero(), timer.due - now);
    // The job runs on this session's queue, so the session is alive then, and it owns this bot.
    session.DoTimer(delay, [this, &session, tick] { (this->*tick)(session); });
}

void Bot::ChatTick(ServerSession& session) {
    if (!session.IsConnected() || Stopping()) return;  // the run ends: the bot is leaving
    const std::uint64_t n = _counters.chatsSent.fetch_add(1, std::memory_order_relaxed);
    Protocol::C_CHAT chat;
    chat.set_msg("hello from " + _shared->namePrefix + "-" + std::to_string(_index) + " #" +
                 std::to_string(n));
    session.SendPacket(chat);
    Schedule(session, _chat, &Bot::ChatTick);
}

void Bot::MoveTick(ServerSession& session) {
    if (!session.IsConnected() || Stopping()) return;  // the run ends: the bot is leaving
    std::uniform_real_distribution<float> step(-1.0f, 1.0f);
    _x += step(_random);
    _y += step(_random);
    Protocol::C_MOVE move;
    move.set_x(_x);
    move.set_y(_y);
    session.SendPacket(move);
    _counters.movesSent.fetch_add(1, std::memory_order_relaxed);
    Schedule(session, _move, &Bot::MoveTick);
}

void Bot::PingTick(ServerSession& session) {
    if (!session.IsConnected() || Stopping()) return;  // the run ends: the bot is leaving
    Protocol::C_PING ping;
    ping.set_client_time(NowNanoseconds());
    session.SendPacket(ping);
    _counters.pingsSent.fetch_add(1, std::memory_order_relaxed);
    Schedule(session, _ping, &Bot::PingTick);
}

}  // namespace tavern::client
