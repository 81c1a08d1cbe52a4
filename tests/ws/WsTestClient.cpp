#include "tests/ws/WsTestClient.h"

#include <cstring>

#include "core/ws/WsHandshake.h"

namespace tavern::test {

std::uint16_t WsWireFrame::CloseCode() const {
    if (payload.size() < 2) return 0;
    return static_cast<std::uint16_t>((std::to_integer<unsigned>(payload[0]) << 8) |
                                      std::to_integer<unsigned>(payload[1]));
}

std::string WsTestClient::UpgradeRequest(const std::string& path, const std::string& version,
                                         const std::string& key) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
           "\r\nSec-WebSocket-Version: " + version + "\r\n\r\n";
}

HttpAnswer WsTestClient::Request(const std::string& request, std::chrono::milliseconds timeout) {
    HttpAnswer answer;
    if (!SendRaw(request)) return answer;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (answer.head.size() < 4 || answer.head.compare(answer.head.size() - 4, 4, "\r\n\r\n")) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return answer;
        const auto byte = _raw.ReceiveExactly(1, left);
        if (byte.empty()) return answer;
        answer.head.push_back(static_cast<char>(byte[0]));
    }
    if (answer.head.rfind("HTTP/1.1 ", 0) == 0) answer.status = std::atoi(answer.head.c_str() + 9);
    const std::size_t length = answer.head.find("Content-Length: ");
    if (length != std::string::npos) {
        const auto body = _raw.ReceiveExactly(
            static_cast<std::size_t>(std::atol(answer.head.c_str() + length + 16)), timeout);
        answer.body.assign(reinterpret_cast<const char*>(body.data()), body.size());
    }
    return answer;
}

bool WsTestClient::Upgrade() {
    const HttpAnswer answer = Request(UpgradeRequest());
    return answer.status == 101 &&
           answer.head.find("Sec-WebSocket-Accept: " + ws::WsHandshake::AcceptKey(kKey) + "\r\n") !=
               std::string::npos;
}

bool WsTestClient::SendFrame(std::uint8_t opcode, const std::vector<std::byte>& payload,
                             bool fin, bool mask) {
    std::vector<std::byte> frame;
    frame.push_back(static_cast<std::byte>((fin ? 0x80 : 0) | opcode));
    const std::byte maskBit{static_cast<unsigned char>(mask ? 0x80 : 0)};
    if (payload.size() < 126) {
        frame.push_back(maskBit | static_cast<std::byte>(payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        frame.push_back(maskBit | std::byte{126});
        frame.push_back(static_cast<std::byte>(payload.size() >> 8));
        frame.push_back(static_cast<std::byte>(payload.size() & 0xFF));
    } else {
        frame.push_back(maskBit | std::byte{127});
        for (int i = 7; i >= 0; --i)
            frame.push_back(static_cast<std::byte>((payload.size() >> (8 * i)) & 0xFF));
    }
    const std::byte key[4] = {std::byte{0x12}, std::byte{0x34}, std::byte{0x56}, std::byte{0x78}};
    if (mask) frame.insert(frame.end(), key, key + 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        frame.push_back(mask ? payload[i] ^ key[i & 3] : payload[i]);
    return _raw.SendAll(frame);
}

std::optional<WsWireFrame> WsTestClient::ReadFrame(std::chrono::milliseconds timeout) {
    const auto head = _raw.ReceiveExactly(2, timeout);
    if (head.size() != 2) return std::nullopt;
    WsWireFrame frame;
    frame.fin = (std::to_integer<unsigned>(head[0]) & 0x80) != 0;
    frame.opcode = static_cast<std::uint8_t>(std::to_integer<unsigned>(head[0]) & 0x0F);
    std::uint64_t length = std::to_integer<unsigned>(head[1]) & 0x7F;
    if (length >= 126) {
        const auto extended = _raw.ReceiveExactly(length == 126 ? 2 : 8, timeout);
        if (extended.empty()) return std::nullopt;
        length = 0;
        for (const std::byte b : extended) length = (length << 8) | std::to_integer<unsigned>(b);
    }
    if ((std::to_integer<unsigned>(head[1]) & 0x80) != 0) return std::nullopt;  // masked: wrong
    frame.payload = _raw.ReceiveExactly(static_cast<std::size_t>(length), timeout);
    if (frame.payload.size() != length) return std::nullopt;
    return frame;
}

std::optional<std::uint16_t> WsTestClient::ReadUntilCloseFrame(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto frame = ReadFrame(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()));
        if (!frame) return std::nullopt;
        if (frame->opcode == 0x8) return frame->CloseCode();
    }
    return std::nullopt;
}

}  // namespace tavern::test
