// The chaos run: bots chat with numbered lines while their connections are reset at random,
// and every line must arrive exactly once, in order, at every member of its room. Its length
// is TAVERN_CHAOS_SECONDS (60 by default; CTest sets it, shorter under sanitizers).
#include "client/ResumeLink.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "tests/game/ChaosBot.h"
#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;

double ChaosSeconds() {
    const char* text = std::getenv("TAVERN_CHAOS_SECONDS");
    const double seconds = text != nullptr ? std::atof(text) : 60.0;
    return seconds > 0 ? seconds : 60.0;
}

struct ChaosFigures {
    std::uint64_t resets = 0, drops = 0, resumes = 0, refused = 0, resent = 0, gaveUp = 0,
                  switches = 0;
    std::uint64_t said = 0, checked = 0, expected = 0, lost = 0, duplicated = 0, freshLogins = 0;
};

// Runs the chaos against the server at `address`; the bots live on `core`.
class ChaosRun {
public:
    ChaosRun(BackendTest& test, IocpCoreRef core, NetAddress address, std::size_t bots)
        : _core(std::move(core)), _address(address), _shared(std::make_shared<ChaosShared>()) {
        _client = ClientService::Create(_core, _address, [this]() -> SessionRef {
            std::lock_guard guard(_lock);
            if (_pending.empty()) return nullptr;
            auto session = std::move(_pending.front());
            _pending.pop_front();
            return session;
        });
        (void)test;
        for (std::size_t i = 0; i < bots; ++i) {
            auto bot = std::make_shared<ChaosBot>(i, _shared);
            auto link = std::make_shared<client::ResumeLink>(
                _core->GetScheduler(),
                [this, bot](const std::shared_ptr<client::ResumeLink>& self) {
                    return Connect(bot, self);
                });
            _bots.push_back(bot);
            _links.push_back(link);
        }
    }

    ~ChaosRun() {
        for (auto& link : _links) link->Stop();
        _client->Stop(std::chrono::seconds(10));
    }

    ChaosFigures Run(double seconds) {
        for (std::size_t i = 0; i < _bots.size(); ++i) EXPECT_TRUE(Connect(_bots[i], _links[i]));
        EXPECT_TRUE(WaitUntil([&] { return AllInGame(); }, 30s)) << "every bot in its room";
        _shared->chatting.store(true);

        // Every bot's connection is reset at random every 2-8 s.
        ChaosFigures figures;
        std::mt19937 random(12345);
        std::uniform_int_distribution<int> every(2000, 8000);
        const auto start = Clock::now();
        std::vector<Clock::time_point> due(_bots.size());
        for (auto& d : due) d = start + std::chrono::milliseconds(every(random));
        const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(seconds));
        while (Clock::now() < end) {
            std::this_thread::sleep_for(10ms);
            const auto now = Clock::now();
            for (std::size_t i = 0; i < _bots.size(); ++i) {
                if (now < due[i]) continue;
                due[i] = now + std::chrono::milliseconds(every(random));
                const auto session = _links[i]->Current();
                if (!session || !session->IsConnected()) continue;
                // Every other time the old connection stays open and a new one takes over.
                if (++figures.resets % 2 == 0) {
                    session->DoAsync([bot = _bots[i], session, link = _links[i]] {
                        bot->SayThenSwitch(*session, *link);
                    });
                } else {
                    session->DoAsync([bot = _bots[i], session] { bot->SayThenReset(*session); });
                }
            }
        }
        _shared->chatting.store(false);

        // Let the last resumes finish and the last lines arrive.
        const bool settled = WaitUntil([&] { return Settled(); }, 60s);
        EXPECT_TRUE(settled) << "every bot back in its room with every line";
        for (auto& link : _links) link->Stop();
        _client->Stop(std::chrono::seconds(10));
        std::this_thread::sleep_for(100ms);  // the bots' last jobs

        for (std::size_t i = 0; i < _bots.size(); ++i) {
            const ChaosBot& bot = *_bots[i];
            const client::ResumeCounts& counts = _links[i]->Counts();
            figures.drops += counts.drops.load();
            figures.resumes += counts.resumes.load();
            figures.refused += counts.refused.load();
            figures.resent += counts.resent.load();
            figures.gaveUp += counts.gaveUp.load();
            figures.switches += counts.switches.load();
            figures.said += bot.LinesSaid();
            figures.checked += bot.LinesChecked();
            figures.lost += bot.Lost();
            figures.duplicated += bot.Duplicated();
            figures.freshLogins += bot.FreshLogins() - 1;
            // Every line of every member of its room, to the last one.
            for (const auto& sender : _bots) {
                if (sender->Room() != bot.Room()) continue;
                figures.expected += sender->LinesSaid();
                const std::uint64_t missing =
                    sender->LinesSaid() -
                    std::min(sender->LinesSaid(), bot.NextFrom(sender->Index()));
                figures.lost += missing;
            }
        }
        return figures;
    }

private:
    bool Connect(const std::shared_ptr<ChaosBot>& bot,
                 const std::shared_ptr<client::ResumeLink>& link) {
        auto session = std::make_shared<client::ServerSession>(bot, link);
        const client::ServerSession* raw = session.get();
        {
            std::lock_guard guard(_lock);
            _pending.push_back(std::move(session));
        }
        std::error_code error;
        if (_client->Connect(error)) return true;
        std::lock_guard guard(_lock);  // take it back if the factory did not
        std::erase_if(_pending, [raw](const auto& pending) { return pending.get() == raw; });
        return false;
    }
    bool AllInGame() const {
        for (const auto& bot : _bots)
            if (!bot->InGame()) return false;
        return true;
    }
    // Every bot connected and in its room, and has had every line said in it.
    bool Settled() const {
        for (std::size_t i = 0; i < _bots.size(); ++i) {
            const auto session = _links[i]->Current();
            if (!session || !session->IsConnected() || !_bots[i]->InGame()) return false;
        }
        std::vector<std::uint64_t> said(_shared->rooms, 0);
        for (const auto& bot : _bots) said[bot->Room()] += bot->LinesSaid();
        for (const auto& bot : _bots)
            if (bot->LinesChecked() < said[bot->Room()]) return false;
        return true;
    }

    IocpCoreRef _core;
    NetAddress _address;
    std::shared_ptr<ChaosShared> _shared;
    std::shared_ptr<ClientService> _client;
    std::mutex _lock;
    std::deque<std::shared_ptr<client::ServerSession>> _pending;  // the factory's next sessions
    std::vector<std::shared_ptr<ChaosBot>> _bots;
    std::vector<std::shared_ptr<client::ResumeLink>> _links;
};

void Report(const char* what, const ChaosFigures& f, double seconds) {
    std::printf(
        "chaos (%s, %.0f s, 50 bots, 5 rooms): resets=%llu switches=%llu drops=%llu resumes=%llu "
        "refused=%llu resent=%llu gave_up=%llu lines_said=%llu lines_checked=%llu "
        "lines_expected=%llu lost=%llu duplicated=%llu fresh_logins=%llu\n",
        what, seconds, static_cast<unsigned long long>(f.resets),
        static_cast<unsigned long long>(f.switches), static_cast<unsigned long long>(f.drops),
        static_cast<unsigned long long>(f.resumes), static_cast<unsigned long long>(f.refused),
        static_cast<unsigned long long>(f.resent), static_cast<unsigned long long>(f.gaveUp),
        static_cast<unsigned long long>(f.said), static_cast<unsigned long long>(f.checked),
        static_cast<unsigned long long>(f.expected), static_cast<unsigned long long>(f.lost),
        static_cast<unsigned long long>(f.duplicated),
        static_cast<unsigned long long>(f.freshLogins));
    std::fflush(stdout);
}

void ExpectClean(const ChaosFigures& f) {
    EXPECT_GT(f.resets, 0u);
    EXPECT_GT(f.resumes, 0u);
    EXPECT_GT(f.switches, 0u) << "no takeover of a still-open connection was tried";
    EXPECT_EQ(f.resumes, f.drops) << "every drop and switch resumed";
    EXPECT_EQ(f.lost, 0u) << "a line said in a bot's room while it was there never reached it";
    EXPECT_EQ(f.duplicated, 0u) << "a line reached a bot twice";
    EXPECT_EQ(f.refused, 0u) << "a resume was refused: that bot left its room";
    EXPECT_EQ(f.freshLogins, 0u);
    EXPECT_EQ(f.gaveUp, 0u);
    EXPECT_EQ(f.checked, f.expected) << "every line, once, at every member";
}

game::GameServerOptions ChaosServerOptions(NetAddress address) {
    game::GameServerOptions options;
    options.address = address;
    options.limits.resumeWindow = 30s;
    return options;
}

// Over loopback.
class GameChaosTest : public BackendTest {};

TEST_P(GameChaosTest, EveryLineArrivesOnceInOrderWhileConnectionsAreResetAtRandom) {
    game::GameServer server(ChaosServerOptions(NetAddress::Loopback(0)), core);
    ASSERT_FALSE(server.Start());
    const double seconds = ChaosSeconds();
    ChaosFigures figures;
    {
        ChaosRun run(*this, core, server.LocalAddress(), 50);
        figures = run.Run(seconds);
    }
    Report(std::string(ToString(GetParam())).c_str(), figures, seconds);
    ExpectClean(figures);
    server.Stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, GameChaosTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

// The same through a lossy link: a network namespace of its own whose loopback is shaped by tc
// netem (5 ms +- 2 ms delay each way, 1 % loss). The namespace is this thread's alone
// (unshare), so the engine of the run is made after it, its workers inheriting it; the thread
// goes back at the end. Skipped where the machine does not allow it (not root, no iproute2, no
// sch_netem in the kernel).
class GameChaosLossyLinkTest : public BackendTest {};

TEST_P(GameChaosLossyLinkTest, EveryLineArrivesOnceInOrderOverALossyLink) {
    const int original = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(original, 0);
    if (::unshare(CLONE_NEWNET) != 0) {
        ::close(original);
        GTEST_SKIP() << "no network namespace here (unshare: " << std::strerror(errno)
                     << "; needs root)";
    }
    const bool shaped =
        std::system("ip link set lo up >/dev/null 2>&1") == 0 &&
        std::system("tc qdisc add dev lo root netem delay 5ms 2ms loss 1% >/dev/null 2>&1") == 0;
    if (!shaped) {
        EXPECT_EQ(::setns(original, CLONE_NEWNET), 0);
        ::close(original);
        GTEST_SKIP() << "tc netem is unavailable here (needs iproute2 and the kernel's sch_netem)";
    }
    EngineOptions engine;
    engine.workers = 2;
    engine.backend = GetParam();
    auto shapedCore = IocpCore::Create(engine);
    ASSERT_FALSE(shapedCore->Start());
    const double seconds = ChaosSeconds();
    ChaosFigures figures;
    {
        game::GameServer server(ChaosServerOptions(NetAddress::Loopback(0)), shapedCore);
        ASSERT_FALSE(server.Start());
        {
            ChaosRun run(*this, shapedCore, server.LocalAddress(), 50);
            figures = run.Run(seconds);
        }
        server.Stop();
    }
    shapedCore->Stop();
    EXPECT_EQ(::setns(original, CLONE_NEWNET), 0);
    ::close(original);
    Report((std::string(ToString(GetParam())) + ", netem 5ms+-2ms 1% loss").c_str(), figures,
           seconds);
    ExpectClean(figures);
}

INSTANTIATE_TEST_SUITE_P(Backends, GameChaosLossyLinkTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
