// gameserver: the demo game on Tavern (see README, "The demo game").
//   gameserver --port 7777 --workers 2 --backend auto|uring|epoll|iocp --max-packet 1024
//              --log-level info --stats-interval 5
//              --db sqlite:tavern.db|postgresql://... --password-cost interactive|moderate|min
//              --no-register --save-interval 1 --login-failures-per-address 20
//              --admin-port 9100 --admin-host 127.0.0.1 --drain-seconds 0 --log-format text|json
//              --nats nats://HOST:PORT --node NAME   (a cluster node; needs --db postgresql://)
// A database that cannot be opened at start: one line on stderr, exit status 2.
// Prints a stats line every --stats-interval seconds; stops cleanly on SIGINT / SIGTERM, exit 0.
// With --admin-port, /readyz turns 503 as the stop begins, --drain-seconds before the listener
// closes (so that probes and load balancers stop sending players first).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "core/BackendSelector.h"
#include "core/PacketHeader.h"
#include "core/ShutdownSignal.h"
#include "core/SocketUtils.h"
#include "gameserver/GameServer.h"
#include "gameserver/LimitCheck.h"
#if TAVERN_GAME_ACCOUNTS
#include "store/OpenStore.h"
#endif
#include "gameserver/StatsReporter.h"
#include "admin/JsonLogFormatter.h"
#if TAVERN_WITH_ADMIN
#include "gameserver/GameAdmin.h"
#endif

int main(int argc, char** argv) {
    using namespace tavern;
    CLI::App app{"Tavern demo game server"};
    std::string host = "0.0.0.0";
    std::uint16_t port = 7777;
    std::size_t workers = 0;
    std::string backend = "auto";
    std::string logLevel = "info";
    double statsInterval = 5;
    game::GameServerOptions options;
    app.add_option("--host", host, "address to listen on (numeric)");
    app.add_option("--port", port, "TCP port (0: any free port, printed)");
    app.add_option("--workers", workers, "worker threads (0: one per hardware thread)");
    int wsPort = -1;
    std::string webRoot;
#if TAVERN_WEBSOCKET
    webRoot = TAVERN_WEB_ROOT_DEFAULT;
    app.add_option("--ws-port", wsPort,
                   "also listen for WebSocket players (GET /ws) and serve the browser page on "
                   "this port (0: any free port, printed)")
        ->check(CLI::Range(0, 65535));
    app.add_option("--web-root", webRoot, "the browser page's folder (GET / is its index.html)");
    app.add_option("--ws-origin", options.wsOrigins,
                   "a page (scheme://host[:port]) whose scripts may open a WebSocket, beside the "
                   "server's own host; repeatable or a comma list; * for any (default: the own "
                   "host only; clients that send no Origin are always let in)")
        ->delimiter(',');
#endif
    app.add_option("--backend", backend, BackendHelp())->check(CLI::IsMember(BackendNames()));
    app.add_option("--max-packet", options.service.maxPacketSize,
                   "largest packet a client may send, header included")
        ->check(CLI::Range(kPacketHeaderSize, kMaxWirePacketSize));
    app.add_option("--max-chat", options.limits.maxChatBytes, "longest chat message in bytes");
    app.add_option("--max-name", options.limits.maxNameBytes, "longest player name in bytes");
    int tickMs = static_cast<int>(options.limits.broadcastTick.count());
    app.add_option("--broadcast-tick-ms", tickMs,
                   "rooms send chat and moves once per tick of this many ms (0: at once)")
        ->check(CLI::Range(0, 1000));
    app.add_option("--broadcast-groups", options.limits.broadcastGroups,
                   "a crowded room flushes its tick to at most this many groups of members in "
                   "turn (1: all at once)")
        ->check(CLI::Range(1, 64));
    app.add_option("--max-sessions", options.service.maxSessions,
                   "connections held at once; more are refused with a reset")
        ->check(CLI::PositiveNumber);
    app.add_option("--send-cap", options.service.sendQueueLimit,
                   "queued send bytes per session before a disconnect");
    std::size_t budgetMiB = options.service.sendMemoryBudget / (1024 * 1024);
    app.add_option("--send-budget-mb", budgetMiB,
                   "send memory all sessions may hold together, in MiB; past it the sessions "
                   "holding the most are cut (0: no limit)");
    double idleTimeout = 60;
    app.add_option("--idle-timeout", idleTimeout,
                   "seconds a client may send nothing before it is disconnected (0: never)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--max-packets-per-sec", options.service.maxPacketsPerSecond,
                   "packets a client may send per second before it is disconnected (0: no limit)");
    // Seamless reconnect (README, "Reconnect").
    double resumeWindow = 30;
    app.add_option("--resume-window", resumeWindow,
                   "seconds a dropped player stays in its room, away, for a resume (0: off)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--resume-buffer", options.limits.resumeBuffer,
                   "packet bytes kept per player for a resume; an away player past it leaves");
    app.add_option("--log-level", logLevel, "trace, debug, info, warn, error, critical, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_option("--stats-interval", statsInterval, "seconds between stats lines (0: none)")
        ->check(CLI::NonNegativeNumber);
#if TAVERN_GAME_ACCOUNTS
    options.persistence.dbUrl = "sqlite:tavern.db";
#endif
    app.add_option("--db", options.persistence.dbUrl,
                   "accounts and saved state: sqlite:PATH or postgresql://... (empty: none)");
    app.add_option("--password-cost", options.persistence.passwordCost,
                   "Argon2id cost of password hashes (min: bots and benchmarks only)")
        ->check(CLI::IsMember({"interactive", "moderate", "min"}));
    bool noRegister = false;
    app.add_flag("--no-register", noRegister, "an unknown name is refused instead of created");
    double saveInterval = 1;
    app.add_option("--save-interval", saveInterval,
                   "seconds between saves of the players that moved")
        ->check(CLI::Range(0.01, 3600.0));
    app.add_option("--login-failures-per-address", options.persistence.loginFailuresPerAddress,
                   "failed logins a minute from one address before it is refused for a minute")
        ->check(CLI::Range(1, 1000000));
    std::string logFormat = "text";
    app.add_option("--log-format", logFormat, "text, or json (one object a line, same fields)")
        ->check(CLI::IsMember({"text", "json"}));
    double drainSeconds = 0;
    app.add_option("--drain-seconds", drainSeconds,
                   "on SIGINT / SIGTERM, seconds between /readyz turning 503 and the listener "
                   "closing")
        ->check(CLI::NonNegativeNumber);
#if TAVERN_WITH_ADMIN
    int adminPort = -1;
    std::string adminHost = "127.0.0.1";
    app.add_option("--admin-port", adminPort,
                   "serve /metrics, /healthz, /readyz over HTTP on this port (0: any free port, "
                   "printed; -1: off)")
        ->check(CLI::Range(-1, 65535));
    app.add_option("--admin-host", adminHost,
                   "address the admin endpoint listens on (numeric; loopback by default)");
#endif
    app.add_option("--nats", options.cluster.natsUrl,
                   "join a cluster through this NATS server (nats://HOST:PORT; empty: run alone; "
                   "needs --db postgresql://...)");
    app.add_option("--node", options.cluster.node,
                   "this node's name in the cluster (unique; letters, digits, '-', '_')");
    CLI11_PARSE(app, argc, argv);
    if (!options.cluster.natsUrl.empty() && options.cluster.node.empty()) {
        std::fprintf(stderr, "gameserver: --nats needs --node NAME (unique in the cluster)\n");
        return 2;
    }
    options.persistence.allowRegister = !noRegister;
    options.persistence.saveInterval = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(saveInterval));

    admin::SetLogFormat(logFormat);
    spdlog::set_level(spdlog::level::from_str(logLevel));
    if (const std::string problem = game::CheckLimits(options.service, options.limits);
        !problem.empty()) {
        std::fprintf(stderr, "gameserver: the limits do not fit together: %s\n", problem.c_str());
        return 2;
    }
    ShutdownSignal shutdown;  // before any thread starts, so every thread leaves SIGINT to it
    socket::RaiseFileLimit();
    const auto address = NetAddress::Parse(host, port);
    if (!address) {
        spdlog::error("not a numeric address: {}", host);
        return 2;
    }
    options.address = *address;
    if (wsPort >= 0) {
        options.wsAddress = NetAddress::Parse(host, static_cast<std::uint16_t>(wsPort));
        options.webRoot = webRoot;
    }
    options.limits.broadcastTick = std::chrono::milliseconds(tickMs);
    options.limits.resumeWindow = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(resumeWindow));
    options.service.sendMemoryBudget = budgetMiB * 1024 * 1024;
    options.service.idleTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(idleTimeout));
    options.engine.workers = workers;
    options.engine.backend = *ParseBackendKind(backend);

#if TAVERN_WITH_ADMIN
    options.service.packetMetrics = adminPort >= 0;
#endif

#if TAVERN_GAME_ACCOUNTS
    const std::string shownDb = store::RedactUrl(options.persistence.dbUrl);  // no password
#else
    const std::string shownDb = options.persistence.dbUrl;
#endif
    std::unique_ptr<game::GameServer> made;
    try {
        made = std::make_unique<game::GameServer>(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gameserver: %s\n", e.what());
        return 2;
    }
    game::GameServer& server = *made;
    if (auto error = server.Start()) {
        spdlog::error("gameserver: cannot start: {}", error.message());
        return 1;
    }
    std::printf("gameserver listening on port %u (%s, %zu workers, accounts: %s)\n",
                server.LocalAddress().Port(),
                std::string(ToString(server.Core().Backend())).c_str(),
                server.Core().WorkerCount(),
                options.persistence.dbUrl.empty() ? "none" : shownDb.c_str());
    if (const auto wsAddress = server.WsLocalAddress())
        std::printf("websocket listening on port %u (the page: http://localhost:%u/)\n",
                    wsAddress->Port(), wsAddress->Port());
#if TAVERN_WITH_ADMIN
    std::unique_ptr<admin::AdminServer> adminServer;
    if (adminPort >= 0) {
        std::error_code error;
        adminServer = game::StartGameAdmin(
            server, {.host = adminHost, .port = static_cast<std::uint16_t>(adminPort)}, error);
        if (!adminServer) {
            spdlog::error("gameserver: cannot start the admin endpoint: {}", error.message());
            return 1;
        }
        adminServer->SetReady(true);
        std::printf("admin listening on port %u\n", adminServer->Port());
    }
#endif
    std::fflush(stdout);

    game::StatsReporter reporter;
    reporter.Line(server.Stats());  // the baseline for the first rates
    // A stats line per interval, on a fixed schedule: a wait cut short (EINTR) just waits again.
    const auto interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(statsInterval));
    auto nextLine = Clock::now() + interval;
    int signal = 0;
    while (signal == 0) {
        if (statsInterval <= 0) {
            signal = shutdown.Wait();
            break;
        }
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(nextLine - Clock::now());
        signal = shutdown.WaitFor(static_cast<int>(std::max<long long>(left.count(), 0)));
        if (signal == 0 && Clock::now() >= nextLine) {
            std::printf("%s\n", reporter.Line(server.Stats()).c_str());
            std::fflush(stdout);
            nextLine += interval;
        }
    }
    spdlog::info("gameserver: signal {}, stopping", signal);
#if TAVERN_WITH_ADMIN
    if (adminServer) adminServer->SetReady(false);  // first: no new players are routed here
#endif
    if (drainSeconds > 0) {
        spdlog::info("gameserver: draining for {} s before the listener closes", drainSeconds);
        std::this_thread::sleep_for(std::chrono::duration<double>(drainSeconds));
    }
#if TAVERN_WITH_ADMIN
    // Before the engine stops: a scrape reads the workers' threads, which Stop joins.
    if (adminServer) adminServer->Stop();
#endif
    std::printf("%s\n", reporter.Line(server.Stats()).c_str());  // the last word before stopping
    server.Stop();
    const game::GameStats stats = server.Stats();
    std::printf(
        "gameserver stopped: %llu connections served, %llu packets in, %llu sends, "
        "%llu room packets out, %llu protocol errors\n",
        static_cast<unsigned long long>(stats.accepted),
        static_cast<unsigned long long>(stats.packetsIn),
        static_cast<unsigned long long>(stats.sends),
        static_cast<unsigned long long>(stats.roomPacketsOut),
        static_cast<unsigned long long>(stats.protocolErrors));
    return 0;
}
