// packet_server: the packet pipeline under load. Every C_ECHO goes the whole way a game packet
// goes: framed on the home worker, handed to the session's job queue, parsed by the generated
// dispatch table, handled, its S_ECHO answer serialized into a SendBuffer and sent.
//   packet_server --port 7778 --workers 1 --backend auto|uring|epoll|iocp
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>

#include "BenchServerPackets.h"
#include "core/BackendSelector.h"
#include "core/Service.h"
#include "core/ShutdownSignal.h"
#include "core/SocketUtils.h"

namespace BenchPackets {

tavern::HandlerResult Handle_C_ECHO(tavern::PacketSession& session, C_ECHO& pkt) {
    S_ECHO reply;
    reply.set_data(std::move(*pkt.mutable_data()));
    session.Send(ServerPacketHandler::MakeSendBuffer(reply));
    return tavern::HandlerResult::Handled();
}

}  // namespace BenchPackets

namespace {

class BenchSession final : public tavern::PacketSession {
protected:
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override {
        BenchPackets::ServerPacketHandler::HandlePacket(*this, id, payload);
    }
};

}  // namespace

int main(int argc, char** argv) {
    using namespace tavern;
    CLI::App app{"Tavern packet benchmark server"};
    std::uint16_t port = 7778;
    std::size_t workers = 0;
    std::string backend = "auto";
    app.add_option("--port", port, "TCP port (0: any free port, printed)");
    app.add_option("--workers", workers, "worker threads (0: one per hardware thread)");
    app.add_option("--backend", backend, BackendHelp())->check(CLI::IsMember(BackendNames()));
    CLI11_PARSE(app, argc, argv);

    ShutdownSignal shutdown;  // before any thread starts, so every thread leaves SIGINT to it
    socket::RaiseFileLimit();
    EngineOptions engine;
    engine.workers = workers;
    engine.backend = *ParseBackendKind(backend);
    auto core = IocpCore::CreateStarted(engine);
    if (!core) return 1;
    auto server = ServerService::Create(core, NetAddress::Any(port),
                                        [] { return std::make_shared<BenchSession>(); });
    if (server->Start()) return 1;
    std::printf("packet_server listening on port %u (%s)\n", server->LocalAddress().Port(),
                std::string(ToString(core->Backend())).c_str());
    std::fflush(stdout);

    shutdown.Wait();
    server->Stop();
    core->Stop();
    const auto& c = server->Counters();
    spdlog::info("packet_server: {} sessions served, {} packets in, {} sent, {} protocol errors",
                 c.accepted.load(), c.packetsIn.load(), c.sends.load(), c.ProtocolErrorTotal());
    return c.ProtocolErrorTotal() == 0 ? 0 : 1;
}
