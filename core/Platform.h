#pragma once
// The few OS types the engine's portable code names. Everything else that differs between
// operating systems lives in SocketUtils.cpp and in the backends under uring/, epoll/, iocp/.

#include <cstddef>

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <sys/socket.h>
#include <sys/uio.h>
#endif

namespace tavern {

#if defined(_WIN32)
using SocketHandle = SOCKET;
inline constexpr SocketHandle kInvalidSocket = INVALID_SOCKET;
// One gather-send slice, laid out as the OS wants it (WSABUF on Windows).
using IoSlice = WSABUF;
inline IoSlice MakeIoSlice(const std::byte* data, std::size_t size) {
    return IoSlice{static_cast<ULONG>(size),
                   const_cast<char*>(reinterpret_cast<const char*>(data))};
}
#else
using SocketHandle = int;
inline constexpr SocketHandle kInvalidSocket = -1;
using IoSlice = iovec;
inline IoSlice MakeIoSlice(const std::byte* data, std::size_t size) {
    return IoSlice{const_cast<std::byte*>(data), size};
}
#endif

// The most slices one gather send carries (Linux UIO_MAXIOV; Windows has no smaller limit).
inline constexpr std::size_t kMaxIoSlices = 1024;

}  // namespace tavern
