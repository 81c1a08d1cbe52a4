#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "client/ResumeLink.h"
#include "client/ServerListener.h"
#include "client/ServerSession.h"

namespace tavern::test {

// What the chaos run's bots share.
struct ChaosShared {
    std::size_t rooms = 5;
    std::chrono::milliseconds chatEvery{400};
    std::atomic<bool> chatting{false};  // set once every bot is in its room, cleared at the end
};

// A bot of the chaos run, through the client library with a ResumeLink: logs in as
// "chaos-<index>", enters room index % rooms, and while chatting says numbered lines
// "L <index> <n>" (n = 0, 1, 2, ...). It checks every line it receives: from each sender the
// numbers must come 0, 1, 2, ... with none left out and none twice. A fresh login (a resume
// refused) breaks its membership, which the run counts as a failure.
class ChaosBot final : public client::ServerListener {
public:
    ChaosBot(std::size_t index, std::shared_ptr<ChaosShared> shared);

    // Any thread.
    std::size_t Index() const { return _index; }
    std::size_t Room() const { return _index % _shared->rooms; }
    bool InGame() const { return _inGame.load(); }
    std::uint64_t LinesSaid() const { return _said.load(); }
    std::uint64_t LinesChecked() const { return _checked.load(); }
    std::uint64_t Lost() const { return _lost.load(); }
    std::uint64_t Duplicated() const { return _duplicated.load(); }
    std::uint64_t FreshLogins() const { return _logins.load(); }
    // After the run (no job running): the next number expected from `sender` (lines seen).
    std::uint64_t NextFrom(std::size_t sender) const;

    void OnConnected(client::ServerSession& session) override;
    void OnLogin(client::ServerSession& session, Protocol::S_LOGIN& pkt) override;
    void OnEnterGame(client::ServerSession& session, Protocol::S_ENTER_GAME& pkt) override;
    void OnResumed(client::ServerSession& session, std::uint64_t resent) override;
    void OnChat(client::ServerSession& session, Protocol::S_CHAT& pkt) override;

    // On `session`'s job queue: says the next line (if chatting) and resets the connection at
    // once, so that the line is often still in flight: the resume must send it again.
    void SayThenReset(client::ServerSession& session);
    // On `session`'s job queue: says the next line and switches to a new connection while this
    // one stays open (Wi-Fi to LTE): the server's takeover closes it.
    void SayThenSwitch(client::ServerSession& session, client::ResumeLink& link);

private:
    void Say(client::ServerSession& session);
    // On the current session's job queue.
    void ScheduleChat(client::ServerSession& session);

    const std::size_t _index;
    const std::shared_ptr<ChaosShared> _shared;
    std::atomic<client::ServerSession*> _current{nullptr};  // only compared
    std::atomic<bool> _inGame{false};
    std::atomic<std::uint64_t> _said{0};
    std::atomic<std::uint64_t> _checked{0};
    std::atomic<std::uint64_t> _lost{0};
    std::atomic<std::uint64_t> _duplicated{0};
    std::atomic<std::uint64_t> _logins{0};
    // On the current session's job queue (sessions of one bot follow each other).
    std::map<std::size_t, std::uint64_t> _next;  // sender -> next number expected
    std::mt19937 _random;
};

}  // namespace tavern::test
