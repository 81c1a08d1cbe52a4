#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gameserver/GameServer.h"
#include "tests/soak/ChurnClient.h"
#include "tests/soak/MemoryVerdict.h"
#include "tests/soak/ProcessProbe.h"
#include "tests/soak/SoakOptions.h"

namespace tavern::soak {

// The churn and soak run: a GameServer on its own engine and a ChurnClient on another, in this
// process, on loopback. Residents (one per room) stay throughout; each wave's bots connect at
// random times, play, and leave in a mix of ways (ChurnBot's Exit). Between waves, at a quiet
// point, the run checks that the server's counts equal what the clients believe, that the
// descriptors are back to the baseline, and samples the heap; at the end the heap series is
// judged (MemoryVerdict) and everything must be back to zero.
//
//   wave   3 [  5.2s] opened=152 clean=51 abrupt=40 reset=31 mid_login=18 reconnect=12 | ...
//   soak: PASS backend=uring waves=10 ... reason="..."
class SoakRun {
public:
    explicit SoakRun(SoakOptions options);
    ~SoakRun();

    // Not from a worker: the whole run. Returns the exit status: 0 on PASS, 1 on FAIL, 2 when
    // it cannot start, 77 when the requested backend is unavailable here (a skip).
    int Run();

private:
    // Not from a worker. Each returns false with _failure set.
    bool Setup();
    bool RunWave(std::size_t wave);
    // Waits until the clients have finished (only the residents left, `live` of them), the
    // server's counts equal the clients' and the descriptors are back to the baseline.
    bool CheckQuiet(std::int64_t live, const char* where);
    bool Fail(std::string reason);
    void PrintWave(std::size_t wave, const ProcessSample& sample);
    int Finish();
    // The memory rule for this run: the warm-up also covers the time closed sessions' memory
    // may stay allocated (see the definition).
    MemoryRule Rule() const;
    double Elapsed() const;

    const SoakOptions _options;
    std::mt19937_64 _random;
    std::unique_ptr<game::GameServer> _server;
    std::unique_ptr<ChurnClient> _client;
    std::string _failure;
    std::chrono::steady_clock::time_point _start;

    ProcessSample _beforeStart;  // before either engine started
    ProcessSample _baseline;     // engines up, residents in
    std::int64_t _descriptorsAtEnd = -1;
    std::vector<ProcessSample> _waves;  // after each wave, at its quiet point
    std::vector<double> _waveEnds;      // Elapsed() at each of those quiet points
    double _wavesStart = 0;             // Elapsed() when the first wave began
};

}  // namespace tavern::soak
