#include "tests/game/ChaosBot.h"

#include <cstdio>
#include <utility>

#include "tests/game/GameTestClient.h"

namespace tavern::test {

ChaosBot::ChaosBot(std::size_t index, std::shared_ptr<ChaosShared> shared)
    : _index(index), _shared(std::move(shared)), _random(static_cast<unsigned>(index + 1)) {}

std::uint64_t ChaosBot::NextFrom(std::size_t sender) const {
    const auto found = _next.find(sender);
    return found == _next.end() ? 0 : found->second;
}

void ChaosBot::OnConnected(client::ServerSession& session) {
    _current.store(&session);
    _inGame.store(false);
    _logins.fetch_add(1);
    Protocol::C_LOGIN login;
    login.set_name("chaos-" + std::to_string(_index));
    login.set_password(GameTestClient::PasswordFor(login.name()));
    session.SendPacket(login);
}

void ChaosBot::OnLogin(client::ServerSession& session, Protocol::S_LOGIN& pkt) {
    if (!pkt.success()) return;
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(static_cast<std::uint32_t>(Room()) + 1);
    session.SendPacket(enter);
}

void ChaosBot::OnEnterGame(client::ServerSession& session, Protocol::S_ENTER_GAME& pkt) {
    if (!pkt.success()) return;
    _inGame.store(true);
    ScheduleChat(session);
}

void ChaosBot::OnResumed(client::ServerSession& session, std::uint64_t /*resent*/) {
    _current.store(&session);
    ScheduleChat(session);  // the old session's timer died with it
}

void ChaosBot::ScheduleChat(client::ServerSession& session) {
    std::uniform_int_distribution<long> jitter(0, _shared->chatEvery.count());
    const auto delay = std::chrono::milliseconds(_shared->chatEvery.count() / 2 + jitter(_random));
    // The job runs on this session's queue, so the session is alive then.
    session.DoTimer(delay, [this, &session] {
        if (_current.load() != &session) return;  // a newer connection has its own timer
        Say(session);
        ScheduleChat(session);
    });
}

void ChaosBot::Say(client::ServerSession& session) {
    if (!_shared->chatting.load() || !_inGame.load()) return;
    Protocol::C_CHAT chat;
    chat.set_msg("L " + std::to_string(_index) + " " + std::to_string(_said.load()));
    _said.fetch_add(1);
    session.SendPacket(chat);  // counted by the link: sent again if not handled
}

void ChaosBot::SayThenSwitch(client::ServerSession& session, client::ResumeLink& link) {
    if (_current.load() == &session) Say(session);
    link.SwitchNow();
}

void ChaosBot::SayThenReset(client::ServerSession& session) {
    if (_current.load() == &session) Say(session);
    session.Cut("chaos: reset", false);
}

void ChaosBot::OnChat(client::ServerSession& /*session*/, Protocol::S_CHAT& pkt) {
    std::size_t sender = 0;
    unsigned long long number = 0;
    if (std::sscanf(pkt.msg().c_str(), "L %zu %llu", &sender, &number) != 2) return;
    std::uint64_t& next = _next[sender];
    if (number < next) {
        _duplicated.fetch_add(1);
    } else {
        _lost.fetch_add(number - next);
        next = number + 1;
    }
    _checked.fetch_add(1);
}

}  // namespace tavern::test
