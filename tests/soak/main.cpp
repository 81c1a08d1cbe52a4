// soak_test: the churn and soak run (see SoakRun.h and README, "Soak").
//   soak_test --duration 300 --bots-per-wave 40 --rooms 4 --workers 2 --backend epoll --seed 7
// Prints a line per wave and a summary line; exit 0 only on PASS (77: backend unavailable).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "core/BackendSelector.h"
#include "core/SocketUtils.h"
#include "tests/soak/MemoryVerdict.h"
#include "tests/soak/SoakRun.h"

int main(int argc, char** argv) {
    using namespace tavern;
    soak::SoakOptions options;
    CLI::App app{
        "Tavern churn and soak run: bots connect, play and leave in waves against an "
        "in-process game server; fails on count mismatches, descriptor leaks or a "
        "growing heap"};
    std::string backend = "auto";
    std::string logLevel = "warn";
    app.add_option("--duration", options.duration,
                   "seconds to run waves for (0: run --waves waves instead)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--waves", options.waves, "run this many waves instead of --duration")
        ->check(CLI::Range(soak::MinimumWaves(), std::size_t{1000000}));
    app.add_option("--bots-per-wave", options.botsPerWave, "connections each wave starts")
        ->check(CLI::Range(1, 5000));
    app.add_option("--rooms", options.rooms, "rooms; one resident bot stays in each")
        ->check(CLI::Range(1, 1000));
    app.add_option("--workers", options.workers, "the server's worker threads")
        ->check(CLI::Range(1, 256));
    app.add_option("--client-workers", options.clientWorkers, "the bots' worker threads")
        ->check(CLI::Range(1, 256));
    app.add_option("--backend", backend, "auto, uring or epoll (both engines)")
        ->check(CLI::IsMember({"auto", "uring", "epoll"}));
    app.add_option("--seed", options.seed, "seed of the waves' random plans");
    app.add_option("--idle-timeout", options.idleTimeout,
                   "the server's idle timeout in seconds (0: none); see README, \"Soak\"")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--spread-ms", options.spreadMs, "a wave's bots connect within this many ms")
        ->check(CLI::Range(0, 60000));
    app.add_option("--min-play-ms", options.minPlayMs, "shortest time a bot plays")
        ->check(CLI::Range(0, 600000));
    app.add_option("--max-play-ms", options.maxPlayMs, "longest time a bot plays")
        ->check(CLI::Range(0, 600000));
    app.add_option("--log-level", logLevel, "trace, debug, info, warn, error, critical, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    CLI11_PARSE(app, argc, argv);
    if (app.count("--waves") > 0 && app.count("--duration") == 0) options.duration = 0;
    if (options.maxPlayMs < options.minPlayMs) {
        std::fprintf(stderr, "--max-play-ms must not be below --min-play-ms\n");
        return 2;
    }

    spdlog::set_level(spdlog::level::from_str(logLevel));
    options.backend = *ParseBackendKind(backend);
    socket::RaiseFileLimit();
    return soak::SoakRun(options).Run();
}
