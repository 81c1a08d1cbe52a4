#include "core/uring/UringBackend.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/Listener.h"
#include "core/Session.h"

namespace tavern {

namespace {

constexpr std::uint32_t kCompletionEntriesFactor = 4;
// How long accepting pauses after running out of descriptors.
__kernel_timespec kAcceptRetryDelay{0, 10'000'000};

std::error_code FromResult(int res) { return {-res, std::system_category()}; }

int InitRing(io_uring& ring, std::uint32_t entries) {
    // Strongest flags first; a kernel or a seccomp profile that refuses one gets fewer.
    const unsigned flagSets[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL,
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SUBMIT_ALL,
        0,
    };
    int rc = -EINVAL;
    for (const unsigned flags : flagSets) {
        io_uring_params params{};
        params.flags = flags | IORING_SETUP_CQSIZE;
        params.cq_entries = entries * kCompletionEntriesFactor;
        rc = io_uring_queue_init_params(entries, &ring, &params);
        if (rc != -EINVAL) return rc;
    }
    return rc;
}

}  // namespace

std::error_code UringBackend::Probe() {
    BackendOptions options;
    options.ringEntries = 8;
    options.recvBufferCount = 2;
    options.recvBufferSize = 64;
    std::error_code error;
    auto backend = Create(options, error);
    return error;
}

std::unique_ptr<UringBackend> UringBackend::Create(const BackendOptions& options,
                                                   std::error_code& error) {
    std::unique_ptr<UringBackend> backend(new UringBackend());  // private constructor
    error = backend->Init(options);
    if (error) return nullptr;
    return backend;
}

namespace {
std::atomic<bool> g_incrementalBuffers{false};
}  // namespace

bool UringBackend::IncrementalBuffers() {
    return g_incrementalBuffers.load(std::memory_order_relaxed);
}

std::error_code UringBackend::Init(const BackendOptions& options) {
    if (const int rc = InitRing(_ring, options.ringEntries); rc < 0) return FromResult(rc);
    _ringReady = true;
    if (!(_ring.features & IORING_FEAT_EXT_ARG)) return std::make_error_code(std::errc::not_supported);
    if (auto error = _buffers.Setup(_ring, options.recvBufferCount, options.recvBufferSize))
        return error;
    if (_buffers.Incremental()) g_incrementalBuffers.store(true, std::memory_order_relaxed);
    _wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (_wakeFd < 0) return {errno, std::system_category()};
    ArmWake();
    return {};
}

UringBackend::~UringBackend() {
    if (_ringReady) {
        _buffers.Teardown(_ring);
        io_uring_queue_exit(&_ring);
    }
    if (_wakeFd >= 0) ::close(_wakeFd);
}

io_uring_sqe* UringBackend::NextSqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&_ring);
    while (sqe == nullptr) {
        // The submission queue is full: hand what we have to the kernel and try again.
        io_uring_submit(&_ring);
        sqe = io_uring_get_sqe(&_ring);
    }
    return sqe;
}

void UringBackend::ArmWake() {
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_read(sqe, _wakeFd, &_wakeValue, sizeof(_wakeValue), 0);
    io_uring_sqe_set_data(sqe, &_wakeEvent);
}

void UringBackend::Wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(_wakeFd, &one, sizeof(one));
}

int UringBackend::Poll(std::chrono::milliseconds timeout) {
    _buffers.Flush();
    io_uring_cqe* cqe = nullptr;
    if (timeout.count() > 0) {
        __kernel_timespec ts{};
        ts.tv_sec = timeout.count() / 1000;
        ts.tv_nsec = (timeout.count() % 1000) * 1000000;
        io_uring_submit_and_wait_timeout(&_ring, &cqe, 1, &ts, nullptr);
    } else {
        io_uring_submit_and_get_events(&_ring);
    }
    int count = 0;
    unsigned head = 0;
    io_uring_for_each_cqe(&_ring, head, cqe) {
        Complete(*cqe);
        ++count;
    }
    io_uring_cq_advance(&_ring, static_cast<unsigned>(count));
    return count;
}

void UringBackend::Complete(const io_uring_cqe& cqe) {
    auto* event = static_cast<IocpEvent*>(io_uring_cqe_get_data(&cqe));
    if (event->type == EventType::Wake) {
        ArmWake();
        return;
    }
    IocpObject& owner = *event->owner;
    switch (event->type) {
        case EventType::Accept:
            CompleteAccept(static_cast<Listener&>(owner), cqe);
            return;
        case EventType::Recv:
            CompleteRecv(static_cast<Session&>(owner), cqe);
            return;
        case EventType::Send: {
            auto& session = static_cast<Session&>(owner);
            if (cqe.res >= 0)
                session.IoSent({}, static_cast<std::size_t>(cqe.res));
            else
                session.IoSent(FromResult(cqe.res), 0);
            owner.FinishOperation();
            return;
        }
        case EventType::Connect:
            static_cast<Session&>(owner).IoConnected(cqe.res < 0 ? FromResult(cqe.res)
                                                                 : std::error_code{});
            owner.FinishOperation();
            return;
        case EventType::AcceptReady:
            if (!owner.Closing()) ArmAccept(static_cast<Listener&>(owner));
            owner.FinishOperation();
            return;
        case EventType::Cancel:
            owner.FinishOperation();
            return;
        case EventType::Wake:
            return;
    }
}

void UringBackend::CompleteAccept(Listener& listener, const io_uring_cqe& cqe) {
    const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (cqe.res >= 0) {
        if (listener.Closing())
            ::close(cqe.res);
        else
            listener.IoAccepted(cqe.res);
    } else if (cqe.res != -ECANCELED && !listener.Closing()) {
        listener.IoAcceptFailed(FromResult(cqe.res));
    }
    if (!more && !listener.Closing()) {
        // io_uring's accept takes a descriptor before it looks for a connection, so out of
        // descriptors it fails at once even with nothing waiting: re-arming at once would spin.
        // Try again after a short pause (the listener sheds a waiting connection each time).
        if (cqe.res == -EMFILE || cqe.res == -ENFILE)
            ArmAcceptReady(listener);
        else
            ArmAccept(listener);  // multishot ended: re-arm
    }
    if (!more) listener.FinishOperation();
}

void UringBackend::ArmAcceptReady(Listener& listener) {
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_timeout(sqe, &kAcceptRetryDelay, 0, 0);
    io_uring_sqe_set_data(sqe, &listener.acceptReadyEvent);
    listener.OperationStarted();
}

void UringBackend::CompleteRecv(Session& session, const io_uring_cqe& cqe) {
    const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (cqe.flags & IORING_CQE_F_BUFFER) {
        const auto id = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
        // Taken even when closing: the buffer goes back (or on) in step with the kernel.
        const auto bytes =
            _buffers.Take(id, cqe.res > 0 ? static_cast<std::size_t>(cqe.res) : 0, cqe.flags);
        if (cqe.res > 0 && !session.Closing()) session.IoReceived(bytes);
    }
    if (!more) {
        if (!session.Closing()) {
            if (cqe.res == -ENOBUFS) CountReceiveOutOfBuffers();
            if (cqe.res == -ENOBUFS || cqe.res > 0) {
                ArmReceive(session);  // out of buffers for a moment, or the kernel ended it
            } else if (cqe.res == 0) {
                session.IoRecvEnded({});
            } else {
                session.IoRecvEnded(FromResult(cqe.res));
            }
        }
        session.FinishOperation();
    }
}


void UringBackend::ArmAccept(Listener& listener) {
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_multishot_accept(sqe, listener.Socket(), nullptr, nullptr,
                                   SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data(sqe, &listener.acceptEvent);
    listener.OperationStarted();
}

void UringBackend::Accept(Listener& listener) { ArmAccept(listener); }

void UringBackend::CloseListener(Listener& listener) { CloseObject(listener); }

void UringBackend::Connect(Session& session, const NetAddress& peer) {
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_connect(sqe, session.Socket(), peer.SockAddr(), peer.Length());
    io_uring_sqe_set_data(sqe, &session.connectEvent);
    session.OperationStarted();
}

void UringBackend::ArmReceive(Session& session) {
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_recv_multishot(sqe, session.Socket(), nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = ProvidedBufferRing::kGroupId;
    io_uring_sqe_set_data(sqe, &session.recvEvent);
    session.OperationStarted();
}

void UringBackend::Receive(Session& session) { ArmReceive(session); }

void UringBackend::Send(Session& session) {
    auto slices = session.SendSlices();
    msghdr& header = session.sendHeader;
    header = msghdr{};
    header.msg_iov = slices.data();
    header.msg_iovlen = slices.size();
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_sendmsg(sqe, session.Socket(), &header, MSG_NOSIGNAL);
    io_uring_sqe_set_data(sqe, &session.sendEvent);
    session.OperationStarted();
}

void UringBackend::Close(Session& session) { CloseObject(session); }

void UringBackend::CloseObject(IocpObject& object) {
    if (object.Closing()) return;
    object.MarkClosing();
    // Keep the object alive through the cancel's completion, then close in FinishOperation.
    io_uring_sqe* sqe = NextSqe();
    io_uring_prep_cancel_fd(sqe, object.Socket(), IORING_ASYNC_CANCEL_ALL);
    io_uring_sqe_set_data(sqe, &object.cancelEvent);
    object.OperationStarted();
}

}  // namespace tavern
