// The IOCP backend's close side: cancel, wait for the final completions, then close (or
// recycle) the socket and report IoClosed.
#include "core/iocp/IocpBackend.h"

#include "core/Listener.h"
#include "core/Session.h"
#include "core/iocp/SocketPool.h"

namespace tavern {

using iocp::ObjectState;
using iocp::OpKind;

void IocpBackend::CloseListener(Listener& listener) { CloseObject(listener); }

void IocpBackend::Close(Session& session) { CloseObject(session); }

void IocpBackend::CloseObject(IocpObject& object) {
    if (object.Closing()) return;
    object.MarkClosing();
    ObjectState& state = State(object);
    // The cancel packet is one more pending operation, so the close completes through Poll
    // even when nothing else was pending, and never inside this call.
    object.OperationStarted();
    if (!object.SocketClosed()) CancelIoEx(reinterpret_cast<HANDLE>(object.Socket()), nullptr);
    if (object.ObjectKind() == IocpObject::Kind::Listener)
        DropRetiredAccepts(static_cast<Listener&>(object), state);
    if (!PostQueuedCompletionStatus(_port, 0, 0, state.cancel.Start())) {
        state.cancel.inKernel = false;
        Defer(object, OpKind::Cancel, {});
    }
}

void IocpBackend::Finished(IocpObject& object) {
    if (!object.OperationFinished()) return;
    if (object.Closing()) {
        auto it = _states.find(&object);
        if (it != _states.end()) {  // the object's last completion after its close
            ObjectState& state = *it->second;
            const bool isSession = object.ObjectKind() == IocpObject::Kind::Session;
            if (isSession && StartReuse(static_cast<Session&>(object), state)) return;
            for (iocp::AcceptSlot& slot : state.accepts)
                if (slot.socket != kInvalidSocket) closesocket(slot.socket);
            if (!object.SocketClosed()) {
                closesocket(object.Socket());
                object.ForgetSocket();
            }
            _states.erase(it);
            object.IoClosed();
        }
    }
    object.ReleaseIfIdle();  // may destroy the object
}

bool IocpBackend::StartReuse(Session& session, ObjectState& state) {
    // Only sockets that came from AcceptEx go back to the accept pool; a cut one is reset.
    if (!_reuseSockets || session.WasCut() || state.reuseTried || state.outbound || !state.associated ||
        session.SocketClosed())
        return false;
    state.reuseTried = true;
    session.OperationStarted();
    if (!_winsock->disconnectEx(session.Socket(), state.reuse.Start(), TF_REUSE_SOCKET, 0) &&
        WSAGetLastError() != ERROR_IO_PENDING) {
        state.reuse.inKernel = false;
        Defer(session, OpKind::Reuse, iocp::LastWsaError());
    }
    return true;
}

void IocpBackend::CompleteReuse(Session& session, ObjectState& /*state*/, std::error_code error) {
    // On success the socket leaves this worker's port and waits in the pool; on failure the
    // Finished that follows closes it as usual.
    if (error || !iocp::DetachFromPort(session.Socket())) return;
    if (iocp::SocketPool::Shared().Give(session.PeerAddress().Family(), session.Socket()))
        session.ForgetSocket();
}

}  // namespace tavern
