#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ServerPackets.h"
#include "tests/game/ClusterNodeProcess.h"
#include "tests/game/ClusterTestFixture.h"
#include "tests/game/GameTestClient.h"

namespace tavern::test {

template <class Message>
Message ParsePacket(const WirePacket& packet) {
    Message msg;
    msg.ParseFromArray(packet.payload.data(), static_cast<int>(packet.payload.size()));
    return msg;
}

// What the tests of rooms shared by nodes use on top of ClusterTestFixture: players joining a
// room on a node, and waiting for (or recording) what a client receives.
class ClusterRoomFixture : public ClusterTestFixture {
protected:
    using Clock = std::chrono::steady_clock;

    // Logs `client` in as `name` on `node` and enters `room`; the S_ENTER_GAME.
    static std::optional<Protocol::S_ENTER_GAME> Join(GameTestClient& client,
                                                      const ClusterNodeProcess& node,
                                                      const std::string& name, std::uint32_t room) {
        if (!client.Connect(node.Address()) || client.Login(name) == 0) return std::nullopt;
        return client.Enter(room);
    }

    // Packets until one `id` that `match` accepts (others are skipped), within `timeout`.
    template <class Message>
    static std::optional<Message> WaitFor(
        GameTestClient& client, Protocol::PacketId id,
        const std::function<bool(const Message&)>& match,
        std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            const auto packet = client.Receive(std::chrono::milliseconds(100));
            if (!packet || packet->id != static_cast<std::uint16_t>(id)) continue;
            Message msg = ParsePacket<Message>(*packet);
            if (match(msg)) return msg;
        }
        return std::nullopt;
    }

    // Whether an S_CHAT saying `text` reaches `client` within `timeout` (others skipped).
    static bool Heard(GameTestClient& client, const std::string& text,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        return WaitFor<Protocol::S_CHAT>(
                   client, Protocol::PacketId::S_CHAT,
                   [&](const Protocol::S_CHAT& chat) { return chat.msg() == text; }, timeout)
            .has_value();
    }

    // Whether `from`'s chat `text` reaches `to`, said again each second for up to 30 s (while
    // the nodes settle after the bus returns).
    static bool Crossed(GameTestClient& from, GameTestClient& to, const std::string& text) {
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        while (Clock::now() < deadline) {
            if (!from.Chat(text)) return false;
            if (Heard(to, text, std::chrono::seconds(1))) return true;
        }
        return false;
    }

    // Every packet `client` receives within `window`.
    static std::vector<WirePacket> Record(GameTestClient& client,
                                          std::chrono::milliseconds window) {
        std::vector<WirePacket> packets;
        const auto deadline = Clock::now() + window;
        while (Clock::now() < deadline) {
            if (auto packet = client.Receive(std::chrono::milliseconds(50)))
                packets.push_back(std::move(*packet));
        }
        return packets;
    }

    static bool Spawned(const Protocol::S_SPAWN& spawn, std::uint64_t id) {
        for (const auto& player : spawn.players())
            if (player.player_id() == id) return true;
        return false;
    }
    static bool Despawned(const Protocol::S_DESPAWN& despawn, std::uint64_t id) {
        for (const std::uint64_t gone : despawn.player_ids())
            if (gone == id) return true;
        return false;
    }
};

}  // namespace tavern::test
