#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/SendBuffer.h"
#include "jobs/JobQueue.h"

namespace tavern::client {

class ServerSession;

struct ResumeOptions {
    // Jittered exponential backoff between reconnect attempts: first, cap, and how long after
    // the drop the link gives up (the server's resume window is 30 s by default).
    std::chrono::milliseconds firstDelay{50};
    std::chrono::milliseconds maxDelay{2000};
    std::chrono::milliseconds giveUpAfter{30000};
    // Packets sent since the login kept to send again, as copies (a kept SendBuffer would pin
    // the 64 KiB chunk it was carved from, which received packets also fill): at most this
    // many, this many bytes, and none older than keepFor (the server's idle timeout plus its
    // resume window). A resume that needs one dropped warns; the server then misses it.
    std::size_t maxKeptPackets = 4096;
    std::size_t maxKeptBytes = 256 * 1024;
    std::chrono::milliseconds keepFor{90000};
    // The servers the owner's `connect` picks among (Server()): several nodes of one world. A
    // connection that cannot be made moves to the next, so a node that is gone is passed over;
    // a first connection tries each once before it fails. `firstServer`: where to start (bots
    // spread over the list).
    std::size_t servers = 1;
    std::size_t firstServer = 0;
};

// Counts of one link, readable from any thread.
struct ResumeCounts {
    std::atomic<std::uint64_t> drops{0};     // connections lost while logged in
    std::atomic<std::uint64_t> resumes{0};   // resumed: nothing lost
    std::atomic<std::uint64_t> refused{0};   // "resume expired": logged in afresh
    std::atomic<std::uint64_t> resent{0};    // own packets sent again after resumes
    std::atomic<std::uint64_t> gaveUp{0};    // no connection within giveUpAfter
    std::atomic<std::uint64_t> switches{0};  // SwitchNow: a new connection while the old was open
};

// One player's stream across connections, on the client side of a seamless reconnect: the
// resume token, the count of server packets received since the login, the packets sent since
// the login (to send again what the server had not handled), and the reconnect with jittered
// backoff. A ServerSession made with a link calls it for every packet in and out; when its
// connection drops, the link connects a new ServerSession (through `connect`) and resumes:
//
//   connected:   C_LOGIN{name} -> S_LOGIN{token T}; count in and out
//   drop:        wait (backoff), connect again
//   reconnected: C_LOGIN{T, received N} -> S_LOGIN{resumed, received M, T2}; send again
//                what was sent after M; the listener's OnResumed runs
//   refused:     the listener's OnConnected runs, as for a first connection (a fresh login)
//
// An actor for its backoff timers; everything else runs on the current session's job queue,
// one session at a time (a new one is connected only after the old one's OnDisconnected).
class ResumeLink final : public JobQueue {
public:
    // `connect`: connects a new ServerSession with this link and the same listener (any
    // thread); false if no connection could be started.
    using Connect = std::function<bool(const std::shared_ptr<ResumeLink>&)>;
    ResumeLink(const SchedulerRef& scheduler, Connect connect, ResumeOptions options = {});

    // Safe from any thread.
    const ResumeCounts& Counts() const { return _counts; }
    // Safe from any thread: no reconnect from now on (the owner is stopping, or was kicked).
    void Stop() { _stopped.store(true, std::memory_order_release); }
    bool Stopped() const { return _stopped.load(std::memory_order_acquire); }
    // Safe from any thread: the index (below ResumeOptions::servers) of the server the next
    // connection goes to. The same after a drop (a resume needs the node that holds the
    // player); the next one after each connection that could not be made.
    std::size_t Server() const { return _server.load(std::memory_order_acquire); }
    // Safe from any thread: the session now in use, if any.
    std::shared_ptr<ServerSession> Current() const;
    // Safe from any thread: the network changed (Wi-Fi to LTE): connect again now and resume,
    // without waiting for the current connection to fail. The server takes the old one over;
    // from now on nothing it delivers counts, and what is sent on it waits for the resume.
    // Nothing happens with nothing to resume, or while a resume is on its way.
    void SwitchNow();

    // ServerSession's hooks, on its job queue.
    // Connected: true when a resume was started (the listener's OnConnected must not run).
    bool OnConnected(ServerSession& session);
    // A packet out on `session` (whole packet, header included); false: hold it (a resume
    // will send it).
    bool OnSend(const ServerSession& session, const SendBufferRef& packet);
    // A packet in. Resumed / Refused: it was the resume's S_LOGIN, consumed here (`resent`:
    // own packets sent again); Pass: for the listener; Ignore: `session` was switched away
    // from (SwitchNow), nothing it delivers counts.
    enum class Outcome { Pass, Resumed, Refused, Ignore };
    Outcome OnPacket(ServerSession& session, std::uint16_t id, std::span<const std::byte> payload,
                     std::uint64_t& resent);
    // The connection ended: reconnects unless stopped or there is nothing to resume.
    // Abandoned: `session` was switched away from; its listener need not hear of it.
    enum class Ended { Final, Reconnecting, Abandoned };
    Ended OnDisconnected(ServerSession& session);
    // A reconnect attempt could not connect: true when another follows.
    bool OnConnectFailed();

private:
    void ScheduleReconnect();  // under _lock
    void TryConnect();

    const Connect _connect;
    const ResumeOptions _options;
    std::atomic<bool> _stopped{false};
    std::atomic<std::size_t> _server;
    ResumeCounts _counts;

    mutable std::mutex _lock;  // the fields below: sessions follow each other on any worker
    std::weak_ptr<ServerSession> _current;
    std::weak_ptr<ServerSession> _abandoned;  // switched away from, until the server closes it
    std::string _token;                       // empty: nothing to resume
    bool _loginSent = false;      // a fresh C_LOGIN went out: count what is sent after it
    bool _counting = false;       // logged in: count what is received
    bool _resumePending = false;  // the resume's C_LOGIN went out, its S_LOGIN not in yet
    std::uint64_t _received = 0;  // server packets received since the login
    struct Kept {
        std::vector<std::byte> bytes;  // one whole packet
        Clock::time_point at;
    };
    // Under _lock: drops kept packets past the bounds.
    void Trim(Clock::time_point now);
    std::uint64_t _sentBase = 0;  // number of _sent.front() minus one
    std::deque<Kept> _sent;       // own packets since the login, not known handled
    std::size_t _sentBytes = 0;
    Clock::time_point _droppedAt{};
    std::size_t _firstFailures = 0;  // servers the first connection could not reach
    std::chrono::milliseconds _delay{};
    std::mt19937 _random{std::random_device{}()};
};

}  // namespace tavern::client
