#include "tests/support/RawClient.h"

#include <cerrno>
#include <cstring>
#include <thread>

#if defined(_WIN32)
#include <winsock2.h>
#else
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include "core/SocketUtils.h"

namespace tavern::test {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until the socket is readable (or writable); false on timeout.
bool WaitFor(SocketHandle s, bool write, std::chrono::milliseconds timeout) {
#if defined(_WIN32)
    WSAPOLLFD fd{s, static_cast<SHORT>(write ? POLLWRNORM : POLLRDNORM), 0};
    return WSAPoll(&fd, 1, static_cast<INT>(timeout.count())) > 0;
#else
    pollfd fd{s, static_cast<short>(write ? POLLOUT : POLLIN), 0};
    return ::poll(&fd, 1, static_cast<int>(timeout.count())) > 0;
#endif
}

bool WouldBlock() {
#if defined(_WIN32)
    return WSAGetLastError() == WSAEWOULDBLOCK;
#else
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
#endif
}

std::chrono::milliseconds Left(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

}  // namespace

std::vector<std::byte> Pattern(std::size_t size, std::size_t offset) {
    std::vector<std::byte> bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>((offset + i) % 251);
    return bytes;
}

const char* ToString(CloseSeen seen) {
    switch (seen) {
        case CloseSeen::Reset: return "a reset";
        case CloseSeen::EndOfStream: return "an end of stream";
        case CloseSeen::OtherError: return "a read error other than a reset";
        case CloseSeen::StillOpen: return "no close";
    }
    return "?";
}

RawClient::~RawClient() { Close(); }

RawClient::RawClient(RawClient&& other) noexcept
    : _socket(other._socket),
      _receiveBuffer(other._receiveBuffer),
      _localPort(other._localPort),
      _connectError(other._connectError) {
    other._socket = kInvalidSocket;
}

RawClient& RawClient::operator=(RawClient&& other) noexcept {
    if (this != &other) {
        Close();
        _socket = other._socket;
        _receiveBuffer = other._receiveBuffer;
        _localPort = other._localPort;
        _connectError = other._connectError;
        other._socket = kInvalidSocket;
    }
    return *this;
}

bool RawClient::Connect(const NetAddress& address, std::chrono::milliseconds timeout) {
    std::error_code error;
    _socket = socket::CreateTcp(address.Family(), error);
    if (error) return false;
    socket::SetNonBlocking(_socket);
    ApplyReceiveBuffer();
    _connectError = {};
    const bool done = ::connect(_socket, address.SockAddr(), address.Length()) == 0;
    _localPort = socket::LocalAddress(_socket).Port();  // bound by connect, even in progress
    if (!done) {
        if (!WaitFor(_socket, true, timeout)) {
            _connectError = std::make_error_code(std::errc::timed_out);
        } else {
            _connectError = socket::PendingError(_socket);
        }
        if (_connectError) {
            Close();
            return false;
        }
    }
    return true;
}

bool RawClient::SendAll(const void* data, std::size_t size, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {
#if defined(_WIN32)
        const int n = ::send(_socket, bytes, static_cast<int>(std::min<std::size_t>(size, 1 << 20)), 0);
#else
        const ssize_t n = ::send(_socket, bytes, size, MSG_NOSIGNAL);
#endif
        if (n > 0) {
            bytes += n;
            size -= static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && WouldBlock() && Clock::now() < deadline) {
            WaitFor(_socket, true, std::min(Left(deadline), std::chrono::milliseconds(50)));
            continue;
        }
        _sendError = n < 0 && !WouldBlock() ? socket::LastError()
                                            : std::make_error_code(std::errc::timed_out);
        return false;
    }
    return true;
}

std::vector<std::byte> RawClient::ReceiveExactly(std::size_t size,
                                                 std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::vector<std::byte> bytes(size);
    std::size_t got = 0;
    while (got < size && Clock::now() < deadline) {
        if (!WaitFor(_socket, false, std::min(Left(deadline), std::chrono::milliseconds(50))))
            continue;
        const auto n = ::recv(_socket, reinterpret_cast<char*>(bytes.data() + got),
                              static_cast<int>(std::min<std::size_t>(size - got, 1 << 20)), 0);
        if (n > 0) {
            got += static_cast<std::size_t>(n);
        } else if (n == 0 || !WouldBlock()) {
            break;
        }
    }
    bytes.resize(got);
    return bytes;
}

bool RawClient::WaitForClose(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    char sink[16384];
    while (Clock::now() < deadline) {
        if (!WaitFor(_socket, false, std::min(Left(deadline), std::chrono::milliseconds(50))))
            continue;
        const auto n = ::recv(_socket, sink, sizeof(sink), 0);
        if (n == 0) return true;
        if (n < 0 && !WouldBlock()) return true;  // reset
    }
    return false;
}

CloseSeen RawClient::ReadUntilClosed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::vector<char> sink(65536);
    while (Clock::now() < deadline) {
        if (!WaitFor(_socket, false, std::min(Left(deadline), std::chrono::milliseconds(50))))
            continue;
        const auto n = ::recv(_socket, sink.data(), static_cast<int>(sink.size()), 0);
        if (n == 0) return CloseSeen::EndOfStream;
        if (n < 0 && !WouldBlock()) {
            return socket::LastError() == std::errc::connection_reset ? CloseSeen::Reset
                                                                      : CloseSeen::OtherError;
        }
    }
    return CloseSeen::StillOpen;
}

void RawClient::ShutdownWrite() {
#if defined(_WIN32)
    ::shutdown(_socket, SD_SEND);
#else
    ::shutdown(_socket, SHUT_WR);
#endif
}

void RawClient::SetReceiveBuffer(int bytes) {
    _receiveBuffer = bytes;
    if (_socket != kInvalidSocket) ApplyReceiveBuffer();
}

void RawClient::ApplyReceiveBuffer() {
    if (_receiveBuffer <= 0) return;
    ::setsockopt(_socket, SOL_SOCKET, SO_RCVBUF, reinterpret_cast<const char*>(&_receiveBuffer),
                 sizeof(_receiveBuffer));
}

void RawClient::Reset() {
    if (_socket == kInvalidSocket) return;
    socket::SetLinger(_socket, true, 0);
    Close();
}

void RawClient::Close() {
    socket::Close(_socket);
    _socket = kInvalidSocket;
}

}  // namespace tavern::test
