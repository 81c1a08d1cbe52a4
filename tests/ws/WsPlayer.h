#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/game/GameTestClient.h"
#include "tests/ws/WsTestClient.h"

namespace tavern::test {

// A game client over WebSocket for tests: GameTestClient's moves, one packet per binary frame
// (WsTestClient), each received binary message checked to be exactly one packet.
class WsPlayer {
public:
    static constexpr std::chrono::milliseconds kWait{5000};

    // Connects and upgrades on /ws (a failure is reported).
    bool Connect(const NetAddress& address);

    template <class Message>
    bool Send(Protocol::PacketId id, const Message& msg) {
        return _ws.SendPacket(Frame(static_cast<std::uint16_t>(id), Encode(msg)));
    }
    // The next packet (pings answered by the server are skipped), or nullopt.
    std::optional<WirePacket> Receive(std::chrono::milliseconds timeout = kWait);

    template <class Message>
    std::optional<Message> Expect(Protocol::PacketId id, std::chrono::milliseconds timeout = kWait) {
        const auto packet = Receive(timeout);
        if (!packet || packet->id != static_cast<std::uint16_t>(id)) {
            ADD_FAILURE() << _name << ": expected " << Protocol::ToString(id) << ", got "
                          << (packet ? std::to_string(packet->id) : std::string("nothing"));
            return std::nullopt;
        }
        Message msg;
        if (!msg.ParseFromArray(packet->payload.data(), static_cast<int>(packet->payload.size()))) {
            ADD_FAILURE() << _name << ": " << Protocol::ToString(id) << " does not parse";
            return std::nullopt;
        }
        return msg;
    }

    std::uint64_t Login(const std::string& name);
    bool Enter(std::uint32_t room);
    bool Chat(const std::string& text);
    bool Move(float x, float y);

    WsTestClient& Ws() { return _ws; }
    const std::string& Name() const { return _name; }

private:
    WsTestClient _ws;
    std::string _name = "ws-client";
};

}  // namespace tavern::test
