// The IOCP backend's accept side: a bounded pool of pre-posted AcceptEx per listener.
#include "core/iocp/IocpBackend.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/Listener.h"
#include "core/iocp/SocketPool.h"

namespace tavern {

using iocp::AcceptSlot;
using iocp::ObjectState;
using iocp::OpKind;

namespace {

// AcceptEx requests kept posted per listener. A burst of connections beyond this waits in the
// listen backlog, not in memory of ours; each completion posts its slot again at once.
constexpr std::uint16_t kAcceptSlots = 16;
constexpr ULONGLONG kRetryMillis = 100;  // a slot that could not be posted waits this long

// The client gave up before we accepted it: not the listener's problem.
bool ClientWentAway(std::error_code error) {
    return error == std::errc::connection_reset || error == std::errc::connection_aborted;
}

}  // namespace

void IocpBackend::Accept(Listener& listener) {
    if (listener.Closing()) return;
    ObjectState& state = State(listener);
    if (!state.accepts.empty()) return;  // already accepting
    if (const std::error_code error = Associate(listener, state)) {
        listener.OperationStarted();
        Defer(listener, OpKind::Accept, error);
        return;
    }
    // All slots exist before any is posted: the vector never moves a posted OVERLAPPED.
    state.accepts.reserve(kAcceptSlots);
    for (std::uint16_t i = 0; i < kAcceptSlots; ++i) state.accepts.emplace_back(&listener, i);
    for (AcceptSlot& slot : state.accepts) {
        listener.OperationStarted();  // each slot is one pending operation until the close
        PostAccept(listener, slot);
    }
}

bool IocpBackend::PostAccept(Listener& listener, AcceptSlot& slot) {
    const int family = listener.LocalAddress().Family();
    std::error_code error;
    for (int attempt = 0; attempt < 4; ++attempt) {
        if (slot.socket == kInvalidSocket && _reuseSockets)
            slot.socket = iocp::SocketPool::Shared().Take(family);
        if (slot.socket == kInvalidSocket)
            slot.socket = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                                     WSA_FLAG_OVERLAPPED);
        if (slot.socket == kInvalidSocket) {
            error = iocp::LastWsaError();  // out of sockets or memory: retry later
            break;
        }
        DWORD bytes = 0;
        if (_winsock->acceptEx(listener.Socket(), slot.socket, slot.addresses.data(), 0,
                               iocp::kAcceptAddressLength, iocp::kAcceptAddressLength, &bytes,
                               slot.op.Start()) ||
            WSAGetLastError() == ERROR_IO_PENDING) {
            slot.retired = false;
            return true;  // the completion comes through the port either way
        }
        slot.op.inKernel = false;
        error = iocp::LastWsaError();
        closesocket(slot.socket);
        slot.socket = kInvalidSocket;
        if (!ClientWentAway(error)) break;
    }
    // The slot stays one pending operation, retried from Poll; the error is reported once.
    if (!slot.retired) {
        slot.retired = true;
        if (_retired.empty()) _nextRetryAt = GetTickCount64() + kRetryMillis;
        if (std::find(_retired.begin(), _retired.end(), &listener) == _retired.end())
            _retired.push_back(&listener);
        listener.OperationStarted();
        Defer(listener, OpKind::Accept, error);
    }
    return false;
}

void IocpBackend::CompleteAccept(Listener& listener, AcceptSlot& slot, std::error_code error) {
    const SocketHandle accepted = slot.socket;
    slot.socket = kInvalidSocket;
    if (listener.Closing()) {  // canceled, or accepted just before the close
        closesocket(accepted);
        Finished(listener);
        return;
    }
    SocketHandle listening = listener.Socket();
    if (!error && setsockopt(accepted, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                             reinterpret_cast<const char*>(&listening), sizeof(listening)) != 0)
        error = iocp::LastWsaError();
    if (!error) {
        if (spdlog::should_log(spdlog::level::trace)) {
            sockaddr* local = nullptr;
            sockaddr* remote = nullptr;
            int localLength = 0;
            int remoteLength = 0;
            _winsock->getAcceptExSockaddrs(slot.addresses.data(), 0, iocp::kAcceptAddressLength,
                                           iocp::kAcceptAddressLength, &local, &localLength,
                                           &remote, &remoteLength);
            spdlog::trace("listener {}: accepted {}", listener.LocalAddress().ToString(),
                          NetAddress::FromSockAddr(remote, remoteLength).ToString());
        }
        listener.IoAccepted(accepted);
    } else {
        closesocket(accepted);
        if (!ClientWentAway(error)) listener.IoAcceptFailed(error);
    }
    if (listener.Closing()) {
        Finished(listener);
        return;
    }
    PostAccept(listener, slot);  // the slot's operation goes on (posted again, or retired)
}

void IocpBackend::RetryRetiredAccepts() {
    const ULONGLONG now = GetTickCount64();
    if (now < _nextRetryAt) return;
    _nextRetryAt = now + kRetryMillis;
    std::vector<Listener*> listeners;
    listeners.swap(_retired);
    for (Listener* listener : listeners) {
        if (listener->Closing()) continue;
        for (AcceptSlot& slot : State(*listener).accepts)
            if (slot.retired) PostAccept(*listener, slot);
    }
}

void IocpBackend::DropRetiredAccepts(Listener& listener, ObjectState& state) {
    _retired.erase(std::remove(_retired.begin(), _retired.end(), &listener), _retired.end());
    for (AcceptSlot& slot : state.accepts) {
        if (!slot.retired) continue;
        slot.retired = false;
        listener.OperationFinished();  // never the last: the close's cancel is pending
    }
}

}  // namespace tavern
