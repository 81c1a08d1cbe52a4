// lobby: a tiny game on an installed Tavern. Starts its server on a free loopback port, then a
// client that joins and says one line; exits 0 once the client hears its line back (1 after 10 s).
#include <chrono>
#include <cstdio>
#include <future>

#include "LobbyRoom.h"
#include "LobbySession.h"
#include "PlayerSession.h"
#include "core/Service.h"

int main() {
    using namespace tavern;
    EngineOptions engine;
    engine.workers = 2;
    auto core = IocpCore::CreateStarted(engine);
    if (!core) return 1;
    auto room = std::make_shared<lobby::LobbyRoom>(core->GetScheduler());
    auto server = ServerService::Create(core, *NetAddress::Parse("127.0.0.1", 0), [room] {
        return std::make_shared<lobby::LobbySession>(room);
    });
    if (server->Start()) return 1;
    std::printf("server: listening on port %u\n", server->LocalAddress().Port());

    std::promise<void> heard;
    auto client = ClientService::Create(core, server->LocalAddress(), [&heard] {
        return std::make_shared<lobby::PlayerSession>(heard);
    });
    const bool ok = client->Connect(1) == 1 &&
                    heard.get_future().wait_for(std::chrono::seconds(10)) ==
                        std::future_status::ready;
    client->Stop();
    server->Stop();
    core->Stop();
    std::printf("%s\n", ok ? "lobby: ok" : "lobby: no answer in 10 s");
    return ok ? 0 : 1;
}
