#pragma once

#include <cstddef>
#include <cstdint>

#include "core/Backend.h"

namespace tavern::soak {

// What one soak run does. The defaults: a minute of waves against a server with its default
// options. CTest registers a shorter run (10 waves, a 4 s idle timeout: see README, "Soak").
struct SoakOptions {
    double duration = 60;                     // seconds of waves; 0: run `waves` waves
    std::size_t waves = 10;                   // used when duration is 0
    std::size_t botsPerWave = 40;             // first connections per wave (reconnects come on top)
    std::size_t rooms = 4;                    // rooms 1..rooms; one resident bot stays in each
    std::size_t workers = 2;                  // the server's engine
    std::size_t clientWorkers = 1;            // the bots' engine
    BackendKind backend = BackendKind::Auto;  // both engines
    std::uint64_t seed = 1;
    // The server's idle timeout (ServiceOptions::idleTimeout; the gameserver's default is 60 s).
    double idleTimeout = 60;
    // A wave's bots connect at random times within `spreadMs`, then play for a random time
    // between `minPlayMs` and `maxPlayMs` before they leave.
    int spreadMs = 400;
    int minPlayMs = 100;
    int maxPlayMs = 1000;
};

}  // namespace tavern::soak
