#pragma once

#include <cstdint>
#include <memory>

#include "core/IocpEvent.h"
#include "core/Platform.h"

namespace tavern {

class Worker;

// Something with a socket whose operations a worker's backend completes: a Session or a
// Listener. It has one home worker; every method here is only for that worker's thread.
//
// While any operation is pending the object holds a reference to itself, so the kernel never
// completes into freed memory; the last completion drops it. Closing cancels whatever is
// pending, waits for those final completions, and only then closes the socket.
class IocpObject {
public:
    enum class Kind : std::uint8_t { Session, Listener };

    explicit IocpObject(Kind kind) : _kind(kind) {}
    virtual ~IocpObject() = default;
    IocpObject(const IocpObject&) = delete;
    IocpObject& operator=(const IocpObject&) = delete;

    Kind ObjectKind() const { return _kind; }
    SocketHandle Socket() const { return _socket; }
    Worker* Home() const { return _home; }

    // --- For backends, on the home worker ---------------------------------------------------
    void OperationStarted() {
        if (_pendingOps++ == 0) _keepAlive = SelfForIo();
    }
    // Returns true when that was the last pending operation.
    bool OperationFinished() { return --_pendingOps == 0; }
    int PendingOperations() const { return _pendingOps; }
    // Drop the self-reference once nothing is pending. May destroy the object: call it last.
    void ReleaseIfIdle() {
        if (_pendingOps == 0) {
            auto keep = std::move(_keepAlive);
        }
    }
    bool Closing() const { return _closing; }
    void MarkClosing() { _closing = true; }
    bool SocketClosed() const { return _socket == kInvalidSocket; }
    void ForgetSocket() { _socket = kInvalidSocket; }
    // One pending operation ended. After the last one of a closing object, closes the socket
    // and calls IoClosed; then drops the self-reference if nothing is pending. May destroy the
    // object: call it last.
    void FinishOperation();
    // The socket is closed and nothing is pending: the owner's last word from the engine.
    virtual void IoClosed() = 0;

    // Storage backends use for their per-object state; meaningless to anyone else.
    IocpEvent recvEvent{EventType::Recv, this};
    IocpEvent sendEvent{EventType::Send, this};
    IocpEvent connectEvent{EventType::Connect, this};
    IocpEvent acceptEvent{EventType::Accept, this};
    IocpEvent acceptReadyEvent{EventType::AcceptReady, this};
    IocpEvent cancelEvent{EventType::Cancel, this};
    std::uint32_t backendFlags = 0;
#if !defined(_WIN32)
    msghdr sendHeader{};  // the sendmsg header of the send in flight
#endif

protected:
    void SetSocket(SocketHandle socket) { _socket = socket; }
    void SetHome(Worker* home) { _home = home; }
    virtual std::shared_ptr<void> SelfForIo() = 0;

private:
    SocketHandle _socket = kInvalidSocket;
    Worker* _home = nullptr;
    std::shared_ptr<void> _keepAlive;
    int _pendingOps = 0;
    bool _closing = false;
    Kind _kind;
};

}  // namespace tavern
