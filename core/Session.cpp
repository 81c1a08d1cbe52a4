#include "core/Session.h"

#include <cassert>

#include <spdlog/spdlog.h>

#include "core/Service.h"
#include "core/SocketUtils.h"
#include "core/Transport.h"
#include "core/Worker.h"
#include "jobs/ThreadContext.h"

// Debug builds check "only on the home worker" (a detached session has no home and runs its
// receive path on the calling thread).
#define TAVERN_ASSERT_ON_HOME() assert(Home() == nullptr || Home()->IsCurrentThread())

namespace tavern {

std::atomic<std::uint64_t> Session::sNextId{1};

Session::Session()
    : IocpObject(Kind::Session), _id(sNextId.fetch_add(1, std::memory_order_relaxed)) {}

Session::~Session() {
    ReleaseBudget(_sendQueue, _sendQueue.size());
    ReleaseBudget(_sending, _sending.size());
    // Normally the backend closed it; a session that never started still owns its socket.
    if (!SocketClosed()) socket::Close(Socket());
}

void Session::Attach(const std::shared_ptr<Service>& service, SocketHandle socket, Worker* home,
                     const NetAddress& peer) {
    _service = service;
    _serviceCounters = service->SharedCounters();
    _sendBudget = service->Budget();
    SetSocket(socket);
    SetHome(home);
    _peer = peer;
    SetScheduler(service->Core().GetScheduler());
    ApplyOptions(service->Options());
    if (service->Options().transport) _transport = service->Options().transport->Make();
}

void Session::ApplyOptions(const ServiceOptions& options) {
    _sendCap = options.sendQueueLimit;
    _maxTailBytes = options.maxTailBytes;
    _idleTimeout = options.idleTimeout;
}

std::size_t Session::QueuedSendBytes() const {
    std::lock_guard guard(_sendLock);
    return _queuedBytes;
}

std::string Session::DisconnectReason() const {
    std::lock_guard guard(_sendLock);
    return _reason;
}

void Session::RunOnHome(Job job) { Home()->Dispatch(std::move(job)); }

// --- Connecting and starting (home worker) ------------------------------------------------------

void Session::StartConnectOnWorker() {
    TAVERN_ASSERT_ON_HOME();
    State expected = State::Idle;
    if (!_state.compare_exchange_strong(expected, State::Connecting)) return;  // disconnected
    Home()->GetBackend().Connect(*this, _peer);
}

void Session::IoConnected(std::error_code error) {
    TAVERN_ASSERT_ON_HOME();
    if (Closing()) return;
    if (error) {
        spdlog::warn("session {}: connect to {} failed: {}", _id, _peer.ToString(),
                     error.message());
        if (_serviceCounters) _serviceCounters->connectFailed.fetch_add(1, std::memory_order_relaxed);
        DoAsync([self = Self(), error] { self->OnConnectFailed(error); });
        Disconnect("connect failed: " + error.message());
        return;
    }
    if (_serviceCounters) _serviceCounters->accepted.fetch_add(1, std::memory_order_relaxed);
    StartOnWorker();
}

void Session::StartOnWorker() {
    TAVERN_ASSERT_ON_HOME();
    State state = _state.load(std::memory_order_acquire);
    if (state != State::Idle && state != State::Connecting) return;  // disconnected meanwhile
    if (!_state.compare_exchange_strong(state, State::Connected)) return;
    MarkActivity();
    // The receive is armed before OnConnected can run (it may run inline, right here): a
    // Disconnect from OnConnected then cancels that receive. Armed after, the receive would
    // outlive the close, and the session would wait for the peer to send or close.
    // Receive completions are handled in a later poll of this thread, so OnRecv still comes
    // after OnConnected.
    Home()->GetBackend().Receive(*this);
    if (_transport) {
        // OnConnected waits for the transport's handshake (TransportReady); the idle check
        // does not, so a handshake dribbled slowly is cut like any idle session.
        _transport->Started(*this);
        DoAsync([self = Self()] {
            if (self->_idleTimeout > Clock::duration::zero()) self->ArmIdleCheck();
        });
        return;
    }
    _everConnected = true;
    DoAsync([self = Self()] {
        if (self->_idleTimeout > Clock::duration::zero()) self->ArmIdleCheck();
        self->OnConnected();
    });
}

void Session::ArmIdleCheck() {
    // A few checks per timeout: a session is cut between 1 and 1.25 timeouts after its last
    // activity. The timer holds the session weakly; the handle is kept to cancel it at the
    // close, which frees the session's memory at once rather than when the check comes due.
    // On the session's job queue only (as CheckIdle and the close's job).
    const auto period = std::max<Clock::duration>(_idleTimeout / 4, std::chrono::milliseconds(10));
    _idleCheck = DoTimer(period, &Session::CheckIdle);
}

void Session::CheckIdle() {
    TAVERN_ASSERT_ON_QUEUE(this);  // a timer job on this session
    if (!IsConnected()) return;
    const Clock::duration idle =
        Clock::now().time_since_epoch() -
        Clock::duration(_lastActivity.load(std::memory_order_relaxed));
    if (idle < _idleTimeout) {
        ArmIdleCheck();
        return;
    }
    if (_serviceCounters) _serviceCounters->idleTimeouts.fetch_add(1, std::memory_order_relaxed);
    Cut("idle for " +
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(idle).count()) +
        " ms");
}

void Session::StartDetached() {
    State expected = State::Idle;
    if (Home() != nullptr || !_state.compare_exchange_strong(expected, State::Connected)) return;
    DoAsync([self = Self()] { self->OnConnected(); });
}

// --- Receiving (home worker) --------------------------------------------------------------------

void Session::IoReceived(std::span<const std::byte> bytes) {
    TAVERN_ASSERT_ON_HOME();
    if (!IsConnected()) return;
    _counters.bytesIn.fetch_add(bytes.size(), std::memory_order_relaxed);
    if (_serviceCounters) _serviceCounters->bytesIn.fetch_add(bytes.size(), std::memory_order_relaxed);
    if (_transport) return _transport->Received(*this, bytes);
    if (_tail.Empty()) {
        const std::size_t used = OnRecvBytes(bytes);
        if (used >= bytes.size() || !IsConnected()) return;
        if (bytes.size() - used > MaxTailBytes()) return CutForTail(bytes.size() - used);
        _tail.Append(bytes.subspan(used));
        return;
    }
    // The tail grows by at most one receive past the cap before the session is cut.
    _tail.Append(bytes);
    _tail.Consume(OnRecvBytes(_tail.Readable()));
    if (_tail.Size() > MaxTailBytes() && IsConnected()) CutForTail(_tail.Size());
}

void Session::CutForTail(std::size_t tailBytes) {
    _tail.Clear();
    if (_serviceCounters) _serviceCounters->tailCapExceeded.fetch_add(1, std::memory_order_relaxed);
    Cut(std::to_string(tailBytes) + " received bytes left unconsumed, over the cap of " +
        std::to_string(MaxTailBytes()));
}

std::size_t Session::OnRecvBytes(std::span<const std::byte> bytes) {
    MarkActivity();
    DoAsync([self = Self(), block = SendBuffer::Copy(bytes)]() mutable {
        self->OnRecvBuffer(std::move(block));
    });
    return bytes.size();
}

void Session::IoRecvEnded(std::error_code error) {
    TAVERN_ASSERT_ON_HOME();
    if (error) {
        Disconnect("receive failed: " + error.message());
        return;
    }
    if (_transport) return _transport->PeerClosed(*this);
    OnPeerClosed(_tail.Size());
}

void Session::TransportDeliver(std::span<const std::byte> bytes) {
    TAVERN_ASSERT_ON_HOME();
    if (!bytes.empty() && IsConnected()) OnRecvBytes(bytes);
}

void Session::TransportReady() {
    TAVERN_ASSERT_ON_HOME();
    if (!IsConnected() || _everConnected) return;
    _everConnected = true;
    DoAsync([self = Self()] { self->OnConnected(); });
}

void Session::TransportConnectFailed(std::string reason) {
    TAVERN_ASSERT_ON_HOME();
    if (_serviceCounters) _serviceCounters->connectFailed.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("session {}: handshake with {} failed: {}", _id, _peer.ToString(), reason);
    DoAsync([self = Self()] {
        self->OnConnectFailed(std::make_error_code(std::errc::connection_refused));
    });
    Disconnect("handshake failed: " + reason);
}

void Session::OnTransportProtocolError(std::string detail) { Cut(std::move(detail)); }

void Session::OnPeerClosed(std::size_t /*tailBytes*/) {
    // Behind every receive already queued, so their replies still go out before the close.
    DoAsync([self = Self()] { self->DisconnectAfterSend("peer closed the connection"); });
}

// --- Sending ------------------------------------------------------------------------------------

void Session::Send(SendBufferRef buffer) {
    if (!buffer) return;
    const State state = _state.load(std::memory_order_acquire);
    if (state == State::Disconnecting || state == State::Closed) return;
    if (Home() == nullptr) {  // detached (StartDetached) or not started: no socket to send on
        _counters.sends.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    OnSendQueued(buffer->Bytes());
    if (_transport) {
        buffer = _transport->Encode(std::move(buffer));
        if (!buffer) return;
    }
    Enqueue(std::move(buffer));
}

void Session::SendFramed(SendBufferRef buffer) {
    const State state = _state.load(std::memory_order_acquire);
    if (!buffer || state == State::Disconnecting || state == State::Closed) return;
    Enqueue(std::move(buffer));
}

void Session::Enqueue(SendBufferRef buffer) {
    bool start = false;
    bool overCap = false;
    {
        std::lock_guard guard(_sendLock);
        if (_queuedBytes + buffer->Size() > _sendCap) {
            overCap = true;
        } else {
            _queuedBytes += buffer->Size();
            if (_sendBudget) buffer->ChargeQueued(_sendBudget);
            _sendQueue.push_back(std::move(buffer));
            if (!_sendInFlight) start = _sendInFlight = true;
        }
    }
    if (overCap) {
        if (_serviceCounters)
            _serviceCounters->sendCapExceeded.fetch_add(1, std::memory_order_relaxed);
        Cut("send queue over " + std::to_string(_sendCap) + " bytes: the peer is not reading");
        return;
    }
    _counters.sends.fetch_add(1, std::memory_order_relaxed);
    if (_serviceCounters) _serviceCounters->sends.fetch_add(1, std::memory_order_relaxed);
    if (_sendBudget && _sendBudget->Over()) {
        if (auto service = GetService()) _sendBudget->Enforce(*service);
    }
    // Posted even on the home worker, never run inline: every Send the current job (or this
    // round of completions) makes joins the same gather write, instead of the first going out
    // alone while the rest wait for its completion. io_uring submits at the next poll anyway.
    if (start) Home()->Post([self = Self()] { self->StartSendOnWorker(); });
}

void Session::StartSendOnWorker() {
    TAVERN_ASSERT_ON_HOME();
    if (Closing() || SocketClosed()) return;
    {
        std::lock_guard guard(_sendLock);
        for (auto& buffer : _sendQueue) _sending.push_back(std::move(buffer));
        _sendQueue.clear();
    }
    if (_sending.empty()) {
        std::lock_guard guard(_sendLock);
        _sendInFlight = false;
        return;
    }
    PrepareSlices();
    Home()->GetBackend().Send(*this);
}

void Session::PrepareSlices() {
    _slices.clear();
    std::size_t offset = _sendingOffset;
    for (const auto& buffer : _sending) {
        if (_slices.size() == kMaxIoSlices) break;
        _slices.push_back(MakeIoSlice(buffer->Data() + offset, buffer->Size() - offset));
        offset = 0;
    }
}

void Session::IoSent(std::error_code error, std::size_t bytes) {
    TAVERN_ASSERT_ON_HOME();
    if (Closing()) return;
    if (error) {
        Disconnect("send failed: " + error.message());
        return;
    }
    _counters.bytesOut.fetch_add(bytes, std::memory_order_relaxed);
    if (_serviceCounters) _serviceCounters->bytesOut.fetch_add(bytes, std::memory_order_relaxed);

    // Drop what went out whole; a partial send leaves an offset into the first buffer left.
    std::size_t left = bytes;
    std::size_t done = 0;
    while (done < _sending.size() && left >= _sending[done]->Size() - _sendingOffset) {
        left -= _sending[done]->Size() - _sendingOffset;
        _sendingOffset = 0;
        ++done;
    }
    _sendingOffset += left;
    ReleaseBudget(_sending, done);
    _sending.erase(_sending.begin(), _sending.begin() + static_cast<std::ptrdiff_t>(done));

    bool closeNow = false;
    {
        std::lock_guard guard(_sendLock);
        _queuedBytes -= bytes;
        for (auto& buffer : _sendQueue) _sending.push_back(std::move(buffer));
        _sendQueue.clear();
        if (_sending.empty()) {
            _sendInFlight = false;
            closeNow = _closeAfterSend;
        }
    }
    if (bytes > 0 && _sendHook.load(std::memory_order_relaxed))
        DoAsync([self = Self(), bytes] { self->OnSend(bytes); });
    if (closeNow) {
        Disconnect(DisconnectReason());
        return;
    }
    if (!_sending.empty()) {
        PrepareSlices();
        Home()->GetBackend().Send(*this);
    }
}

// --- Disconnecting ------------------------------------------------------------------------------

void Session::DisconnectAfterSend(std::string reason) {
    {
        std::lock_guard guard(_sendLock);
        if (_reason.empty()) _reason = std::move(reason);
        if (_sendInFlight) {
            _closeAfterSend = true;
            return;
        }
    }
    Disconnect(DisconnectReason());
}

void Session::DisconnectGracefully(std::string reason) {
    if (Home() == nullptr) {
        Disconnect(std::move(reason));
        return;
    }
    // Through the home worker: the job then follows every receive job it pushed so far (jobs of
    // one producer run in order), so in-flight packets are handled before the close.
    RunOnHome([self = Self(), reason = std::move(reason)]() mutable {
        self->DoAsync([self, reason = std::move(reason)]() mutable {
            // Behind what the handled packets queued: the transport's goodbye (a close frame).
            if (self->_transport) self->_transport->Stopping(*self);
            self->DisconnectAfterSend(std::move(reason));
        });
    });
}

void Session::Disconnect(std::string reason) { BeginClose(std::move(reason), false); }

void Session::LogCut() {
    // A flood of hostile connections costs the log a line a second, not a line each.
    std::uint64_t suppressed = 0;
    const auto service = GetService();
    if (service && !service->ErrorLog().Allow(kCutLogKind, suppressed)) return;
    spdlog::warn("session {} ({}) cut: {}{}", _id, _peer.ToString(), DisconnectReason(),
                 suppressed == 0 ? std::string()
                                 : " (and " + std::to_string(suppressed) +
                                       " more cuts since the last such line)");
}

void Session::Cut(std::string reason, bool log) { BeginClose(std::move(reason), true, log); }

void Session::BeginClose(std::string reason, bool cut, bool log) {
    State state = _state.load(std::memory_order_acquire);
    do {
        if (state == State::Disconnecting || state == State::Closed) return;
    } while (!_state.compare_exchange_weak(state, State::Disconnecting));
    // Only the call that began the close gets here. A cut's reason replaces the one a pending
    // DisconnectAfterSend left: the cause is what ended the session.
    {
        std::lock_guard guard(_sendLock);
        if (_reason.empty() || cut) _reason = std::move(reason);
    }
    if (cut) {
        _cut.store(true, std::memory_order_release);
        if (_serviceCounters) _serviceCounters->cut.fetch_add(1, std::memory_order_relaxed);
        if (log) LogCut();
    }
    if (Home() == nullptr) {  // never attached to a socket
        _state.store(State::Closed, std::memory_order_release);
        return;
    }
    RunOnHome([self = Self()] { self->CloseOnWorker(); });
}

void Session::ReleaseBudget(const std::vector<SendBufferRef>& buffers, std::size_t count) {
    if (!_sendBudget) return;
    for (std::size_t i = 0; i < count; ++i) buffers[i]->ReleaseQueued();
}

void Session::CloseOnWorker() {
    TAVERN_ASSERT_ON_HOME();
    // Set before the backend closes the socket (after its operations are cancelled): with
    // SO_LINGER 0, that close sends a reset and frees the socket with whatever it still queued.
    if (WasCut() && !SocketClosed()) socket::SetLinger(Socket(), true, 0);
    Home()->GetBackend().Close(*this);
}

void Session::IoClosed() {
    _state.store(State::Closed, std::memory_order_release);
    {
        std::lock_guard guard(_sendLock);
        ReleaseBudget(_sendQueue, _sendQueue.size());
        _sendQueue.clear();
        _queuedBytes = 0;
        _sendInFlight = false;
    }
    ReleaseBudget(_sending, _sending.size());
    _sending.clear();
    _slices.clear();
    _tail.Clear();
    const bool wasConnected = _everConnected;
    DoAsync([self = Self(), wasConnected] {
        self->_idleCheck.Cancel();
        if (wasConnected) {
            spdlog::debug("session {} ({}) disconnected: {}", self->_id, self->_peer.ToString(),
                          self->DisconnectReason());
            self->OnDisconnected();
        }
        if (auto service = self->GetService()) service->ReleaseSession(*self);
        self->Close();  // the actor is done: later jobs are dropped, not run
    });
}

void Session::OnJobException(std::exception_ptr error) {
    std::string what = "unknown exception";
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
    }
    spdlog::error("session {} ({}): a job threw: {}", _id, _peer.ToString(), what);
    Cut("a job threw: " + what);
}

}  // namespace tavern
