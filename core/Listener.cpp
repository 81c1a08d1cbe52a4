#include "core/Listener.h"

#include <spdlog/spdlog.h>

#if !defined(_WIN32)
#include <fcntl.h>
#include <unistd.h>
#endif

#include <cerrno>

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
    spdlog::warn("listener {}: out of file descriptors; refused a connection",
                 _local.ToString());
#endif
}

void Listener::IoClosed() { _closed.store(true, std::memory_order_release); }

}  // namespace tavern
