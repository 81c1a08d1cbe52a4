#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ServerPackets.h"
#include "tests/support/RawClient.h"

namespace tavern::test {

// One packet as it came off the wire.
struct WirePacket {
    std::uint16_t id = 0;
    std::vector<std::byte> payload;
};

// Frames raw bytes the way the wire format says: u16 size | u16 id | payload, little-endian.
// `size` overrides the size field (to forge a bad header); by default it is 4 + payload.
std::vector<std::byte> Frame(std::uint16_t id, const std::vector<std::byte>& payload,
                             std::optional<std::uint16_t> size = std::nullopt);
std::vector<std::byte> Encode(const google::protobuf::MessageLite& msg);

// A synchronous game client for tests, on a plain blocking socket (RawClient): it sends C_
// packets and reads S_ packets one at a time with a timeout, with nothing of Tavern's engine or
// client library in between. Expect* report a test failure (and return nullopt) when the next
// packet is not the one expected.
class GameTestClient {
public:
    static constexpr std::chrono::milliseconds kWait{5000};

    bool Connect(const NetAddress& address);
    // Before Connect: a small receive buffer makes a client that does not read fill up quickly.
    void SetReceiveBuffer(int bytes) { _raw.SetReceiveBuffer(bytes); }

    template <class Message>
    bool Send(Protocol::PacketId id, const Message& msg) {
        return SendRaw(Frame(static_cast<std::uint16_t>(id), Encode(msg)));
    }
    bool SendRaw(const std::vector<std::byte>& bytes) { return _raw.SendAll(bytes); }

    // The next packet, or nullopt on timeout or when the server closed the connection.
    std::optional<WirePacket> Receive(std::chrono::milliseconds timeout = kWait);

    // The next packet, which must be `id`, parsed as Message.
    template <class Message>
    std::optional<Message> Expect(Protocol::PacketId id,
                                  std::chrono::milliseconds timeout = kWait) {
        const auto packet = Receive(timeout);
        if (!packet) {
            ADD_FAILURE() << _name << ": no packet within " << timeout.count() << " ms, expected "
                          << Protocol::ToString(id);
            return std::nullopt;
        }
        if (packet->id != static_cast<std::uint16_t>(id)) {
            ADD_FAILURE() << _name << ": got "
                          << Protocol::ToString(static_cast<Protocol::PacketId>(packet->id))
                          << " (id " << packet->id << "), expected " << Protocol::ToString(id);
            return std::nullopt;
        }
        Message msg;
        if (!msg.ParseFromArray(packet->payload.data(), static_cast<int>(packet->payload.size()))) {
            ADD_FAILURE() << _name << ": " << Protocol::ToString(id) << " does not parse";
            return std::nullopt;
        }
        return msg;
    }

    // True when no packet arrives within `window` (and the connection is still open).
    bool ExpectSilence(std::chrono::milliseconds window = std::chrono::milliseconds(200));

    // C_LOGIN (with the password PasswordFor(name)) and its S_LOGIN; the player id, or 0 after
    // a reported failure.
    std::uint64_t Login(const std::string& name);
    // C_LOGIN and its S_LOGIN as it came, success or not (nullopt: none came, reported).
    std::optional<Protocol::S_LOGIN> LoginWith(const std::string& name,
                                               const std::string& password);
    // Short and fixed, so that a login with the longest name still fits the smallest packet.
    static std::string PasswordFor(const std::string& /*name*/) { return "test-password"; }
    // C_MOVE.
    bool Move(float x, float y);
    // C_ENTER_GAME and its S_ENTER_GAME (success expected).
    std::optional<Protocol::S_ENTER_GAME> Enter(std::uint32_t room);
    // C_CHAT.
    bool Chat(const std::string& text);
    // C_WHISPER to the player named `to`.
    bool Whisper(const std::string& to, const std::string& msg);

    // True when the server closes the connection within `timeout`.
    bool WaitForClose(std::chrono::milliseconds timeout = kWait) {
        return _raw.WaitForClose(timeout);
    }
    void Reset() { _raw.Reset(); }
    void Close() { _raw.Close(); }
    const std::string& Name() const { return _name; }
    // Packets Receive has returned so far (a resume counts what the client received).
    std::uint64_t PacketsReceived() const { return _packetsReceived; }

private:
    // Reads until _buffer holds `size` bytes; false on timeout or close.
    bool Fill(std::size_t size, std::chrono::steady_clock::time_point deadline);

    RawClient _raw;
    std::vector<std::byte> _buffer;  // bytes of a packet not yet complete
    std::string _name = "client";
    std::uint64_t _packetsReceived = 0;
};

}  // namespace tavern::test
