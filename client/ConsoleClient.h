#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <istream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/ServerListener.h"
#include "client/ServerSession.h"
#include "core/Backend.h"
#include "core/NetAddress.h"
#include "core/Transport.h"

namespace tavern::client {

struct ConsoleOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 7777;
    // Several nodes of one world (--servers), tried in order: the next when one cannot be
    // reached, at the start and after a drop. Empty: host and port.
    std::vector<NetAddress> servers;
    std::shared_ptr<const TransportFactory> transport;  // nullptr: TCP; else WebSocket, say
    std::size_t workers = 1;
    BackendKind backend = BackendKind::Auto;
    std::string name = "guest";
    std::string password;  // empty: the one derived from the name, as bots use (Bot::PasswordFor)
    std::uint32_t room = 1;
};

// The interactive mode of test_client: logs in, enters a room, then turns each input line into
// a request and prints what the server sends as it arrives.
//
//   plain text   chat            /move X Y   move          /ping   print the round trip
//   /leave       leave the room  /quit (or end of input)   leave and exit
//
// The listener calls run on the session's job queue; Run reads input on the calling thread. The
// two meet only in the few fields under _lock.
class ConsoleClient final : public ServerListener,
                            public std::enable_shared_from_this<ConsoleClient> {
public:
    explicit ConsoleClient(ConsoleOptions options);

    // Not from a worker; on an object made with std::make_shared. Connects, plays from `input`
    // until /quit or its end, and returns the exit status (0 when it got in and left cleanly).
    int Run(std::istream& input);

    // ServerListener, on the session's job queue.
    void OnConnected(ServerSession& session) override;
    void OnConnectFailed(ServerSession& session, std::error_code error) override;
    void OnDisconnected(ServerSession& session) override;
    // A dropped connection came back and resumed: prints "reconnected: resumed, K packets
    // replayed" (K: own packets the server had not handled, sent again).
    void OnResumed(ServerSession& session, std::uint64_t resent) override;
    void OnLogin(ServerSession& session, Protocol::S_LOGIN& pkt) override;
    void OnEnterGame(ServerSession& session, Protocol::S_ENTER_GAME& pkt) override;
    void OnSpawn(ServerSession& session, Protocol::S_SPAWN& pkt) override;
    void OnChat(ServerSession& session, Protocol::S_CHAT& pkt) override;
    void OnMove(ServerSession& session, Protocol::S_MOVE& pkt) override;
    void OnLeaveGame(ServerSession& session, Protocol::S_LEAVE_GAME& pkt) override;
    void OnDespawn(ServerSession& session, Protocol::S_DESPAWN& pkt) override;
    void OnKicked(ServerSession& session, Protocol::S_KICKED& pkt) override;
    void OnPong(ServerSession& session, Protocol::S_PONG& pkt) override;
    void OnError(ServerSession& session, Protocol::S_ERROR& pkt) override;

private:
    enum class Phase { Connecting, LoggingIn, Entering, InGame, Left, Failed, Closed };

    // Any thread.
    void SetPhase(Phase phase);
    bool WaitForPhase(Phase wanted, std::chrono::milliseconds timeout);
    // Not from a worker: handles one input line; false on /quit.
    bool Command(ServerSession& session, const std::string& line);
    // On the session's job queue: a ping every kHeartbeat, so that a player who just reads is
    // not cut off by the server's idle timeout (60 s by default).
    void Heartbeat(ServerSession& session);
    static constexpr std::chrono::seconds kHeartbeat{15};
    // On the session's job queue.
    std::string NameOf(std::uint64_t playerId) const;

    const ConsoleOptions _options;
    std::mutex _lock;
    std::condition_variable _changed;
    Phase _phase = Phase::Connecting;    // under _lock
    std::atomic<bool> _quitting{false};  // our own stop: the disconnect is no news
    // On the session's job queue only.
    std::uint64_t _playerId = 0;
    std::unordered_map<std::uint64_t, std::string> _names;
};

}  // namespace tavern::client
