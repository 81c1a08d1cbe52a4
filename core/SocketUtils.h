#pragma once
// Thin, error_code-returning wrappers over the socket calls the engine makes outside a backend.
// All are safe to call from any thread.

#include <system_error>

#include "core/NetAddress.h"
#include "core/Platform.h"

namespace tavern::socket {

// The calling thread's last socket error (errno, or WSAGetLastError on Windows).
std::error_code LastError();

// A non-blocking, close-on-exec TCP socket of the address's family.
SocketHandle CreateTcp(int family, std::error_code& error);
// A non-blocking socket bound to `address` and listening. SO_REUSEADDR is set.
SocketHandle CreateListener(const NetAddress& address, int backlog, std::error_code& error);
void Close(SocketHandle socket);

std::error_code SetNoDelay(SocketHandle socket, bool on);
std::error_code SetNonBlocking(SocketHandle socket);
std::error_code SetReuseAddress(SocketHandle socket);
std::error_code SetSendBuffer(SocketHandle socket, int bytes);  // SO_SNDBUF
std::error_code SetLinger(SocketHandle socket, bool on, int seconds);  // on + 0 s: close sends RST

NetAddress LocalAddress(SocketHandle socket);
NetAddress PeerAddress(SocketHandle socket);
// The pending error of a socket (SO_ERROR), as after a non-blocking connect.
std::error_code PendingError(SocketHandle socket);

// Raises this process's open-file limit to its hard limit; returns the new soft limit.
long RaiseFileLimit();

}  // namespace tavern::socket
