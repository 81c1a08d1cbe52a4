#pragma once
// Winsock set-up: WSAStartup once per process (for every socket helper), the extension functions
// (AcceptEx, ConnectEx, DisconnectEx, GetAcceptExSockaddrs) loaded once through
// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER), and Winsock errors as portable error codes.
// Windows only.

#include "core/Platform.h"

#include <mswsock.h>

#include <system_error>

namespace tavern::iocp {

struct WinSock {
    LPFN_ACCEPTEX acceptEx = nullptr;
    LPFN_CONNECTEX connectEx = nullptr;
    LPFN_DISCONNECTEX disconnectEx = nullptr;  // may be null: socket reuse is then off
    LPFN_GETACCEPTEXSOCKADDRS getAcceptExSockaddrs = nullptr;
    // A socket's completion-port association can be dropped (FileReplaceCompletionInformation,
    // Windows 8.1+). A socket recycled by DisconnectEx(TF_REUSE_SOCKET) keeps its port, and
    // with one port per worker it may next belong to a session of another worker, so reuse
    // needs this. Wine 8 answers STATUS_NOT_IMPLEMENTED.
    bool canDetachFromPort = false;
};

// Safe to call from any thread. Starts Winsock (WSAStartup 2.2) on the process's first call;
// every later call returns that call's result. Every Tavern helper that creates a socket calls
// it first (socket::CreateTcp, socket::CreateListener, LoadWinSock), so a socket made before
// any engine starts works too. Winsock is never cleaned up: it lives as long as the process.
std::error_code StartWinSock();

// Safe to call from any thread. The first call starts Winsock and loads the extension
// functions; every later call returns the same table (or the same error).
const WinSock& LoadWinSock(std::error_code& error);

// A Winsock or Win32 error code as an error_code. The codes a network program tests for
// (refused, reset, aborted, canceled, ...) become std::errc values, so that
// `error == std::errc::connection_refused` holds on Windows as it does on Linux.
std::error_code WsaError(int code);
std::error_code LastWsaError();

// Drops the socket's completion-port association (see canDetachFromPort).
bool DetachFromPort(SocketHandle socket);

}  // namespace tavern::iocp
