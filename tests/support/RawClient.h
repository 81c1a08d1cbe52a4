#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "core/NetAddress.h"
#include "core/Platform.h"

namespace tavern::test {

// How a connection ended, as its reader saw it.
enum class CloseSeen { Reset, EndOfStream, OtherError, StillOpen };
const char* ToString(CloseSeen seen);

// A plain blocking TCP client for tests: it talks to a server the way a hostile or ordinary
// client would, with nothing of Tavern's engine in between. Every call is bounded in time.
class RawClient {
public:
    RawClient() = default;
    ~RawClient();
    RawClient(RawClient&& other) noexcept;
    RawClient& operator=(RawClient&& other) noexcept;

    bool Connect(const NetAddress& address, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    bool Connected() const { return _socket != kInvalidSocket; }
    // The client's own port, known once Connect was called (kept after a failed connect).
    std::uint16_t LocalPort() const { return _localPort; }
    // Why the last Connect failed.
    std::error_code ConnectError() const { return _connectError; }
    // Sends everything; false on error (SendError says which) or timeout.
    bool SendAll(const void* data, std::size_t size,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
    bool SendAll(const std::vector<std::byte>& bytes) { return SendAll(bytes.data(), bytes.size()); }
    std::error_code SendError() const { return _sendError; }
    // Reads exactly `size` bytes; fewer on EOF, error or timeout.
    std::vector<std::byte> ReceiveExactly(std::size_t size,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // True when the server closes the connection (EOF or reset) within `timeout`; data that
    // arrives meanwhile is read and discarded.
    bool WaitForClose(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Reads (and discards) until the connection ends or `timeout` passes, and says how it
    // ended: a reset (the read failed with ECONNRESET), an end of stream, another error, or not
    // at all.
    CloseSeen ReadUntilClosed(std::chrono::milliseconds timeout);
    void ShutdownWrite();
    // Before or after Connect: a small receive buffer makes a client that does not read fill
    // up quickly (set before Connect so the TCP window starts small).
    void SetReceiveBuffer(int bytes);
    // Closes with a TCP reset (SO_LINGER 0) instead of a FIN.
    void Reset();
    void Close();

private:
    void ApplyReceiveBuffer();

    SocketHandle _socket = kInvalidSocket;
    int _receiveBuffer = 0;
    std::uint16_t _localPort = 0;
    std::error_code _connectError;
    std::error_code _sendError;
};

// Bytes 0, 1, 2, ... (mod 251): a pattern in which a lost, doubled or reordered chunk shows.
std::vector<std::byte> Pattern(std::size_t size, std::size_t offset = 0);

}  // namespace tavern::test
