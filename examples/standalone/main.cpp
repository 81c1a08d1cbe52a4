// lobby: a tiny game on an installed Tavern. Starts its server on a free loopback port, then a
// client that joins and says one line; exits 0 once the client hears its line back (1 after 10 s).
#include <chrono>
#include <cstdio>
#include <future>

#include "LobbyClientPackets.h"
#include "LobbyRoom.h"
#include "LobbyServerPackets.h"
#include "core/Service.h"

namespace lobby {

extern std::shared_ptr<LobbyRoom> gRoom;
extern std::promise<void> gHeardEcho;

// The server's session: every packet goes through the generated server dispatch.
class LobbySession final : public tavern::PacketSession {
protected:
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override {
        tavern::PacketSessionRef self = SharedPacketSession();
        ServerPacketHandler::HandlePacket(self, id, payload);
    }
};

// The client's session: joins once connected; S_ packets go through the client dispatch.
class PlayerSession final : public tavern::PacketSession {
protected:
    void OnConnected() override {
        C_JOIN join;
        join.set_name("ada");
        Send(ClientPacketHandler::MakeSendBuffer(join));
    }
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override {
        tavern::PacketSessionRef self = SharedPacketSession();
        ClientPacketHandler::HandlePacket(self, id, payload);
    }
};

}  // namespace lobby

int main() {
    using namespace tavern;
    EngineOptions engine;
    engine.workers = 2;
    auto core = IocpCore::CreateStarted(engine);
    if (!core) return 1;
    lobby::gRoom = std::make_shared<lobby::LobbyRoom>(core->GetScheduler());
    auto server = ServerService::Create(core, *NetAddress::Parse("127.0.0.1", 0),
                                        [] { return std::make_shared<lobby::LobbySession>(); });
    if (server->Start()) return 1;
    std::printf("server: listening on port %u\n", server->LocalAddress().Port());

    auto client = ClientService::Create(core, server->LocalAddress(),
                                        [] { return std::make_shared<lobby::PlayerSession>(); });
    auto heard = lobby::gHeardEcho.get_future();
    const bool ok = client->Connect(1) == 1 &&
                    heard.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    client->Stop();
    server->Stop();
    core->Stop();
    lobby::gRoom.reset();
    std::printf("%s\n", ok ? "lobby: ok" : "lobby: no answer in 10 s");
    return ok ? 0 : 1;
}
