#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <system_error>

#include "core/IocpObject.h"
#include "core/NetAddress.h"

namespace tavern {

class ServerService;

// A listening socket. Its accepts run on one worker (io_uring: one multishot accept; epoll:
// accept4 on readiness); each accepted socket becomes a session on a worker chosen in turn.
// It holds its service weakly: the service owns the listener, never the other way round.
//
// Running out of descriptors (EMFILE / ENFILE) does not spin the accept loop: the listener
// keeps one spare descriptor, and when accept fails for lack of descriptors it frees the
// spare, accepts the waiting connection, closes it at once and takes the spare back.
class Listener final : public IocpObject, public std::enable_shared_from_this<Listener> {
public:
    explicit Listener(std::weak_ptr<ServerService> service);
    ~Listener() override;

    // Not from a worker, before StartAccept: binds and listens.
    std::error_code Open(const NetAddress& address, int backlog);
    // Safe to call from any thread: accepting starts on `worker`.
    void StartAccept(Worker& worker);
    // Safe to call from any thread: stops accepting and closes the socket (asynchronously).
    void Close();
    // Safe to call from any thread. The bound address (the real port when asked for port 0).
    const NetAddress& LocalAddress() const { return _local; }
    bool Closed() const { return _closed.load(std::memory_order_acquire); }

    // --- Engine internals, on the listener's worker ----------------------------------------
    void IoAccepted(SocketHandle socket);
    void IoAcceptFailed(std::error_code error);
    void IoClosed() override;

protected:
    std::shared_ptr<void> SelfForIo() override { return shared_from_this(); }

private:
    void ShedOneConnection();

    std::weak_ptr<ServerService> _service;
    NetAddress _local;
    SocketHandle _spare = kInvalidSocket;
    std::atomic<bool> _closeRequested{false};
    std::atomic<bool> _closed{false};
    // Out-of-descriptor refusals not yet logged, and when the last report was (steady ms).
    std::atomic<std::uint64_t> _shedSinceLog{0};
    std::atomic<std::int64_t> _lastShedLogMs{std::numeric_limits<std::int64_t>::min() / 2};
};

}  // namespace tavern
