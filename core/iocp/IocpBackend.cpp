#include "core/iocp/IocpBackend.h"

#include <array>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "core/Listener.h"
#include "core/Session.h"

namespace tavern {

using iocp::ObjectState;
using iocp::Operation;
using iocp::OpKind;

namespace {

constexpr ULONG kMaxCompletions = 256;
constexpr ULONG_PTR kWakeKey = 1;      // a Wake(): no OVERLAPPED
constexpr int kReadsPerWakeup = 8;     // then another zero-byte WSARecv, to be fair to others

// What a zero-byte read means: the peer's FIN ({}), or a reset that surfaced as an end of
// stream. Wine, for one, can consume a reset while it polls the socket: the next recv() then
// sees 0 bytes, and a WSASend still pending on that socket never completes. Taken for a FIN,
// the session would wait forever to flush its replies to a peer that is gone. After a FIN the
// connection is still there (half-closed: getpeername works); after a reset it is not
// (WSAENOTCONN), so the reset is reported as one, and the session closes and cancels its send.
// On Windows a reset fails the recv() itself; this costs one call per connection, at its end.
std::error_code EndOfStreamError(SocketHandle socket) {
    sockaddr_storage peer{};
    int length = sizeof(peer);
    if (getpeername(socket, reinterpret_cast<sockaddr*>(&peer), &length) == 0) return {};
    return iocp::WsaError(WSAGetLastError() == WSAENOTCONN ? WSAECONNRESET : WSAGetLastError());
}

bool ReuseRequested() {
    const char* value = std::getenv("TAVERN_IOCP_SOCKET_REUSE");
    return value != nullptr && std::strcmp(value, "1") == 0;
}

}  // namespace

std::unique_ptr<IocpBackend> IocpBackend::Create(const BackendOptions& options,
                                                 std::error_code& error) {
    std::unique_ptr<IocpBackend> backend(new IocpBackend());  // private constructor
    error = backend->Init(options);
    if (error) return nullptr;
    return backend;
}

std::error_code IocpBackend::Init(const BackendOptions& options) {
    std::error_code error;
    _winsock = &iocp::LoadWinSock(error);  // WSAStartup, once per process
    if (error) return error;
    // Concurrency 1: only this worker's thread ever waits on this port.
    _port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
    if (_port == nullptr) return iocp::WsaError(static_cast<int>(GetLastError()));
    _readBuffer.resize(std::size_t{options.recvBufferSize} * 4);
    _reuseSockets = ReuseRequested() && _winsock->disconnectEx != nullptr &&
                    _winsock->canDetachFromPort;
    if (ReuseRequested() && !_reuseSockets)
        spdlog::warn("iocp: TAVERN_IOCP_SOCKET_REUSE=1 ignored: {}",
                     _winsock->disconnectEx == nullptr
                         ? "DisconnectEx is unavailable"
                         : "sockets cannot be detached from a completion port here");
    return {};
}

IocpBackend::~IocpBackend() {
    // Objects still doing I/O here were not closed before the engine stopped. The kernel may
    // still write into their OVERLAPPEDs: cancel, wait a little for those completions, and
    // leak the state of any that never come rather than free memory the kernel may touch.
    bool waiting = false;
    for (auto& [object, state] : _states) {
        if (!state->AnyInKernel()) continue;
        waiting = true;
        if (!object->SocketClosed()) CancelIoEx(reinterpret_cast<HANDLE>(object->Socket()), nullptr);
    }
    const ULONGLONG deadline = GetTickCount64() + 1000;
    while (waiting && GetTickCount64() < deadline) {
        std::array<OVERLAPPED_ENTRY, kMaxCompletions> entries;
        ULONG count = 0;
        if (GetQueuedCompletionStatusEx(_port, entries.data(), kMaxCompletions, &count, 50, FALSE))
            for (ULONG i = 0; i < count; ++i)
                if (auto* op = reinterpret_cast<Operation*>(entries[i].lpOverlapped))
                    op->inKernel = false;
        waiting = false;
        for (auto& entry : _states) waiting = waiting || entry.second->AnyInKernel();
    }
    for (auto& entry : _states)
        if (entry.second->AnyInKernel()) (void)entry.second.release();
    if (_port != nullptr) CloseHandle(_port);
}

void IocpBackend::Wake() { PostQueuedCompletionStatus(_port, 0, kWakeKey, nullptr); }

ObjectState& IocpBackend::State(IocpObject& object) {
    auto& state = _states[&object];
    if (!state) state = std::make_unique<ObjectState>(&object);
    return *state;
}

std::error_code IocpBackend::Associate(IocpObject& object, ObjectState& state) {
    if (state.associated) return {};
    const auto handle = reinterpret_cast<HANDLE>(object.Socket());
    if (CreateIoCompletionPort(handle, _port, 0, 0) == nullptr)
        return iocp::WsaError(static_cast<int>(GetLastError()));
    state.associated = true;
    // Overlapped operations ignore this; the non-blocking recv() after a zero-byte WSARecv
    // needs it.
    u_long on = 1;
    if (ioctlsocket(object.Socket(), FIONBIO, &on) != 0) return iocp::LastWsaError();
    return {};
}

void IocpBackend::Defer(IocpObject& object, OpKind kind, std::error_code error) {
    _deferred.push_back(Deferred{&object, kind, error});
}

// --- The loop -----------------------------------------------------------------------------------

int IocpBackend::Poll(std::chrono::milliseconds timeout) {
    if (!_retired.empty()) RetryRetiredAccepts();
    const DWORD wait = _deferred.empty() ? static_cast<DWORD>(timeout.count()) : 0;
    std::array<OVERLAPPED_ENTRY, kMaxCompletions> entries;
    ULONG count = 0;
    if (!GetQueuedCompletionStatusEx(_port, entries.data(), kMaxCompletions, &count, wait, FALSE))
        count = 0;  // WAIT_TIMEOUT
    int delivered = 0;
    for (ULONG i = 0; i < count; ++i) {
        if (entries[i].lpOverlapped == nullptr) continue;  // a wake-up
        Complete(*reinterpret_cast<Operation*>(entries[i].lpOverlapped),
                 entries[i].dwNumberOfBytesTransferred);
        ++delivered;
    }
    delivered += static_cast<int>(_deferred.size());
    RunDeferred();
    return delivered;
}

void IocpBackend::RunDeferred() {
    // Completions may queue more; run a few rounds, leave the rest for the next Poll.
    for (int round = 0; round < 4 && !_deferred.empty(); ++round) {
        _running.swap(_deferred);
        for (const Deferred& item : _running) {
            IocpObject& object = *item.object;
            switch (item.kind) {
                case OpKind::Recv:
                    if (!object.Closing()) static_cast<Session&>(object).IoRecvEnded(item.error);
                    break;
                case OpKind::Send:
                    static_cast<Session&>(object).IoSent(item.error, 0);
                    break;
                case OpKind::Connect: {
                    auto& session = static_cast<Session&>(object);
                    CompleteConnect(session, State(session), item.error);
                    break;
                }
                case OpKind::Accept:
                    if (!object.Closing()) static_cast<Listener&>(object).IoAcceptFailed(item.error);
                    break;
                case OpKind::Reuse:
                    CompleteReuse(static_cast<Session&>(object), State(object), item.error);
                    break;
                case OpKind::Cancel:
                    break;
            }
            Finished(object);
        }
        _running.clear();
    }
}

std::error_code IocpBackend::OperationError(Operation& op) {
    if (op.overlapped.Internal == 0) return {};  // STATUS_SUCCESS
    // The port hands back an NTSTATUS; WSAGetOverlappedResult turns it into a Winsock error.
    DWORD bytes = 0;
    DWORD flags = 0;
    if (WSAGetOverlappedResult(op.owner->Socket(), &op.overlapped, &bytes, FALSE, &flags))
        return {};
    return iocp::LastWsaError();
}

void IocpBackend::Complete(Operation& op, DWORD bytes) {
    op.inKernel = false;
    IocpObject& owner = *op.owner;
    ObjectState& state = State(owner);
    if (op.kind == OpKind::Cancel) {
        Finished(owner);
        return;
    }
    const std::error_code error = OperationError(op);
    switch (op.kind) {
        case OpKind::Accept: {
            auto& listener = static_cast<Listener&>(owner);
            CompleteAccept(listener, state.accepts[op.slot], error);
            return;
        }
        case OpKind::Recv:
            CompleteRecv(static_cast<Session&>(owner), state, error);
            return;
        case OpKind::Send:
            static_cast<Session&>(owner).IoSent(error, error ? 0 : bytes);
            Finished(owner);
            return;
        case OpKind::Connect:
            CompleteConnect(static_cast<Session&>(owner), state, error);
            Finished(owner);
            return;
        case OpKind::Reuse:
            CompleteReuse(static_cast<Session&>(owner), state, error);
            Finished(owner);
            return;
        case OpKind::Cancel:
            return;
    }
}

// --- Connecting ---------------------------------------------------------------------------------

void IocpBackend::Connect(Session& session, const NetAddress& peer) {
    if (session.Closing()) return;
    ObjectState& state = State(session);
    session.OperationStarted();
    state.connecting = true;
    state.outbound = true;
    // ConnectEx wants a bound socket: the wildcard address of the peer's family, any port.
    sockaddr_storage local{};
    local.ss_family = static_cast<ADDRESS_FAMILY>(peer.Family());
    const int localLength =
        peer.Family() == AF_INET6 ? int{sizeof(sockaddr_in6)} : int{sizeof(sockaddr_in)};
    std::error_code error;
    if (::bind(session.Socket(), reinterpret_cast<const sockaddr*>(&local), localLength) != 0)
        error = iocp::LastWsaError();
    if (!error) error = Associate(session, state);
    if (!error) {
        const BOOL done = _winsock->connectEx(session.Socket(), peer.SockAddr(), peer.Length(),
                                              nullptr, 0, nullptr, state.connect.Start());
        if (!done && WSAGetLastError() != ERROR_IO_PENDING) {
            state.connect.inKernel = false;
            error = iocp::LastWsaError();
        }
    }
    if (error) Defer(session, OpKind::Connect, error);
}

void IocpBackend::CompleteConnect(Session& session, ObjectState& state, std::error_code error) {
    state.connecting = false;
    if (!error && setsockopt(session.Socket(), SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr,
                             0) != 0)
        error = iocp::LastWsaError();
    session.IoConnected(error);
    if (state.sendWaitsForConnect) {  // a Send() that came before the connection
        state.sendWaitsForConnect = false;
        if (session.Closing() || error) {
            session.IoSent(std::make_error_code(std::errc::operation_canceled), 0);
            Finished(session);
        } else {
            StartSend(session, state);
        }
    }
}

// --- Receiving ----------------------------------------------------------------------------------

void IocpBackend::Receive(Session& session) {
    if (session.Closing()) return;
    ObjectState& state = State(session);
    session.OperationStarted();
    std::error_code error = Associate(session, state);
    if (!error) error = PostZeroByteRecv(session, state);
    if (error) Defer(session, OpKind::Recv, error);
}

std::error_code IocpBackend::PostZeroByteRecv(Session& session, ObjectState& state) {
    WSABUF none{0, nullptr};
    DWORD flags = 0;
    if (WSARecv(session.Socket(), &none, 1, nullptr, &flags, state.recv.Start(), nullptr) != 0 &&
        WSAGetLastError() != WSA_IO_PENDING) {
        state.recv.inKernel = false;
        return iocp::LastWsaError();
    }
    return {};  // done or pending: either way the completion comes through the port
}

void IocpBackend::CompleteRecv(Session& session, ObjectState& state, std::error_code error) {
    if (session.Closing()) {  // canceled, or the session closed meanwhile
        Finished(session);
        return;
    }
    if (error) {
        session.IoRecvEnded(error);
        Finished(session);
        return;
    }
    // The socket is readable (or the peer closed): read it dry into the worker's buffer.
    const int capacity = static_cast<int>(_readBuffer.size());
    for (int i = 0; i < kReadsPerWakeup; ++i) {
        const int n = ::recv(session.Socket(), _readBuffer.data(), capacity, 0);
        if (n > 0) {
            session.IoReceived({reinterpret_cast<const std::byte*>(_readBuffer.data()),
                                static_cast<std::size_t>(n)});
            if (session.Closing()) {
                Finished(session);
                return;
            }
            if (n < capacity) break;  // drained
            continue;
        }
        const int code = n == 0 ? 0 : WSAGetLastError();
        if (code == WSAEWOULDBLOCK) break;
        if (code == WSAEINTR) continue;
        // {} for the peer's FIN, unless the end was a reset (see EndOfStreamError).
        session.IoRecvEnded(n == 0 ? EndOfStreamError(session.Socket()) : iocp::WsaError(code));
        Finished(session);
        return;
    }
    if (const std::error_code armError = PostZeroByteRecv(session, state)) {
        session.IoRecvEnded(armError);
        Finished(session);
    }
}

// --- Sending ------------------------------------------------------------------------------------

void IocpBackend::Send(Session& session) {
    if (session.Closing()) return;
    ObjectState& state = State(session);
    session.OperationStarted();
    if (state.connecting) {
        state.sendWaitsForConnect = true;
        return;
    }
    StartSend(session, state);
}

void IocpBackend::StartSend(Session& session, ObjectState& state) {
    std::error_code error = Associate(session, state);
    if (!error) {
        auto slices = session.SendSlices();
        if (WSASend(session.Socket(), slices.data(), static_cast<DWORD>(slices.size()), nullptr,
                    0, state.send.Start(), nullptr) != 0 &&
            WSAGetLastError() != WSA_IO_PENDING) {
            state.send.inKernel = false;
            error = iocp::LastWsaError();
        }
    }
    if (error) Defer(session, OpKind::Send, error);
}

}  // namespace tavern
