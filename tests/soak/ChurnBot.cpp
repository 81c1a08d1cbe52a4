#include "tests/soak/ChurnBot.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "client/ServerSession.h"
#include "core/SocketUtils.h"
#include "core/Worker.h"

namespace tavern::soak {

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

const char* ReasonFor(Exit exit) {
    switch (exit) {
        case Exit::Clean:
            return "soak: clean close";
        case Exit::Abrupt:
            return "soak: abrupt close";
        case Exit::Reset:
            return "soak: reset";
        case Exit::MidLogin:
            return "soak: closed mid-login";
        case Exit::Reconnect:
            return "soak: closed to reconnect";
        case Exit::Resident:
            return "soak: resident leaves";
    }
    return "soak";
}

// Closes `session` with a TCP reset instead of a FIN. The client library has no such call, so
// this sets SO_LINGER 0 on the session's socket and then disconnects; both run on the session's
// home worker, the only thread that closes that socket, so the descriptor is still the
// session's own when the option is set.
void DisconnectWithReset(client::ServerSession& session, const char* reason) {
    PacketSessionRef self = session.SharedPacketSession();
    session.Home()->Post([self, reason] {
        if (!self->Closing() && !self->SocketClosed()) socket::SetLinger(self->Socket(), true, 0);
        self->Disconnect(reason);
    });
}

}  // namespace

ChurnBot::ChurnBot(BotPlan plan, std::shared_ptr<ChurnShared> shared)
    : _plan(std::move(plan)), _shared(std::move(shared)), _random(_plan.seed) {}

template <class Packet>
void ChurnBot::Send(client::ServerSession& session, const Packet& pkt) {
    session.SendPacket(pkt);
    Tally().packetsSent.fetch_add(1, kRelaxed);
}

std::chrono::milliseconds ChurnBot::RandomMs(int low, int high) {
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(low, high)(_random));
}

bool ChurnBot::Coin(double probability) {
    return std::bernoulli_distribution(probability)(_random);
}

std::string ChurnBot::Describe() const {
    static constexpr const char* kExits[] = {"clean",     "abrupt",    "reset",
                                             "mid-login", "reconnect", "resident"};
    static constexpr const char* kMoments[] = {"in game", "after login", "mid-enter"};
    const bool early =
        _plan.exit == Exit::Abrupt || _plan.exit == Exit::Reset || _plan.exit == Exit::Reconnect;
    return _plan.name + " (" + kExits[static_cast<int>(_plan.exit)] +
           (early ? std::string(", ") + kMoments[static_cast<int>(_plan.moment)] : "") + ", play " +
           std::to_string(_plan.play.count()) + " ms): " + _stage.load(kRelaxed);
}

void ChurnBot::OnConnected(client::ServerSession& session) {
    Reached("connected");
    Tally().connected.fetch_add(1, kRelaxed);
    Tally().liveConnections.fetch_add(1, kRelaxed);
    if (_plan.exit == Exit::MidLogin) {
        // Four ways to vanish before S_LOGIN: before sending anything; with C_LOGIN queued
        // (it may or may not leave); after C_LOGIN has gone out (the server may log the player
        // in and answer to a closed socket); with C_LOGIN followed by a reset.
        const int how = std::uniform_int_distribution<int>(0, 3)(_random);
        if (how > 0) {
            Protocol::C_LOGIN login;
            login.set_name(_plan.name);
            Send(session, login);
        }
        _closingAs = Exit::MidLogin;
        _closeStarted = std::chrono::steady_clock::now();
        static constexpr const char* kStages[] = {
            "mid-login close, nothing sent", "mid-login close, C_LOGIN queued",
            "mid-login close after C_LOGIN is sent", "mid-login reset, C_LOGIN queued"};
        Reached(kStages[how]);
        if (how == 3) return DisconnectWithReset(session, ReasonFor(Exit::MidLogin));
        if (how == 2) return session.DisconnectAfterSend(ReasonFor(Exit::MidLogin));
        return session.Disconnect(ReasonFor(Exit::MidLogin));
    }
    Protocol::C_LOGIN login;
    login.set_name(_plan.name);
    Send(session, login);
}

void ChurnBot::OnConnectFailed(client::ServerSession& /*session*/, std::error_code error) {
    Tally().connectFailed.fetch_add(1, kRelaxed);
    Tally().outstanding.fetch_sub(1, kRelaxed);
    spdlog::warn("soak: {} cannot connect: {}", _plan.name, error.message());
}

void ChurnBot::OnDisconnected(client::ServerSession& session) {
    Reached("disconnected");
    ChurnTally& tally = Tally();
    tally.liveConnections.fetch_sub(1, kRelaxed);
    if (_loggedIn) tally.liveLoggedIn.fetch_sub(1, kRelaxed);
    if (_inGame) tally.liveInGame.fetch_sub(1, kRelaxed);
    _loggedIn = _inGame = false;
    if (!_closingAs) {
        if (_shared->stopping.load(kRelaxed)) {
            tally.closedAtStop.fetch_add(1, kRelaxed);
        } else {
            tally.dropped.fetch_add(1, kRelaxed);
            spdlog::warn("soak: {} dropped by the server: {}", _plan.name,
                         session.DisconnectReason());
        }
    } else {
        tally.RecordClose(std::chrono::steady_clock::now() - _closeStarted);
        switch (*_closingAs) {
            case Exit::Clean:
            case Exit::Resident:
                tally.closedClean.fetch_add(1, kRelaxed);
                break;
            case Exit::Abrupt:
                tally.closedAbrupt.fetch_add(1, kRelaxed);
                break;
            case Exit::Reset:
                tally.closedReset.fetch_add(1, kRelaxed);
                break;
            case Exit::MidLogin:
                tally.closedMidLogin.fetch_add(1, kRelaxed);
                break;
            case Exit::Reconnect:
                tally.closedReconnect.fetch_add(1, kRelaxed);
                break;
        }
    }
    tally.outstanding.fetch_sub(1, kRelaxed);  // last: the run may count this bot done now
}

void ChurnBot::OnLogin(client::ServerSession& session, Protocol::S_LOGIN& pkt) {
    if (!pkt.success()) return Refused("login", pkt.reason());
    _loggedIn = true;
    Reached("logged in");
    Tally().liveLoggedIn.fetch_add(1, kRelaxed);
    if (_closingAs) return;  // a mid-login close that the answer overtook
    const bool early =
        _plan.exit == Exit::Abrupt || _plan.exit == Exit::Reset || _plan.exit == Exit::Reconnect;
    if (early && _plan.moment == Moment::AfterLogin) return PlayOver(session);
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(_plan.room);
    Send(session, enter);
    if (early && _plan.moment == Moment::MidEnter) PlayOver(session);
}

void ChurnBot::OnEnterGame(client::ServerSession& session, Protocol::S_ENTER_GAME& pkt) {
    if (!pkt.success()) return Refused("enter", pkt.reason());
    _inGame = true;
    Reached("in game");
    Tally().liveInGame.fetch_add(1, kRelaxed);
    Tally().packetsReceived.fetch_add(1, kRelaxed);
    if (_closingAs || _leaving) return;
    session.DoTimer(RandomMs(0, 50), [this, &session] { Act(session); });
    if (_plan.exit != Exit::Resident)
        session.DoTimer(_plan.play, [this, &session] { PlayOver(session); });
}

void ChurnBot::Act(client::ServerSession& session) {
    if (!_inGame || _leaving || _closingAs || !session.IsConnected()) return;
    const int what = std::uniform_int_distribution<int>(0, 9)(_random);
    if (what < 4) {
        Protocol::C_CHAT chat;
        chat.set_msg(_plan.name + " says " + std::to_string(_random() % 100000));
        Send(session, chat);
    } else if (what < 8) {
        std::uniform_real_distribution<float> step(-1.0f, 1.0f);
        _x += step(_random);
        _y += step(_random);
        Protocol::C_MOVE move;
        move.set_x(_x);
        move.set_y(_y);
        Send(session, move);
    } else {
        Protocol::C_PING ping;
        ping.set_client_time(static_cast<std::uint64_t>(
            std::chrono::steady_clock::now().time_since_epoch().count()));
        Send(session, ping);
    }
    // Residents stay for the whole run: they act more slowly, so the churn dominates.
    const auto next = _plan.exit == Exit::Resident ? RandomMs(100, 400) : RandomMs(10, 120);
    session.DoTimer(next, [this, &session] { Act(session); });
}

void ChurnBot::PlayOver(client::ServerSession& session) {
    if (_leaving || _closingAs) return;
    switch (_plan.exit) {
        case Exit::Clean:
        case Exit::Resident:
            return LeaveNow(session);
        case Exit::Abrupt:
            return Close(session, Exit::Abrupt, false);
        case Exit::Reset:
            return Close(session, Exit::Reset, true);
        case Exit::MidLogin:
            return;  // closed in OnConnected
        case Exit::Reconnect:
            Close(session, Exit::Reconnect, Coin(0.5));
            return Reconnect();
    }
}

void ChurnBot::LeaveNow(client::ServerSession& session) {
    if (_leaving || _closingAs) return;
    if (!_inGame) return Close(session, Exit::Clean, false);
    _leaving = true;
    Reached("leaving");
    Send(session, Protocol::C_LEAVE_GAME{});
}

void ChurnBot::OnLeaveGame(client::ServerSession& session, Protocol::S_LEAVE_GAME& /*pkt*/) {
    Tally().packetsReceived.fetch_add(1, kRelaxed);
    if (_inGame) Tally().liveInGame.fetch_sub(1, kRelaxed);
    _inGame = false;
    Reached("left the room");
    if (_leaving) Close(session, Exit::Clean, false);
}

void ChurnBot::Close(client::ServerSession& session, Exit as, bool reset) {
    if (_closingAs) return;
    _closingAs = as;
    _closeStarted = std::chrono::steady_clock::now();
    Reached(reset ? "closing with a reset" : "closing");
    if (reset) return DisconnectWithReset(session, ReasonFor(as));
    // A clean close lets what is queued go out first; the others close at once.
    if (as == Exit::Clean) return session.DisconnectAfterSend(ReasonFor(as));
    session.Disconnect(ReasonFor(as));
}

void ChurnBot::Reconnect() {
    // The player comes back at once under the same name, usually before the server has
    // noticed the old connection is gone; this time it leaves in one of the ordinary ways.
    BotPlan next;
    next.name = _plan.name;
    next.room = _plan.room;
    const int how = std::uniform_int_distribution<int>(0, 2)(_random);
    next.exit = how == 0 ? Exit::Clean : how == 1 ? Exit::Abrupt : Exit::Reset;
    next.play = RandomMs(50, 500);
    next.seed = _random();
    if (_shared->stopping.load(kRelaxed) || !_shared->connect) return;  // the run is ending
    _shared->connect(std::move(next));
}

void ChurnBot::OnSpawn(client::ServerSession&, Protocol::S_SPAWN&) {
    Tally().packetsReceived.fetch_add(1, kRelaxed);
}
void ChurnBot::OnChat(client::ServerSession&, Protocol::S_CHAT&) {
    Tally().packetsReceived.fetch_add(1, kRelaxed);
}
void ChurnBot::OnMove(client::ServerSession&, Protocol::S_MOVE&) {
    Tally().packetsReceived.fetch_add(1, kRelaxed);
}
void ChurnBot::OnDespawn(client::ServerSession&, Protocol::S_DESPAWN&) {
    Tally().packetsReceived.fetch_add(1, kRelaxed);
}
void ChurnBot::OnPong(client::ServerSession&, Protocol::S_PONG&) {
    Tally().packetsReceived.fetch_add(1, kRelaxed);
}

void ChurnBot::OnError(client::ServerSession& /*session*/, Protocol::S_ERROR& pkt) {
    Refused(Protocol::ToString(static_cast<Protocol::PacketId>(pkt.request_id())), pkt.reason());
}

void ChurnBot::Refused(std::string_view what, const std::string& reason) {
    Tally().refused.fetch_add(1, kRelaxed);
    spdlog::warn("soak: {}: {} refused: {}", _plan.name, what, reason);
}

}  // namespace tavern::soak
