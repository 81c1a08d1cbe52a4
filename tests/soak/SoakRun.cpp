#include "tests/soak/SoakRun.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/BackendSelector.h"

namespace tavern::soak {

namespace {

using namespace std::chrono_literals;

// Polls `done` until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

double MiB(std::uint64_t bytes) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

unsigned long long U(std::uint64_t value) {
    return static_cast<unsigned long long>(value);
}

std::string Counts(std::int64_t sessions, std::int64_t players, std::int64_t inGame) {
    return "sessions=" + std::to_string(sessions) + " players=" + std::to_string(players) +
           " in_game=" + std::to_string(inGame);
}

}  // namespace

SoakRun::SoakRun(SoakOptions options) : _options(options), _random(options.seed) {}

SoakRun::~SoakRun() {
    if (_client) _client->Stop();
    if (_server) _server->Stop();
}

double SoakRun::Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - _start).count();
}

bool SoakRun::Fail(std::string reason) {
    if (_failure.empty()) _failure = std::move(reason);
    return false;
}

bool SoakRun::Setup() {
    game::GameServerOptions options;
    options.address = NetAddress::Loopback(0);
    options.engine.workers = _options.workers;
    options.engine.backend = _options.backend;
    // The churn's abrupt exits leave at once, so the server's counts match the live bots (with
    // a resume window they would stay away for it).
    options.limits.resumeWindow = std::chrono::milliseconds::zero();
    options.service.idleTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(_options.idleTimeout));
    _server = std::make_unique<game::GameServer>(options);
    if (auto error = _server->Start()) return Fail("the server cannot start: " + error.message());

    EngineOptions engine;
    engine.workers = _options.clientWorkers;
    engine.backend = _options.backend;
    _client = std::make_unique<ChurnClient>(_server->LocalAddress(), engine);
    if (auto error = _client->Start()) return Fail("the client cannot start: " + error.message());

    for (std::size_t room = 1; room <= _options.rooms; ++room) {
        BotPlan plan;
        plan.name = "resident-" + std::to_string(room);
        plan.room = static_cast<std::uint32_t>(room);
        plan.seed = _random();
        _client->ConnectResident(std::move(plan));
    }
    const auto residents = static_cast<std::int64_t>(_options.rooms);
    if (!WaitUntil([&] { return _client->Tally().liveInGame.load() == residents; }, 10s))
        return Fail("the residents did not all reach their rooms within 10 s");
    return true;
}

bool SoakRun::CheckQuiet(std::int64_t live, const char* where) {
    ChurnTally& tally = _client->Tally();
    const auto clientsDone = [&] {
        return tally.outstanding.load() <= live &&
               static_cast<std::int64_t>(_client->SessionCount()) <= live;
    };
    const auto wait = std::chrono::milliseconds(_options.spreadMs + _options.maxPlayMs) + 15s;
    if (!WaitUntil(clientsDone, std::chrono::duration_cast<std::chrono::milliseconds>(wait))) {
        std::printf(
            "%s: client sessions still open (a bot's stage, then its session's "
            "state):\n%s",
            where, _client->DescribeSessions(20).c_str());
        return Fail(std::string(where) +
                    ": the clients did not finish: " + std::to_string(tally.outstanding.load()) +
                    " connections outstanding, " + std::to_string(_client->SessionCount()) +
                    " client sessions, expected " + std::to_string(live));
    }
    // What the clients believe must itself add up: only the residents are left.
    const std::int64_t connections = tally.liveConnections.load();
    const std::int64_t loggedIn = tally.liveLoggedIn.load();
    const std::int64_t inGame = tally.liveInGame.load();
    if (connections != live || loggedIn != live || inGame != live)
        return Fail(std::string(where) + ": the clients count " +
                    Counts(connections, loggedIn, inGame) + ", expected " + std::to_string(live) +
                    " of each");

    game::GameStats stats;
    std::size_t registry = 0;
    const auto serverAgrees = [&] {
        stats = _server->Stats();
        registry = _server->Service().SessionCount();
        return static_cast<std::int64_t>(stats.sessions) == connections &&
               static_cast<std::int64_t>(registry) == connections &&
               static_cast<std::int64_t>(stats.players) == loggedIn &&
               static_cast<std::int64_t>(stats.inGame) == inGame &&
               stats.accepted == tally.connected.load();
    };
    if (!WaitUntil(serverAgrees, 5s))
        return Fail(std::string(where) + ": the server counts " +
                    Counts(static_cast<std::int64_t>(stats.sessions),
                           static_cast<std::int64_t>(stats.players),
                           static_cast<std::int64_t>(stats.inGame)) +
                    " (service registry " + std::to_string(registry) + ", accepted " +
                    std::to_string(stats.accepted) + "), the clients " +
                    Counts(connections, loggedIn, inGame) + " (connected " +
                    std::to_string(tally.connected.load()) + ")");

    // Each live connection holds two descriptors here, the client's socket and the server's.
    const std::int64_t residents = static_cast<std::int64_t>(_client->Residents());
    const std::int64_t descriptors = _baseline.descriptors - 2 * (residents - live);
    if (_baseline.descriptors >= 0 &&
        !WaitUntil([&] { return OpenDescriptors() == descriptors; }, 2s))
        return Fail(std::string(where) + ": " + std::to_string(OpenDescriptors()) +
                    " descriptors open, expected " + std::to_string(descriptors));

    if (tally.slowCloses.load() != 0)
        return Fail(std::string(where) + ": " + std::to_string(tally.slowCloses.load()) +
                    " client closes took over " + std::to_string(ChurnTally::kSlowClose.count()) +
                    " s (slowest " + std::to_string(tally.slowestCloseUs.load() / 1000) +
                    " ms); a close takes milliseconds unless the engine lost it");
    if (tally.dropped.load() || tally.refused.load() || tally.connectFailed.load())
        return Fail(std::string(where) + ": " + std::to_string(tally.dropped.load()) +
                    " dropped by the server, " + std::to_string(tally.refused.load()) +
                    " refusals, " + std::to_string(tally.connectFailed.load()) +
                    " failed connects (all must be 0)");
    if (stats.protocolErrors != 0 || _client->Counters().ProtocolErrorTotal() != 0)
        return Fail(std::string(where) + ": protocol errors: server " +
                    std::to_string(stats.protocolErrors) + ", client " +
                    std::to_string(_client->Counters().ProtocolErrorTotal()));
    return true;
}

bool SoakRun::RunWave(std::size_t wave) {
    struct Start {
        std::chrono::milliseconds at;
        BotPlan plan;
    };
    // Clean 35%, abrupt 20%, reset 15%, mid-login 15%, reconnect 15%; the early exits leave
    // in game 70% of the time, else on S_LOGIN or right after asking to enter.
    std::discrete_distribution<int> exits({35, 20, 15, 15, 15});
    std::discrete_distribution<int> moments({70, 15, 15});
    std::uniform_int_distribution<int> spread(0, _options.spreadMs);
    std::uniform_int_distribution<int> play(_options.minPlayMs, _options.maxPlayMs);
    std::uniform_int_distribution<std::uint32_t> room(1,
                                                      static_cast<std::uint32_t>(_options.rooms));
    std::vector<Start> starts;
    for (std::size_t i = 0; i < _options.botsPerWave; ++i) {
        Start start{std::chrono::milliseconds(spread(_random)), {}};
        start.plan.name = "w" + std::to_string(wave) + "-" + std::to_string(i);
        start.plan.room = room(_random);
        start.plan.exit = static_cast<Exit>(exits(_random));
        start.plan.moment = static_cast<Moment>(moments(_random));
        start.plan.play = std::chrono::milliseconds(play(_random));
        start.plan.seed = _random();
        starts.push_back(std::move(start));
    }
    std::sort(starts.begin(), starts.end(),
              [](const Start& a, const Start& b) { return a.at < b.at; });
    const auto begin = std::chrono::steady_clock::now();
    for (Start& start : starts) {
        std::this_thread::sleep_until(begin + start.at);
        _client->Connect(std::move(start.plan));
    }
    const std::string where = "wave " + std::to_string(wave);
    if (!CheckQuiet(static_cast<std::int64_t>(_client->Residents()), where.c_str())) return false;
    _waves.push_back(SampleProcess());
    _waveEnds.push_back(Elapsed());
    PrintWave(wave, _waves.back());
    return true;
}

void SoakRun::PrintWave(std::size_t wave, const ProcessSample& sample) {
    const ChurnTally& t = _client->Tally();
    const game::GameStats s = _server->Stats();
    std::printf(
        "wave %3zu [%6.1fs] opened=%llu clean=%llu abrupt=%llu reset=%llu mid_login=%llu "
        "reconnect=%llu | server sessions=%zu players=%zu in_game=%zu packets_in=%llu | "
        "fds=%" PRId64 " heap=%.2fMiB rss=%.1fMiB\n",
        wave, Elapsed(), U(t.opened.load()), U(t.closedClean.load()), U(t.closedAbrupt.load()),
        U(t.closedReset.load()), U(t.closedMidLogin.load()), U(t.closedReconnect.load()),
        s.sessions, s.players, s.inGame, U(s.packetsIn), sample.descriptors, MiB(sample.heapInUse),
        MiB(sample.residentBytes));
    std::fflush(stdout);
}

int SoakRun::Run() {
    if (_options.backend != BackendKind::Auto) {
        std::error_code error;
        SelectBackend(_options.backend, error);
        if (error) {
            std::printf("soak: SKIP: %s is unavailable here: %s\n",
                        std::string(ToString(_options.backend)).c_str(), error.message().c_str());
            return 77;
        }
    }
    _start = std::chrono::steady_clock::now();
    _beforeStart = SampleProcess();
    if (!Setup()) {
        std::printf("soak: FAIL reason=\"%s\"\n", _failure.c_str());
        return 2;
    }
    const auto residents = static_cast<std::int64_t>(_client->Residents());
    if (CheckQuiet(residents, "start")) {
        _baseline = SampleProcess();
        std::printf(
            "soak: backend=%s server_workers=%zu client_workers=%zu rooms=%zu "
            "residents=%lld bots_per_wave=%zu seed=%llu heap_source=\"%s\"\n",
            std::string(ToString(_server->Core().Backend())).c_str(), _server->Core().WorkerCount(),
            _options.clientWorkers, _options.rooms, static_cast<long long>(residents),
            _options.botsPerWave, U(_options.seed), HeapSource());
        std::fflush(stdout);
        _wavesStart = Elapsed();
        for (std::size_t wave = 1;; ++wave) {
            const bool more =
                _options.duration > 0 ? Elapsed() < _options.duration : wave <= _options.waves;
            if (!more || !RunWave(wave)) break;
        }
    }
    return Finish();
}

MemoryRule SoakRun::Rule() const {
    // A closed session's memory is not freed at once: a pending idle-check timer holds the
    // session weakly, and the session was made with make_shared, so its storage (one block with
    // the control block) stays until that timer fires, up to a quarter of the idle timeout
    // later (Session::ArmIdleCheck). The heap at a quiet point thus includes the sessions closed
    // in that window; the warm-up lasts until the window is full, plus a second.
    MemoryRule rule;
    const double window = _options.idleTimeout / 4 + 1;
    std::size_t waves = 0;
    while (waves < _waveEnds.size() && _waveEnds[waves] - _wavesStart < window) ++waves;
    rule.minWarmupWaves = std::max(rule.minWarmupWaves, waves + 1);
    return rule;
}

int SoakRun::Finish() {
    const bool wavesOk = _failure.empty();
    // The residents leave cleanly; then nothing may be left on either side.
    if (wavesOk) {
        _client->LeaveResidents();
        CheckQuiet(0, "end");
    }
    const game::GameStats stats = _server->Stats();
    const std::string backend(ToString(_server->Core().Backend()));
    const std::shared_ptr<ChurnShared> shared = _client->Shared();
    const ChurnTally& t = shared->tally;
    _client->Stop();
    _server->Stop();
    _client.reset();
    _server.reset();
    // Every engine, listener and socket is gone: the descriptors must be back to the count
    // before anything started.
    if (!WaitUntil([&] { return OpenDescriptors() == _beforeStart.descriptors; }, 2s))
        Fail("after stopping: " + std::to_string(OpenDescriptors()) + " descriptors open, " +
             std::to_string(_beforeStart.descriptors) + " before starting");
    _descriptorsAtEnd = OpenDescriptors();
    if (_failure.empty() && t.opened.load() != t.connected.load() + t.connectFailed.load())
        Fail("connections opened " + std::to_string(t.opened.load()) + " != connected " +
             std::to_string(t.connected.load()) + " + failed " +
             std::to_string(t.connectFailed.load()));
    if (_failure.empty() && t.connected.load() != t.Closed())
        Fail("connections connected " + std::to_string(t.connected.load()) + " != closed " +
             std::to_string(t.Closed()));

    std::vector<std::uint64_t> heap;
    for (const ProcessSample& sample : _waves) heap.push_back(sample.heapInUse);
    const MemoryVerdict memory = JudgeMemory(heap, Rule());
    if (wavesOk && !memory.ok) Fail(memory.reason);
    // A sample after `wave` (1-based), in MiB; "n/a" when the run stopped before it.
    const auto after = [&](std::size_t wave, std::uint64_t ProcessSample::*field) {
        if (wave < 1 || wave > _waves.size()) return std::string("n/a");
        char text[32];
        std::snprintf(text, sizeof(text), "%.2fMiB", MiB(_waves[wave - 1].*field));
        return std::string(text);
    };
    const std::size_t warm = memory.warmupWaves, last = _waves.size();
    const bool pass = _failure.empty();
    std::printf(
        "soak: %s backend=%s waves=%zu warmup_waves=%zu seconds=%.1f opened=%llu closed=%llu "
        "clean=%llu abrupt=%llu reset=%llu mid_login=%llu reconnect=%llu slowest_close_ms=%.1f "
        "connect_failed=%llu dropped=%llu refused=%llu server_accepted=%llu packets_in=%llu "
        "protocol_errors=%llu heap_start=%.2fMiB heap_warm=%s heap_end=%s rss_start=%.2fMiB "
        "rss_warm=%s rss_end=%s fds_start=%" PRId64 " fds_end=%" PRId64 " reason=\"%s\"\n",
        pass ? "PASS" : "FAIL", backend.c_str(), last, warm, Elapsed(), U(t.opened.load()),
        U(t.Closed()), U(t.closedClean.load()), U(t.closedAbrupt.load()), U(t.closedReset.load()),
        U(t.closedMidLogin.load()), U(t.closedReconnect.load()),
        static_cast<double>(t.slowestCloseUs.load()) / 1000.0, U(t.connectFailed.load()),
        U(t.dropped.load()), U(t.refused.load()), U(stats.accepted), U(stats.packetsIn),
        U(stats.protocolErrors), MiB(_baseline.heapInUse),
        after(warm, &ProcessSample::heapInUse).c_str(),
        after(last, &ProcessSample::heapInUse).c_str(), MiB(_baseline.residentBytes),
        after(warm, &ProcessSample::residentBytes).c_str(),
        after(last, &ProcessSample::residentBytes).c_str(), _beforeStart.descriptors,
        _descriptorsAtEnd, pass ? memory.reason.c_str() : _failure.c_str());
    std::fflush(stdout);
    return pass ? 0 : 1;
}

}  // namespace tavern::soak
