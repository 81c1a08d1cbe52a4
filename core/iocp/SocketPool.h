#pragma once

#include "core/Platform.h"

#include <mutex>
#include <vector>

namespace tavern::iocp {

// Sockets recycled by DisconnectEx(TF_REUSE_SOCKET) and detached from their completion port,
// waiting for a listener's next AcceptEx. Shared by the process's IOCP backends (a socket
// recycled on one worker may serve a listener on another) and bounded: past the bound a
// recycled socket is closed. Safe to call from any thread. Used only when socket reuse is on.
class SocketPool {
public:
    static SocketPool& Shared();

    // A recycled socket of `family`, or kInvalidSocket.
    SocketHandle Take(int family);
    // Keeps `socket`; false (and the caller closes it) when the pool is full.
    bool Give(int family, SocketHandle socket);

private:
    static constexpr std::size_t kMaxPerFamily = 256;
    std::vector<SocketHandle>& Of(int family) { return family == AF_INET6 ? _v6 : _v4; }

    std::mutex _lock;
    std::vector<SocketHandle> _v4;
    std::vector<SocketHandle> _v6;
};

}  // namespace tavern::iocp
