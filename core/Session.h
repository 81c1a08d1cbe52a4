#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "core/IocpObject.h"
#include "core/NetAddress.h"
#include "core/RecvBuffer.h"
#include "core/SendBuffer.h"
#include "jobs/JobQueue.h"

namespace tavern {

class Service;
class Session;
class Transport;
struct ServiceOptions;
struct ServiceCounters;
using SessionRef = std::shared_ptr<Session>;

// ServiceOptions::maxTailBytes's default: the unconsumed bytes a raw Session may hold.
inline constexpr std::size_t kDefaultMaxTailBytes = 64 * 1024;

// Per-session traffic counters. Written by the session's own threads, readable from any thread.
struct SessionCounters {
    std::atomic<std::uint64_t> bytesIn{0};
    std::atomic<std::uint64_t> bytesOut{0};
    std::atomic<std::uint64_t> sends{0};  // Send() calls accepted
};

// One connection. A Session is an actor (a JobQueue): its hooks OnConnected, OnRecv, OnSend and
// OnDisconnected run as jobs on it, one at a time, in that order for each event. The socket's
// I/O runs on the session's home worker; received bytes are handed over as jobs.
//
// Two ways to end a session. Disconnect, DisconnectAfterSend and DisconnectGracefully close
// the socket normally (FIN): the kernel still delivers what it holds, as when the peer asked to
// close or the service stops. Cut ends it for cause (send cap, protocol error, flood, idle
// timeout, tail cap, a handler's exception: the engine's own cuts all use it) with an abortive
// close: SO_LINGER 0, so the peer sees a reset at once and the kernel frees the socket and
// everything queued on it, instead of keeping an orphan in FIN-WAIT-1 with megabytes the peer
// will never read.
//
//   any thread:   Send, Disconnect, Cut, DisconnectAfterSend, DoAsync, counters
//   job queue:    OnConnected, OnRecvBuffer / OnRecv, OnSend, OnDisconnected (and
//                 PacketSession::OnRecvPacket)
//   home worker:  OnRecvBytes, the Io* completions
class Session : public JobQueue, public IocpObject {
public:
    Session();
    ~Session() override;

    // Safe to call from any thread. Queues `buffer` behind earlier sends; starts a send at once
    // when none is in flight. A session whose queued bytes would pass its cap is disconnected
    // ("send queue over cap") and the buffer dropped: a client that stops reading cannot pin
    // unbounded memory. Sends after a disconnect are dropped.
    void Send(SendBufferRef buffer);
    // Safe to call from any thread. Closes now; queued sends are dropped, what the kernel already
    // holds still goes out before the FIN. The first reason wins.
    void Disconnect(std::string reason);
    // Safe to call from any thread. Ends the session for cause: closes now with a TCP reset
    // (SO_LINGER 0; the kernel drops what it holds for the peer), logged with `reason` (at most
    // a line a second for all of a service's cuts; `log` false when the caller logged the cause
    // already), which replaces the reason of a graceful close still waiting for its sends.
    void Cut(std::string reason, bool log = true);
    // Safe to call from any thread. Closes once everything queued so far has been sent.
    void DisconnectAfterSend(std::string reason);
    // Safe to call from any thread. Lets the packets already received be handled, then closes
    // once everything they queued has been sent (the graceful stop of a service).
    void DisconnectGracefully(std::string reason);

    // Safe to call from any thread.
    bool IsConnected() const { return _state.load(std::memory_order_acquire) == State::Connected; }
    std::uint64_t Id() const { return _id; }
    const NetAddress& PeerAddress() const { return _peer; }  // fixed before OnConnected
    std::size_t QueuedSendBytes() const;
    const SessionCounters& Counters() const { return _counters; }
    std::shared_ptr<Service> GetService() const { return _service.lock(); }
    // Why the session ended; set before OnDisconnected runs.
    std::string DisconnectReason() const;
    // Safe to call from any thread once the close began: whether it was a Cut (a reset).
    bool WasCut() const { return _cut.load(std::memory_order_acquire); }

    // --- Engine internals: Service and backends --------------------------------------------
    // Only before the session starts: its socket, home worker and owning service.
    void Attach(const std::shared_ptr<Service>& service, SocketHandle socket, Worker* home,
                const NetAddress& peer);
    // Only on the home worker: begin receiving and queue OnConnected.
    void StartOnWorker();
    // Tests and fuzzers only, instead of Attach + StartOnWorker: a session with no socket, no
    // service and no home worker counts as connected, so that IoReceived / IoRecvEnded drive the
    // real receive path (OnRecvBytes, the tail, the packet jobs) on the calling thread. Sends
    // are counted and dropped; Disconnect closes at once. Only before anything else.
    void StartDetached();
    // Only on the home worker: begin connecting to the address given to Attach.
    void StartConnectOnWorker();
    void IoConnected(std::error_code error);
    void IoReceived(std::span<const std::byte> bytes);
    void IoRecvEnded(std::error_code error);
    void IoSent(std::error_code error, std::size_t bytes);
    void IoClosed() override;
    // The slices of the send in flight; valid until IoSent.
    std::span<IoSlice> SendSlices() { return {_slices.data(), _slices.size()}; }
    const NetAddress& ConnectAddress() const { return _peer; }

    // --- Engine internals: the session's Transport (core/Transport.h), on the home worker -----
    // Queues bytes already in the transport's wire form (a handshake answer, a control frame).
    // (Also from the job queue, for Transport::Stopping.)
    void SendFramed(SendBufferRef buffer);
    // Whole messages: on to the packet path (OnRecvBytes); anything left unconsumed is dropped.
    void TransportDeliver(std::span<const std::byte> bytes);
    // The handshake completed: OnConnected follows (and OnDisconnected at the end).
    void TransportReady();
    // A client's handshake was refused: OnConnectFailed follows, and the session closes.
    void TransportConnectFailed(std::string reason);
    // A message broke the packet framing (not exactly one packet): a protocol error.
    void TransportProtocolError(std::string detail) { OnTransportProtocolError(std::move(detail)); }
    // The peer closed its side with `unfinished` bytes of a message held.
    void TransportPeerClosed(std::size_t unfinished) { OnPeerClosed(unfinished); }
    // The largest message the session takes (the packet size limit of a PacketSession).
    std::size_t TransportMessageLimit() const { return MaxTailBytes(); }

protected:
    // Hooks, on the session's job queue.
    virtual void OnConnected() {}
    virtual void OnRecv(std::span<const std::byte> /*bytes*/) {}
    // The same bytes as one immutable shared buffer, which the session may keep or send back as
    // it is (an echo without a second copy). The default calls OnRecv.
    virtual void OnRecvBuffer(SendBufferRef bytes) { OnRecv(bytes->Bytes()); }
    // Once per completed gather send. A session that does not override it costs no job per
    // send: the default turns the notification off the first time it runs (so an override must
    // not call it).
    virtual void OnSend(std::size_t /*bytes*/) { _sendHook.store(false, std::memory_order_relaxed); }
    virtual void OnDisconnected() {}
    // Connecting (ClientService) failed; on the job queue. OnDisconnected does not follow.
    virtual void OnConnectFailed(std::error_code /*error*/) {}

    // Only on the home worker: `bytes` arrived (after any held tail). Returns how many were
    // consumed; the rest is kept as the tail and offered again, with more, next time.
    // The default hands everything to OnRecv as one job. PacketSession cuts packets here.
    virtual std::size_t OnRecvBytes(std::span<const std::byte> bytes);
    // Only on the home worker: the largest tail OnRecvBytes may leave unconsumed; a session
    // whose tail passes it is cut (ServiceOptions::maxTailBytes, or the packet size limit).
    virtual std::size_t MaxTailBytes() const { return _maxTailBytes; }
    // Only on the home worker: the peer closed its side with `tail` unconsumed bytes held.
    virtual void OnPeerClosed(std::size_t tailBytes);
    // The thread that calls Send, for each buffer about to be queued (metrics). Keep it cheap.
    virtual void OnSendQueued(std::span<const std::byte> /*bytes*/) {}
    // Home worker: the transport received a message that breaks the packet framing. Cuts.
    virtual void OnTransportProtocolError(std::string detail);

    // A job threw: log it and end this session, not the process.
    void OnJobException(std::exception_ptr error) override;

    std::shared_ptr<void> SelfForIo() override { return shared_from_this(); }
    SessionCounters& MutableCounters() { return _counters; }
    ServiceCounters* ServiceTotals() const { return _serviceCounters.get(); }
    // Only on the home worker: the peer did something that counts against the idle timeout.
    void MarkActivity() {
        _lastActivity.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    }
    // Before the session starts: take what applies of the owning service's options.
    virtual void ApplyOptions(const ServiceOptions& options);

private:
    // The mailbox's own Close is not the connection's: closing the mailbox of a live session
    // would drop its release job, its reaction to the peer's FIN and its idle check, and keep
    // the socket for ever. Only the session itself closes its mailbox, once the socket is gone.
    // Use Disconnect.
    using JobQueue::Close;

    enum class State : std::uint8_t { Idle, Connecting, Connected, Disconnecting, Closed };

    // `log`: a cut is logged here, unless the caller logs one line for many (Service::Stop).
    void BeginClose(std::string reason, bool cut, bool log = true);
    void LogCut();
    // The LogThrottle kind of "session cut" lines (PacketSession's kinds are below it).
    static constexpr std::size_t kCutLogKind = 31;
    void CutForTail(std::size_t tailBytes);
    void RunOnHome(Job job);
    void Enqueue(SendBufferRef buffer);
    void StartSendOnWorker();
    void PrepareSlices();
    void CloseOnWorker();
    // Lets the service's send budget go of `buffers` (they leave this session's queue).
    void ReleaseBudget(const std::vector<SendBufferRef>& buffers, std::size_t count);
    void ArmIdleCheck();
    void CheckIdle();
    SessionRef Self() { return std::static_pointer_cast<Session>(shared_from_this()); }

    static std::atomic<std::uint64_t> sNextId;

    std::uint64_t _id;
    std::atomic<State> _state{State::Idle};
    std::atomic<bool> _cut{false};  // written once, by the call that began the close
    TimerHandle _idleCheck;  // on the job queue only
    std::weak_ptr<Service> _service;
    std::shared_ptr<ServiceCounters> _serviceCounters;
    std::shared_ptr<SendBudget> _sendBudget;  // the service's; charged per block queued
    NetAddress _peer;
    bool _everConnected = false;  // home worker only

    // Send queue: filled from any thread under _sendLock; drained on the home worker.
    mutable std::mutex _sendLock;
    std::vector<SendBufferRef> _sendQueue;   // waiting for the next send
    std::size_t _queuedBytes = 0;            // queued + in flight, not yet acknowledged sent
    std::size_t _sendCap = 0;
    std::size_t _maxTailBytes = kDefaultMaxTailBytes;
    Clock::duration _idleTimeout{};
    std::atomic<Clock::rep> _lastActivity{0};
    std::atomic<bool> _sendHook{true};       // false once the default OnSend ran
    bool _sendInFlight = false;
    bool _closeAfterSend = false;
    std::string _reason;                     // under _sendLock

    // In flight (home worker only).
    std::vector<SendBufferRef> _sending;
    std::vector<IoSlice> _slices;
    std::size_t _sendingOffset = 0;          // bytes of _sending.front() already sent

    std::unique_ptr<Transport> _transport;   // nullptr: raw TCP; set before the session starts

    RecvBuffer _tail;                        // an incomplete packet, only between receives
    SessionCounters _counters;

    friend class Service;
};

}  // namespace tavern
