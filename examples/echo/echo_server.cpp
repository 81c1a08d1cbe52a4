// echo_server: Tavern's engine with a session that echoes every byte back.
//   echo_server --port 7777 --workers 2 --backend auto|uring|epoll|iocp
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "core/BackendSelector.h"
#include "core/Service.h"
#include "core/ShutdownSignal.h"
#include "core/SocketUtils.h"
#include "examples/echo/EchoSession.h"

int main(int argc, char** argv) {
    using namespace tavern;
    CLI::App app{"Tavern echo server"};
    std::uint16_t port = 7777;
    std::size_t workers = 0;
    std::string backend = "auto";
    std::size_t sendCap = ServiceOptions{}.sendQueueLimit;
    app.add_option("--port", port, "TCP port (0: any free port, printed)");
    app.add_option("--workers", workers, "worker threads (0: one per hardware thread)");
    app.add_option("--backend", backend, BackendHelp())->check(CLI::IsMember(BackendNames()));
    app.add_option("--send-cap", sendCap, "queued send bytes per session before a disconnect");
    CLI11_PARSE(app, argc, argv);

    ShutdownSignal shutdown;  // before any thread starts, so every thread leaves SIGINT to it
    socket::RaiseFileLimit();
    EngineOptions engine;
    engine.workers = workers;
    engine.backend = *ParseBackendKind(backend);
    auto core = IocpCore::CreateStarted(engine);
    if (!core) return 1;
    ServiceOptions options;
    options.sendQueueLimit = sendCap;
    auto server = ServerService::Create(
        core, NetAddress::Any(port), [] { return std::make_shared<examples::EchoSession>(); },
        options);
    if (server->Start()) return 1;
    std::printf("echo_server listening on port %u (%s)\n", server->LocalAddress().Port(),
                std::string(ToString(core->Backend())).c_str());
    std::fflush(stdout);

    shutdown.Wait();
    server->Stop();
    core->Stop();
    const auto& c = server->Counters();
    spdlog::info("echo_server: {} sessions served, {} bytes in, {} bytes out", c.accepted.load(),
                 c.bytesIn.load(), c.bytesOut.load());
    return 0;
}
