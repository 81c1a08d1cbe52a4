#pragma once

#include "core/Platform.h"

#include <memory>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "core/Backend.h"
#include "core/IocpObject.h"
#include "core/iocp/IocpOperation.h"
#include "core/iocp/WinSock.h"

namespace tavern {

// The Windows backend: I/O completion ports.
//
// One completion port per worker, not one shared by all workers. A socket belongs to exactly
// one port, so a session's completions then arrive on its home worker, as they do with one
// io_uring or one epoll set per worker on Linux: the Backend contract (completions on the
// owning worker, never concurrently for one object) holds without locks or hand-offs.
//
//   accept   16 AcceptEx pre-posted per listener, each with its own pre-created socket and
//            address buffer (not one session per possible client); SO_UPDATE_ACCEPT_CONTEXT;
//            the slot is posted again at once with a new socket.
//   connect  bind to the wildcard address, ConnectEx, SO_UPDATE_CONNECT_CONTEXT.
//   receive  a zero-byte WSARecv: it completes when data (or the end) arrives, without a
//            buffer; then non-blocking recv() into one per-worker buffer until the socket is
//            drained, and another zero-byte WSARecv. An idle session holds no receive buffer,
//            as with io_uring's provided buffers and epoll's per-worker buffer.
//   send     one WSASend of every slice in Session::SendSlices() (the one gather send in
//            flight); a partial completion reports the bytes sent.
//   close    CancelIoEx on the socket plus a cancel packet posted to the port; when the last
//            pending completion has arrived: closesocket, then IoClosed.
//   wake     PostQueuedCompletionStatus with no OVERLAPPED.
//   poll     GetQueuedCompletionStatusEx, up to 256 completions per call.
//
// Errors the kernel reports at once (not through the port) are queued and delivered by the
// next Poll, never from inside the call that asked.
//
// Socket reuse (DisconnectEx with TF_REUSE_SOCKET, the socket then handed to a later AcceptEx)
// is implemented but off unless TAVERN_IOCP_SOCKET_REUSE=1 and the system can detach a socket
// from its completion port (FileReplaceCompletionInformation; Wine 8 cannot): a recycled socket
// keeps its port, and its next session may live on another worker.
class IocpBackend final : public Backend {
public:
    // Only on the worker thread that will own the backend.
    static std::unique_ptr<IocpBackend> Create(const BackendOptions& options,
                                               std::error_code& error);
    ~IocpBackend() override;

    BackendKind Kind() const override { return BackendKind::Iocp; }
    int Poll(std::chrono::milliseconds timeout) override;
    void Wake() override;  // any thread
    void Accept(Listener& listener) override;
    void CloseListener(Listener& listener) override;
    void Connect(Session& session, const NetAddress& peer) override;
    void Receive(Session& session) override;
    void Send(Session& session) override;
    void Close(Session& session) override;

private:
    // A completion that happened inside a request (an error the call returned at once).
    struct Deferred {
        IocpObject* object;
        iocp::OpKind kind;
        std::error_code error;
    };

    IocpBackend() = default;
    std::error_code Init(const BackendOptions& options);
    iocp::ObjectState& State(IocpObject& object);
    std::error_code Associate(IocpObject& object, iocp::ObjectState& state);
    void Defer(IocpObject& object, iocp::OpKind kind, std::error_code error);
    void RunDeferred();
    void Complete(iocp::Operation& op, DWORD bytes);
    std::error_code OperationError(iocp::Operation& op);

    // Receiving and sending (IocpBackend.cpp).
    std::error_code PostZeroByteRecv(Session& session, iocp::ObjectState& state);
    void CompleteRecv(Session& session, iocp::ObjectState& state, std::error_code error);
    void StartSend(Session& session, iocp::ObjectState& state);
    void CompleteConnect(Session& session, iocp::ObjectState& state, std::error_code error);

    // Accepting (IocpAccept.cpp).
    bool PostAccept(Listener& listener, iocp::AcceptSlot& slot);
    void CompleteAccept(Listener& listener, iocp::AcceptSlot& slot, std::error_code error);
    void RetryRetiredAccepts();
    void DropRetiredAccepts(Listener& listener, iocp::ObjectState& state);

    // Closing (IocpClose.cpp).
    void CloseObject(IocpObject& object);
    // One of the object's operations ended: once none is pending and it is closing, closes
    // (or recycles) the socket and calls IoClosed. May destroy the object: call it last.
    void Finished(IocpObject& object);
    bool StartReuse(Session& session, iocp::ObjectState& state);
    void CompleteReuse(Session& session, iocp::ObjectState& state, std::error_code error);

    HANDLE _port = nullptr;
    const iocp::WinSock* _winsock = nullptr;
    bool _reuseSockets = false;
    std::vector<char> _readBuffer;
    std::unordered_map<IocpObject*, std::unique_ptr<iocp::ObjectState>> _states;
    std::vector<Deferred> _deferred;
    std::vector<Deferred> _running;
    std::vector<Listener*> _retired;  // listeners with accept slots waiting for a retry
    ULONGLONG _nextRetryAt = 0;
};

}  // namespace tavern
