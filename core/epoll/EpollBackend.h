#pragma once

#include <memory>
#include <system_error>
#include <vector>

#include "core/Backend.h"
#include "core/IocpEvent.h"

namespace tavern {

class IocpObject;

// The epoll backend, for where io_uring is not allowed: a reactor that performs each operation
// when its socket is ready and completes it through the same callbacks as io_uring. One epoll
// set per worker, level-triggered; reads go into one per-worker buffer, so an idle connection
// holds no receive buffer here either. A send is tried at once and waits for EPOLLOUT only
// when the socket buffer is full. Completions that happen inside a request are queued and
// delivered by the next Poll, never from inside the call that asked.
class EpollBackend final : public Backend {
public:
    static std::unique_ptr<EpollBackend> Create(const BackendOptions& options,
                                                std::error_code& error);
    ~EpollBackend() override;

    BackendKind Kind() const override { return BackendKind::Epoll; }
    int Poll(std::chrono::milliseconds timeout) override;
    void Wake() override;
    void Accept(Listener& listener) override;
    void CloseListener(Listener& listener) override;
    void Connect(Session& session, const NetAddress& peer) override;
    void Receive(Session& session) override;
    void Send(Session& session) override;
    void Close(Session& session) override;

private:
    struct Deferred {
        IocpObject* object;
        EventType type;
        std::error_code error;
        std::size_t bytes;
    };

    EpollBackend() = default;
    std::error_code Init(const BackendOptions& options);
    void UpdateInterest(IocpObject& object);
    void Defer(IocpObject& object, EventType type, std::error_code error = {},
               std::size_t bytes = 0);
    void RunDeferred();
    void OnReady(IocpObject& object, std::uint32_t events);
    void AcceptReady(Listener& listener);
    void ReadReady(Session& session);
    void TrySend(Session& session, bool deferCompletion);
    void CloseObject(IocpObject& object);
    void CancelAll(IocpObject& object);

    int _epollFd = -1;
    int _wakeFd = -1;
    std::vector<std::byte> _readBuffer;
    std::vector<Deferred> _deferred;
    std::vector<Deferred> _running;
};

}  // namespace tavern
