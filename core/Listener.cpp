#include "core/Listener.h"

#include <spdlog/spdlog.h>

#if !defined(_WIN32)
#include <fcntl.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <chrono>

#include "core/Service.h"
#include "core/SocketUtils.h"
#include "core/Worker.h"

namespace tavern {

namespace {
SocketHandle OpenSpare() {
#if defined(_WIN32)
    return kInvalidSocket;
#else
    return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
#endif
}
}  // namespace

Listener::Listener(std::weak_ptr<ServerService> service)
    : IocpObject(Kind::Listener), _service(std::move(service)) {}

Listener::~Listener() {
    if (!SocketClosed()) socket::Close(Socket());
#if !defined(_WIN32)
    if (_spare != kInvalidSocket) ::close(_spare);
#endif
}

std::error_code Listener::Open(const NetAddress& address, int backlog) {
    std::error_code error;
    SocketHandle s = socket::CreateListener(address, backlog, error);
    if (error) return error;
    SetSocket(s);
    _local = socket::LocalAddress(s);
    _spare = OpenSpare();
    return {};
}

void Listener::StartAccept(Worker& worker) {
    SetHome(&worker);
    auto self = shared_from_this();
    worker.Post([self] {
        if (!self->_closeRequested.load()) Worker::Current()->GetBackend().Accept(*self);
    });
}

void Listener::Close() {
    if (_closeRequested.exchange(true)) return;
    if (Home() == nullptr) {  // never started
        _closed.store(true, std::memory_order_release);
        return;
    }
    auto self = shared_from_this();
    Home()->Post([self] { Worker::Current()->GetBackend().CloseListener(*self); });
}

void Listener::IoAccepted(SocketHandle socket) {
    auto service = _service.lock();
    if (!service) {
        socket::Close(socket);
        return;
    }
    service->OnAccepted(socket);
}

void Listener::IoAcceptFailed(std::error_code error) {
#if !defined(_WIN32)
    if (error.value() == EMFILE || error.value() == ENFILE) {
        ShedOneConnection();
        return;
    }
#endif
    spdlog::warn("listener {}: accept failed: {}", _local.ToString(), error.message());
}

void Listener::ShedOneConnection() {
#if !defined(_WIN32)
    // Out of descriptors: the waiting connection would make accept fail forever. Use the spare
    // to take it and close it, so the client sees a clean close rather than a hang.
    if (auto service = _service.lock()) service->CountRefusedForDescriptors();
    if (_spare != kInvalidSocket) {
        ::close(_spare);
        const int fd = ::accept4(Socket(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) ::close(fd);
        _spare = OpenSpare();
    }
    // One line a second at most: a flood of connections while out of descriptors must not
    // become a flood of log lines (each would cost more than the refusal).
    const std::uint64_t refused = _shedSinceLog.fetch_add(1, std::memory_order_relaxed) + 1;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    std::int64_t last = _lastShedLogMs.load(std::memory_order_relaxed);
    if (now - last >= 1000 &&
        _lastShedLogMs.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
        _shedSinceLog.fetch_sub(refused, std::memory_order_relaxed);
        spdlog::warn("listener {}: out of file descriptors; refused {} connection(s) since the "
                     "last report",
                     _local.ToString(), refused);
    }
#endif
}

void Listener::IoClosed() { _closed.store(true, std::memory_order_release); }

}  // namespace tavern
