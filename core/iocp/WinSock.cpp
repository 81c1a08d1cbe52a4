#include "core/iocp/WinSock.h"

#include <windows.h>

#include <string>

namespace tavern::iocp {

namespace {

template <class Function>
bool LoadExtension(SocketHandle socket, GUID id, Function& function) {
    DWORD bytes = 0;
    return WSAIoctl(socket, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id), &function,
                    sizeof(function), &bytes, nullptr, nullptr) == 0 &&
           function != nullptr;
}

// NtSetInformationFile(FileReplaceCompletionInformation), which mingw-w64 does not declare.
using NtSetInformationFileFn = LONG(NTAPI*)(HANDLE, void* ioStatus, void* info, ULONG length,
                                             int infoClass);
constexpr int kFileReplaceCompletionInformation = 61;
struct ReplaceCompletionInfo {
    HANDLE port;
    void* key;
};
struct IoStatusBlock {  // IO_STATUS_BLOCK, without winternl.h
    void* status;
    ULONG_PTR information;
};

NtSetInformationFileFn NtSetInformationFile() {
    static const auto function = [] {
        HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
        FARPROC address = ntdll ? GetProcAddress(ntdll, "NtSetInformationFile") : nullptr;
        return reinterpret_cast<NtSetInformationFileFn>(reinterpret_cast<void*>(address));
    }();
    return function;
}

// Tries detaching a throwaway socket from a throwaway port.
bool ProbeDetach() {
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
    if (port == nullptr) return false;
    SocketHandle s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
    bool works = false;
    if (s != kInvalidSocket &&
        CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port, 0, 0) != nullptr)
        works = DetachFromPort(s);
    if (s != kInvalidSocket) closesocket(s);
    CloseHandle(port);
    return works;
}

struct Loaded {
    WinSock table;
    std::error_code error;
};

Loaded Load() {
    Loaded loaded;
    if ((loaded.error = StartWinSock())) return loaded;
    // Extension functions belong to the provider; the Microsoft TCP provider serves IPv4 and
    // IPv6 alike, so one IPv4 socket loads them for both.
    SocketHandle s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
    if (s == kInvalidSocket) {
        loaded.error = LastWsaError();
        return loaded;
    }
    WinSock& t = loaded.table;
    if (!LoadExtension(s, WSAID_ACCEPTEX, t.acceptEx) ||
        !LoadExtension(s, WSAID_CONNECTEX, t.connectEx) ||
        !LoadExtension(s, WSAID_GETACCEPTEXSOCKADDRS, t.getAcceptExSockaddrs))
        loaded.error = LastWsaError();
    if (!LoadExtension(s, WSAID_DISCONNECTEX, t.disconnectEx)) t.disconnectEx = nullptr;
    closesocket(s);
    t.canDetachFromPort = ProbeDetach();
    return loaded;
}

}  // namespace

std::error_code StartWinSock() {
    static const std::error_code started = [] {  // thread-safe, once per process
        WSADATA data{};
        return WsaError(WSAStartup(MAKEWORD(2, 2), &data));  // returns the error, no WSAGetLastError
    }();
    return started;
}

const WinSock& LoadWinSock(std::error_code& error) {
    static const Loaded loaded = Load();  // thread-safe, once per process
    error = loaded.error;
    return loaded.table;
}

bool DetachFromPort(SocketHandle socket) {
    NtSetInformationFileFn function = NtSetInformationFile();
    if (function == nullptr) return false;
    ReplaceCompletionInfo info{nullptr, nullptr};
    IoStatusBlock status{};
    return function(reinterpret_cast<HANDLE>(socket), &status, &info, sizeof(info),
                    kFileReplaceCompletionInformation) >= 0;
}

namespace {

// The portable condition of a Winsock or Win32 error, where one exists.
std::errc ConditionOf(int code, bool& known) {
    using std::errc;
    known = true;
    switch (code) {
        case WSAECONNREFUSED:
        case ERROR_CONNECTION_REFUSED: return errc::connection_refused;
        case WSAECONNRESET:
        case ERROR_NETNAME_DELETED:  // what a reset looks like through the completion port
            return errc::connection_reset;
        case WSAECONNABORTED:
        case ERROR_CONNECTION_ABORTED: return errc::connection_aborted;
        case WSAENETRESET: return errc::network_reset;
        case WSA_OPERATION_ABORTED: return errc::operation_canceled;
        case WSAETIMEDOUT:
        case ERROR_SEM_TIMEOUT: return errc::timed_out;
        case WSAENOTCONN: return errc::not_connected;
        case WSAESHUTDOWN: return errc::broken_pipe;
        case WSAEWOULDBLOCK: return errc::operation_would_block;
        case WSAENOBUFS: return errc::no_buffer_space;
        case WSAEMFILE: return errc::too_many_files_open;
        case WSAEHOSTUNREACH:
        case ERROR_HOST_UNREACHABLE: return errc::host_unreachable;
        case WSAENETUNREACH:
        case ERROR_NETWORK_UNREACHABLE: return errc::network_unreachable;
        case WSAEADDRINUSE: return errc::address_in_use;
        case WSAEADDRNOTAVAIL: return errc::address_not_available;
        case WSAEINVAL: return errc::invalid_argument;
        case WSAENOTSOCK: return errc::not_a_socket;
        case WSAEACCES: return errc::permission_denied;
        case WSAEINTR: return errc::interrupted;
        default: known = false; return errc{};
    }
}

// Winsock and Win32 codes with the system's own messages (FormatMessage, as
// std::system_category gives them) and the std::errc conditions they mean. libstdc++'s
// system_category maps no Windows code to a std::errc, and its generic_category messages for
// the socket errno values are "Unknown error" with msvcrt, so neither alone will do.
class WinSockCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "winsock"; }
    std::string message(int code) const override {
        if (code == WSAEWOULDBLOCK) return "Resource temporarily unavailable";
        return std::system_category().message(code);
    }
    std::error_condition default_error_condition(int code) const noexcept override {
        bool known = false;
        const std::errc condition = ConditionOf(code, known);
        if (known) return std::make_error_condition(condition);
        return {code, *this};
    }
};

}  // namespace

std::error_code WsaError(int code) {
    static const WinSockCategory category;
    if (code == 0) return {};
    return {code, category};
}

std::error_code LastWsaError() { return WsaError(WSAGetLastError()); }

}  // namespace tavern::iocp
