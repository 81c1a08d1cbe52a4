#include "core/iocp/SocketPool.h"

namespace tavern::iocp {

SocketPool& SocketPool::Shared() {
    static SocketPool pool;  // its sockets are the process's until exit
    return pool;
}

SocketHandle SocketPool::Take(int family) {
    std::lock_guard guard(_lock);
    auto& sockets = Of(family);
    if (sockets.empty()) return kInvalidSocket;
    const SocketHandle socket = sockets.back();
    sockets.pop_back();
    return socket;
}

bool SocketPool::Give(int family, SocketHandle socket) {
    std::lock_guard guard(_lock);
    auto& sockets = Of(family);
    if (sockets.size() >= kMaxPerFamily) return false;
    sockets.push_back(socket);
    return true;
}

}  // namespace tavern::iocp
