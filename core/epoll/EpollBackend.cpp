#include "core/epoll/EpollBackend.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "core/Listener.h"
#include "core/Session.h"
#include "core/SocketUtils.h"

namespace tavern {

namespace {

// What is pending on an object, kept in IocpObject::backendFlags.
enum Flag : std::uint32_t {
    kRegistered = 1u << 0,
    kReading = 1u << 1,
    kSending = 1u << 2,
    kSendBlocked = 1u << 3,
    kConnecting = 1u << 4,
    kAccepting = 1u << 5,
};

constexpr int kMaxEvents = 256;
constexpr int kReadsPerWakeup = 8;     // then level-triggered epoll brings the socket back
constexpr int kAcceptsPerWakeup = 64;

std::error_code Errno() { return {errno, std::system_category()}; }

}  // namespace

std::unique_ptr<EpollBackend> EpollBackend::Create(const BackendOptions& options,
                                                   std::error_code& error) {
    std::unique_ptr<EpollBackend> backend(new EpollBackend());  // private constructor
    error = backend->Init(options);
    if (error) return nullptr;
    return backend;
}

std::error_code EpollBackend::Init(const BackendOptions& options) {
    _epollFd = epoll_create1(EPOLL_CLOEXEC);
    if (_epollFd < 0) return Errno();
    _wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (_wakeFd < 0) return Errno();
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = nullptr;  // the wake-up descriptor
    if (epoll_ctl(_epollFd, EPOLL_CTL_ADD, _wakeFd, &event) != 0) return Errno();
    _readBuffer.resize(std::size_t{options.recvBufferSize} * 4);
    return {};
}

EpollBackend::~EpollBackend() {
    if (_wakeFd >= 0) ::close(_wakeFd);
    if (_epollFd >= 0) ::close(_epollFd);
}

void EpollBackend::Wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(_wakeFd, &one, sizeof(one));
}

int EpollBackend::Poll(std::chrono::milliseconds timeout) {
    std::array<epoll_event, kMaxEvents> events;
    const int wait = _deferred.empty() ? static_cast<int>(timeout.count()) : 0;
    const int n = epoll_wait(_epollFd, events.data(), kMaxEvents, wait);
    for (int i = 0; i < n; ++i) {
        auto* object = static_cast<IocpObject*>(events[i].data.ptr);
        if (object == nullptr) {
            std::uint64_t value = 0;
            [[maybe_unused]] const ssize_t r = ::read(_wakeFd, &value, sizeof(value));
            continue;
        }
        // A socket closed earlier in this batch is still alive (its close is deferred).
        if (!object->Closing()) OnReady(*object, events[i].events);
    }
    const int delivered = std::max(n, 0) + static_cast<int>(_deferred.size());
    RunDeferred();
    return delivered;
}

void EpollBackend::RunDeferred() {
    // Completions may queue more; run a few rounds, leave the rest for the next Poll.
    for (int round = 0; round < 4 && !_deferred.empty(); ++round) {
        _running.swap(_deferred);
        for (const Deferred& item : _running) {
            IocpObject& object = *item.object;
            switch (item.type) {
                case EventType::Send:
                    static_cast<Session&>(object).IoSent(item.error, item.bytes);
                    break;
                case EventType::Connect:
                    static_cast<Session&>(object).IoConnected(item.error);
                    break;
                case EventType::Cancel:
                    CancelAll(object);
                    break;
                default:
                    break;
            }
            object.FinishOperation();
        }
        _running.clear();
    }
}

void EpollBackend::Defer(IocpObject& object, EventType type, std::error_code error,
                         std::size_t bytes) {
    _deferred.push_back(Deferred{&object, type, error, bytes});
}

void EpollBackend::UpdateInterest(IocpObject& object) {
    const std::uint32_t flags = object.backendFlags;
    epoll_event event{};
    event.data.ptr = &object;
    if (flags & (kReading | kAccepting)) event.events |= EPOLLIN;
    if (flags & (kSendBlocked | kConnecting)) event.events |= EPOLLOUT;
    const int op = (flags & kRegistered) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(_epollFd, op, object.Socket(), &event) == 0) object.backendFlags |= kRegistered;
}

void EpollBackend::OnReady(IocpObject& object, std::uint32_t events) {
    if (object.ObjectKind() == IocpObject::Kind::Listener) {
        AcceptReady(static_cast<Listener&>(object));
        return;
    }
    auto& session = static_cast<Session&>(object);
    const bool failed = (events & (EPOLLERR | EPOLLHUP)) != 0;
    if ((session.backendFlags & kConnecting) && (failed || (events & EPOLLOUT))) {
        session.backendFlags &= ~kConnecting;
        UpdateInterest(session);
        session.IoConnected(socket::PendingError(session.Socket()));
        session.FinishOperation();
        return;
    }
    if ((session.backendFlags & kReading) && (failed || (events & EPOLLIN))) ReadReady(session);
    if (!session.Closing() && (session.backendFlags & kSendBlocked) && (failed || (events & EPOLLOUT)))
        TrySend(session, false);
}

void EpollBackend::AcceptReady(Listener& listener) {
    for (int i = 0; i < kAcceptsPerWakeup && !listener.Closing(); ++i) {
        const int fd = ::accept4(listener.Socket(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            listener.IoAccepted(fd);
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        listener.IoAcceptFailed(Errno());
        return;
    }
}

void EpollBackend::ReadReady(Session& session) {
    for (int i = 0; i < kReadsPerWakeup; ++i) {
        const ssize_t n = ::recv(session.Socket(), _readBuffer.data(), _readBuffer.size(), 0);
        if (n > 0) {
            session.IoReceived({_readBuffer.data(), static_cast<std::size_t>(n)});
            if (session.Closing()) return;
            if (static_cast<std::size_t>(n) < _readBuffer.size()) return;  // drained
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n < 0 && errno == EINTR) continue;
        const std::error_code error = n == 0 ? std::error_code{} : Errno();
        session.backendFlags &= ~kReading;
        UpdateInterest(session);
        session.IoRecvEnded(error);
        session.FinishOperation();
        return;
    }
}

void EpollBackend::TrySend(Session& session, bool deferCompletion) {
    auto slices = session.SendSlices();
    msghdr header{};
    header.msg_iov = slices.data();
    header.msg_iovlen = slices.size();
    ssize_t n = 0;
    do {
        n = ::sendmsg(session.Socket(), &header, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!(session.backendFlags & kSendBlocked)) {
            session.backendFlags |= kSendBlocked;
            UpdateInterest(session);
        }
        return;
    }
    if (session.backendFlags & kSendBlocked) {
        session.backendFlags &= ~kSendBlocked;
        UpdateInterest(session);
    }
    session.backendFlags &= ~kSending;
    const std::error_code error = n < 0 ? Errno() : std::error_code{};
    const std::size_t bytes = n < 0 ? 0 : static_cast<std::size_t>(n);
    if (deferCompletion) {
        Defer(session, EventType::Send, error, bytes);  // finished when delivered
        return;
    }
    session.IoSent(error, bytes);
    session.FinishOperation();
}

void EpollBackend::Accept(Listener& listener) {
    listener.backendFlags |= kAccepting;
    listener.OperationStarted();
    UpdateInterest(listener);
}

void EpollBackend::CloseListener(Listener& listener) { CloseObject(listener); }

void EpollBackend::Connect(Session& session, const NetAddress& peer) {
    session.OperationStarted();
    if (::connect(session.Socket(), peer.SockAddr(), peer.Length()) == 0) {
        Defer(session, EventType::Connect);
    } else if (errno == EINPROGRESS) {
        session.backendFlags |= kConnecting;
        UpdateInterest(session);
    } else {
        Defer(session, EventType::Connect, Errno());
    }
}

void EpollBackend::Receive(Session& session) {
    session.backendFlags |= kReading;
    session.OperationStarted();
    UpdateInterest(session);
}

void EpollBackend::Send(Session& session) {
    session.backendFlags |= kSending;
    session.OperationStarted();
    TrySend(session, true);
}

void EpollBackend::Close(Session& session) { CloseObject(session); }

void EpollBackend::CloseObject(IocpObject& object) {
    if (object.Closing()) return;
    object.MarkClosing();
    if (object.backendFlags & kRegistered)
        epoll_ctl(_epollFd, EPOLL_CTL_DEL, object.Socket(), nullptr);
    object.backendFlags &= ~kRegistered;
    object.OperationStarted();  // the cancel, delivered by the next Poll
    Defer(object, EventType::Cancel);
}

void EpollBackend::CancelAll(IocpObject& object) {
    // Operations still waiting for readiness end here, as io_uring's cancel would end them.
    const std::uint32_t waiting = object.backendFlags;
    object.backendFlags = 0;
    if (waiting & (kReading | kAccepting | kConnecting)) object.OperationFinished();
    if ((waiting & kSending) && (waiting & kSendBlocked)) {
        static_cast<Session&>(object).IoSent(std::make_error_code(std::errc::operation_canceled), 0);
        object.OperationFinished();
    }
    // Each of those was one pending operation and never the last one: the cancel still is.
}


}  // namespace tavern
