#include "core/SocketUtils.h"

#if defined(_WIN32)
#include "core/iocp/WinSock.h"
#else
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#endif

namespace tavern::socket {

#if defined(_WIN32)

// Winsock codes with their std::errc conditions (refused, reset, in use, ...), as on Linux.
std::error_code LastError() { return iocp::LastWsaError(); }

SocketHandle CreateTcp(int family, std::error_code& error) {
    // Winsock must be started before the first socket, which may come before any engine (a
    // client's connect, a test's probe listener): started here once per process.
    if ((error = iocp::StartWinSock())) return kInvalidSocket;
    SocketHandle s = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
    error = s == kInvalidSocket ? LastError() : std::error_code{};
    return s;
}

void Close(SocketHandle socket) {
    if (socket != kInvalidSocket) closesocket(socket);
}

std::error_code SetNonBlocking(SocketHandle socket) {
    u_long on = 1;
    return ioctlsocket(socket, FIONBIO, &on) == 0 ? std::error_code{} : LastError();
}

long RaiseFileLimit() { return 0; }  // Windows has no per-process socket limit of this kind

#else

std::error_code LastError() { return {errno, std::system_category()}; }

SocketHandle CreateTcp(int family, std::error_code& error) {
    SocketHandle s = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    error = s == kInvalidSocket ? LastError() : std::error_code{};
    return s;
}

void Close(SocketHandle socket) {
    if (socket != kInvalidSocket) ::close(socket);
}

std::error_code SetNonBlocking(SocketHandle socket) {
    const int flags = fcntl(socket, F_GETFL, 0);
    if (flags < 0 || fcntl(socket, F_SETFL, flags | O_NONBLOCK) < 0) return LastError();
    return {};
}

long RaiseFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    return static_cast<long>(limit.rlim_cur);
}

#endif

namespace {
template <class T>
std::error_code SetOption(SocketHandle socket, int level, int name, T value) {
    const int rc = setsockopt(socket, level, name, reinterpret_cast<const char*>(&value),
                              static_cast<socklen_t>(sizeof(value)));
    return rc == 0 ? std::error_code{} : LastError();
}
}  // namespace

SocketHandle CreateListener(const NetAddress& address, int backlog, std::error_code& error) {
    SocketHandle s = CreateTcp(address.Family(), error);
    if (error) return kInvalidSocket;
    if ((error = SetReuseAddress(s))) {
        Close(s);
        return kInvalidSocket;
    }
    if (address.Family() == AF_INET6) SetOption(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    if (::bind(s, address.SockAddr(), address.Length()) != 0 || ::listen(s, backlog) != 0) {
        error = LastError();
        Close(s);
        return kInvalidSocket;
    }
    return s;
}

std::error_code SetNoDelay(SocketHandle socket, bool on) {
    return SetOption(socket, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}

std::error_code SetSendBuffer(SocketHandle socket, int bytes) {
    return SetOption(socket, SOL_SOCKET, SO_SNDBUF, bytes);
}

std::error_code SetReuseAddress(SocketHandle socket) {
    return SetOption(socket, SOL_SOCKET, SO_REUSEADDR, 1);
}

std::error_code SetLinger(SocketHandle socket, bool on, int seconds) {
    linger value{};
    value.l_onoff = on ? 1 : 0;
    value.l_linger = static_cast<decltype(value.l_linger)>(seconds);
    return SetOption(socket, SOL_SOCKET, SO_LINGER, value);
}

NetAddress LocalAddress(SocketHandle socket) {
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (getsockname(socket, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return {};
    return NetAddress::FromSockAddr(reinterpret_cast<sockaddr*>(&storage), length);
}

NetAddress PeerAddress(SocketHandle socket) {
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (getpeername(socket, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return {};
    return NetAddress::FromSockAddr(reinterpret_cast<sockaddr*>(&storage), length);
}

std::error_code PendingError(SocketHandle socket) {
    int value = 0;
    socklen_t length = sizeof(value);
    if (getsockopt(socket, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&value), &length) != 0)
        return LastError();
    return {value, std::system_category()};
}

}  // namespace tavern::socket
