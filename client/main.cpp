// test_client: the demo game's client, in two modes.
//
//   interactive (default):  test_client --name alice --password secret --room 1
//       reads lines from stdin: text = chat, /move X Y, /ping, /leave, /enter ROOM, /quit
//   bots:                   test_client --bots 100 --duration 10 --chat-per-sec 1
//                                       --move-per-sec 1 --rooms 2
//       prints a progress line every second and a summary; exit status 1 if any bot was
//       refused, dropped or timed out.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "client/BotRunner.h"
#include "client/ConsoleClient.h"
#include "client/ServerList.h"
#include "core/BackendSelector.h"
#if TAVERN_WEBSOCKET
#include "core/ws/WebSocket.h"
#endif

int main(int argc, char** argv) {
    using namespace tavern;
    using namespace tavern::client;
    CLI::App app{"Tavern demo game client: interactive, or --bots N for load"};
    std::string host = "127.0.0.1";
    std::uint16_t port = 7777;
    std::size_t workers = 0;
    std::string backend = "auto";
    std::string logLevel = "warn";
    ConsoleOptions console;
    BotRunOptions bots;
    bots.bots = 0;
    auto shared = std::make_shared<BotShared>();
    app.add_option("--host", host, "server address (numeric)");
    app.add_option("--port", port, "server port");
    std::string serverList;
    app.add_option("--servers", serverList,
                   "several nodes of one world, HOST:PORT,HOST:PORT,... (numeric hosts): the "
                   "next is tried when one cannot be reached; bots start spread over them, each room "
                   "over every node "
                   "(replaces --host and --port)");
    app.add_option("--workers", workers, "worker threads (0: one per hardware thread)");
    app.add_option("--backend", backend, BackendHelp())->check(CLI::IsMember(BackendNames()));
#if TAVERN_WEBSOCKET
    bool webSocket = false;
    app.add_flag("--ws", webSocket,
                 "speak WebSocket (GET /ws) to the server's --ws-port instead of TCP");
#endif
    app.add_option("--log-level", logLevel, "trace, debug, info, warn, error, critical, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_option("--name", console.name, "interactive: the player's name");
    app.add_option("--room", console.room, "interactive: the room to enter");
    app.add_option("--password", console.password,
                   "interactive: the account's password (1 to 128 bytes; default: one derived "
                   "from the name, as bots use)");
    app.add_option("--bots", bots.bots, "bot mode: this many bots (0: interactive mode)");
    app.add_option("--duration", bots.duration, "bots: seconds of load once all are in a room")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--join-timeout", bots.joinTimeout,
                   "bots: seconds for every bot to reach a room before it counts as timed out")
        ->check(CLI::PositiveNumber);
    app.add_option("--first-room", shared->firstRoom, "bots: the lowest room id used");
    app.add_option("--rooms", shared->rooms, "bots: bot i enters room first-room + i % rooms")
        ->check(CLI::PositiveNumber);
    app.add_option("--chat-per-sec", shared->chatPerSec, "bots: chat lines per second per bot")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--move-per-sec", shared->movePerSec, "bots: moves per second per bot")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--ping-per-sec", shared->pingPerSec, "bots: pings per second per bot")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--name-prefix", shared->namePrefix, "bots: names are PREFIX-<index>");
    app.add_option("--server-pid", bots.serverPid,
                   "bots: also report this process's CPU seconds over the load window (Linux)");
    app.add_option("--json", bots.jsonPath,
                   "bots: also write the summary and the per-second samples as JSON to FILE");
    app.add_option("--report", bots.reportPath,
                   "bots: also write one self-contained HTML page with the run's plots to FILE");
    bool quiet = false;
    app.add_flag("--quiet", quiet, "bots: no progress lines, only the summary");
    CLI11_PARSE(app, argc, argv);

    spdlog::set_level(spdlog::level::from_str(logLevel));
    std::vector<NetAddress> servers;
    if (!serverList.empty()) {
        std::string problem;
        const auto parsed = ParseServerList(serverList, problem);
        if (!parsed) {
            std::fprintf(stderr, "test_client: --servers: %s\n", problem.c_str());
            return 2;
        }
        servers = *parsed;
        // The first server names the WebSocket handshake's Host (Tavern does not check it).
        host = servers.front().Ip();
        port = servers.front().Port();
    }
    const BackendKind kind = *ParseBackendKind(backend);
    std::shared_ptr<const tavern::TransportFactory> transport;
#if TAVERN_WEBSOCKET
    if (webSocket)
        transport = std::make_shared<tavern::ws::WsClientFactory>(host + ":" + std::to_string(port));
#endif
    bots.transport = console.transport = transport;
    if (bots.bots > 0) {
        bots.host = host;
        bots.port = port;
        bots.servers = servers;
        bots.workers = workers;
        bots.backend = kind;
        bots.progress = !quiet;
        return BotRunner(bots, shared).Run();
    }
    console.host = host;
    console.port = port;
    console.servers = servers;
    console.workers = workers == 0 ? 1 : workers;
    console.backend = kind;
    return std::make_shared<ConsoleClient>(console)->Run(std::cin);
}
