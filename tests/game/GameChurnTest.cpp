#include "gameserver/Room.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Whether this is an optimized build without sanitizers: latency bounds in milliseconds are
// only meaningful there (ASan slows the server several times over).
constexpr bool kOptimizedBuild =
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    true;
#else
    false;
#endif

class GameChurnTest : public GameServerFixture {
protected:
    // Pings every 20 ms for `duration`; the round trips in microseconds, sorted.
    static std::vector<double> PingFor(GameTestClient& client, std::chrono::milliseconds duration) {
        std::vector<double> rtts;
        const auto end = SteadyClock::now() + duration;
        Protocol::C_PING ping;
        while (SteadyClock::now() < end) {
            const auto sent = SteadyClock::now();
            ping.set_client_time(static_cast<std::uint64_t>(sent.time_since_epoch().count()));
            if (!client.Send(PacketId::C_PING, ping)) break;
            if (!client.Expect<Protocol::S_PONG>(PacketId::S_PONG)) break;
            rtts.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - sent)
                               .count());
            std::this_thread::sleep_until(sent + 20ms);
        }
        std::sort(rtts.begin(), rtts.end());
        return rtts;
    }
    static double P99(const std::vector<double>& sorted) {
        return sorted.empty() ? 0 : sorted[sorted.size() * 99 / 100];
    }
};

// 300 players sit in room 1 (not reading); ten clients enter and leave it as fast as the rate
// limit lets them (about 75 room changes a second each); one player alone in room 2 pings.
//
// Before the fix every entry and every leave flushed the room's tick and sent its S_SPAWN or
// S_DESPAWN at once to all 300: this test measured 235,000 sends a second (about 800 room
// changes asked for a second) and failed the sends bound; the quiet p99 per window was 0.7-4.2
// ms at this size (the report's 1,000-member room took it to 40-220 ms). Now room changes are
// limited per session (4 a second, a burst of 10; the rest refused) and spawns and despawns
// travel on the tick with the chat, so the room costs at most one send per member per tick:
// about 2,700 sends a second here, and the quiet p99's best window stays under 0.4 ms.
//
// Two measures: the server's sends during the churn (the mechanism; every build), and the quiet
// room's ping p99. That one is a wall-clock figure, and CI also runs this suite under ASan on a
// loaded 2-core machine where a quiet server's p99 alone moves by milliseconds (this test saw
// 3-8 ms with no churn at all while other builds ran). So it is taken in four pairs of windows,
// 1 s without churn then 1 s with it; the churn window of some pair must stay under 5 ms or
// three times the p99 of its own quiet window, whichever is larger; and it is asserted only in
// an optimized build without sanitizers (the sends bound holds everywhere).
TEST_P(GameChurnTest, AQuietRoomsPingStaysFastWhileAnotherRoomChurns) {
    constexpr int kMembers = 300;
    constexpr int kChurners = 10;
    std::vector<std::unique_ptr<GameTestClient>> members;
    for (int i = 0; i < kMembers; ++i) members.push_back(InRoom("m" + std::to_string(i), 1));
    std::vector<std::unique_ptr<GameTestClient>> churners;
    for (int i = 0; i < kChurners; ++i) churners.push_back(LoggedIn("c" + std::to_string(i)));
    auto quiet = InRoom("quiet", 2);
    ASSERT_FALSE(HasFailure());

    PingFor(*quiet, 300ms);  // warm-up

    std::atomic<bool> stop{false};
    std::atomic<bool> paused{true};
    std::atomic<std::uint64_t> changes{0};
    std::thread churn([&] {
        // Each churner sends enter or leave every 13 ms (about 75 a second) without waiting for
        // the answers (a few KiB in all, which its socket buffer holds).
        Protocol::C_ENTER_GAME enter;
        enter.set_room_id(1);
        const auto enterBytes = Frame(static_cast<std::uint16_t>(PacketId::C_ENTER_GAME),
                                      Encode(enter));
        const auto leaveBytes = Frame(static_cast<std::uint16_t>(PacketId::C_LEAVE_GAME), {});
        const auto start = SteadyClock::now();
        for (int round = 0; !stop.load(); ++round) {
            if (!paused.load()) {
                for (auto& churner : churners) {
                    churner->SendRaw(round % 2 == 0 ? enterBytes : leaveBytes);
                    changes.fetch_add(1);
                }
            }
            std::this_thread::sleep_until(start + (round + 1) * 13ms);
        }
    });
    // Four pairs of windows, 1 s without churn then 1 s with it. Other load on the machine
    // moves both windows of a pair alike; a fan-out that starves other rooms shows in every
    // churn window.
    std::vector<double> quietP99s, churnP99s;
    std::uint64_t sends = 0;
    double churnSeconds = 0;
    std::size_t samples = 0;
    for (int pair = 0; pair < 4; ++pair) {
        paused = true;
        std::this_thread::sleep_for(100ms);  // what the last churn window left is sent
        quietP99s.push_back(P99(PingFor(*quiet, 1000ms)));
        paused = false;
        std::this_thread::sleep_for(100ms);  // the churn under way
        const std::uint64_t sendsBefore = server->Service().Counters().sends.load();
        const auto windowStart = SteadyClock::now();
        const auto rtts = PingFor(*quiet, 1000ms);
        churnSeconds += std::chrono::duration<double>(SteadyClock::now() - windowStart).count();
        sends += server->Service().Counters().sends.load() - sendsBefore;
        samples += rtts.size();
        churnP99s.push_back(P99(rtts));
    }
    stop = true;
    churn.join();

    // At most one send per member per tick (50 ticks a second), plus the answers to the
    // churners and the pinger; the old way needed one per member per room change.
    const double sendsPerSecond = static_cast<double>(sends) / churnSeconds;
    EXPECT_LT(sendsPerSecond, kMembers * 50 * 1.5)
        << changes.load() / (churnSeconds + 0.8) << " room changes asked for a second";
    ASSERT_GT(samples, 100u);
    bool fastInSomePair = false;
    for (std::size_t i = 0; i < churnP99s.size(); ++i) {
        std::printf("quiet ping p99 without / with churn: %.0f / %.0f us\n", quietP99s[i],
                    churnP99s[i]);
        fastInSomePair |= churnP99s[i] < std::max(5000.0, 3 * quietP99s[i]);
    }
    std::printf("%.0f sends/s during the churn\n", sendsPerSecond);
    // Under Wine every socket call is a round trip to the wineserver (see UnderWine): a wall-clock
    // p99 there measures Wine on a loaded machine (one window failed in about ten CI-like runs),
    // not the fan-out; the sends bound above still holds there.
    if (kOptimizedBuild && !UnderWine()) {
        EXPECT_TRUE(fastInSomePair) << "the quiet room's ping p99 was over 5 ms (and over three "
                                       "times the p99 without churn) in every window";
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, GameChurnTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
