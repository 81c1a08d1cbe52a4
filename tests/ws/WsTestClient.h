#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/RawClient.h"

namespace tavern::test {

// One frame as it came off the wire (a server's: unmasked).
struct WsWireFrame {
    std::uint8_t opcode = 0;
    bool fin = true;
    std::vector<std::byte> payload;
    // A close frame's status code (0 if it carries none).
    std::uint16_t CloseCode() const;
};

// An HTTP answer: its status, head and body (read up to Content-Length).
struct HttpAnswer {
    int status = 0;
    std::string head;
    std::string body;
};

// A blocking WebSocket client for tests, frames built and parsed by hand on a plain socket
// (RawClient), so it can send what no library would: unmasked frames, bad keys, a request
// dribbled a byte at a time. Every read is bounded in time.
class WsTestClient {
public:
    static constexpr std::chrono::milliseconds kWait{5000};
    static constexpr const char* kKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455's example

    bool Connect(const NetAddress& address) { return _raw.Connect(address); }
    // A valid upgrade request for `path`; `version` and `key` can be made wrong.
    static std::string UpgradeRequest(const std::string& path = "/ws",
                                      const std::string& version = "13",
                                      const std::string& key = kKey);
    // Sends `request` and reads the answer: the head, and the body if it has a length.
    HttpAnswer Request(const std::string& request, std::chrono::milliseconds timeout = kWait);
    // Upgrades on /ws: true when the answer is 101 with the right Sec-WebSocket-Accept.
    bool Upgrade();

    // One frame; masked unless `mask` is false.
    bool SendFrame(std::uint8_t opcode, const std::vector<std::byte>& payload, bool fin = true,
                   bool mask = true);
    // One packet as one binary frame.
    bool SendPacket(const std::vector<std::byte>& packet) { return SendFrame(0x2, packet); }
    bool SendRaw(const std::string& bytes) { return _raw.SendAll(bytes.data(), bytes.size()); }
    // The next frame, or nullopt on timeout or close.
    std::optional<WsWireFrame> ReadFrame(std::chrono::milliseconds timeout = kWait);
    // Reads frames until a close frame; its code, or nullopt if none came.
    std::optional<std::uint16_t> ReadUntilCloseFrame(std::chrono::milliseconds timeout = kWait);

    RawClient& Raw() { return _raw; }

private:
    RawClient _raw;
};

}  // namespace tavern::test
