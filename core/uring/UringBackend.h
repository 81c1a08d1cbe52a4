#pragma once

#include "core/uring/Liburing.h"

#include <memory>
#include <system_error>

#include "core/Backend.h"
#include "core/IocpEvent.h"
#include "core/uring/ProvidedBufferRing.h"

namespace tavern {

class IocpObject;

// The io_uring backend: one ring per worker, created on that worker's thread (SINGLE_ISSUER and
// DEFER_TASKRUN where the kernel has them). Multishot accept, multishot receive into the
// worker's provided-buffer ring, sendmsg with iovecs, connect, cancellation by descriptor before
// close. Submissions are batched: nothing is submitted until the next Poll, which submits and
// waits in one system call and then reaps every ready completion.
class UringBackend final : public Backend {
public:
    static std::unique_ptr<UringBackend> Create(const BackendOptions& options,
                                                std::error_code& error);
    // True when this kernel gives Tavern a ring with provided buffers (the selector asks).
    static std::error_code Probe();
    // Any thread: true once a worker's ring was given incrementally consumed receive buffers
    // (ProvidedBufferRing; kernel 6.12+).
    static bool IncrementalBuffers();
    ~UringBackend() override;

    BackendKind Kind() const override { return BackendKind::Uring; }
    int Poll(std::chrono::milliseconds timeout) override;
    void Wake() override;
    void Accept(Listener& listener) override;
    void CloseListener(Listener& listener) override;
    void Connect(Session& session, const NetAddress& peer) override;
    void Receive(Session& session) override;
    void Send(Session& session) override;
    void Close(Session& session) override;

private:
    UringBackend() = default;
    std::error_code Init(const BackendOptions& options);
    io_uring_sqe* NextSqe();
    void ArmWake();
    void ArmAccept(Listener& listener);
    void ArmAcceptReady(Listener& listener);
    void ArmReceive(Session& session);
    void Complete(const io_uring_cqe& cqe);
    void CompleteAccept(Listener& listener, const io_uring_cqe& cqe);
    void CompleteRecv(Session& session, const io_uring_cqe& cqe);
    void CloseObject(IocpObject& object);

    io_uring _ring{};
    bool _ringReady = false;
    ProvidedBufferRing _buffers;
    int _wakeFd = -1;
    std::uint64_t _wakeValue = 0;
    IocpEvent _wakeEvent{EventType::Wake, nullptr};
};

}  // namespace tavern
