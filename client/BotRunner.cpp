#include "client/BotRunner.h"

#include <cstdio>
#include <thread>

#include <spdlog/spdlog.h>


#include "client/ServerList.h"
#include "client/ServerSession.h"
#include "core/IocpCore.h"
#include "core/ProcessCpu.h"
#include "core/Service.h"
#include "core/SocketUtils.h"

namespace tavern::client {

namespace {

double Ms(double nanoseconds) {
    return nanoseconds / 1e6;
}

}  // namespace

struct BotRunner::Totals {
    std::size_t connected = 0, loggedIn = 0, inGame = 0, connectFailed = 0, dropped = 0;
    std::uint64_t drops = 0, resumes = 0, resumesRefused = 0, resent = 0;
    std::uint64_t refused = 0, chatsSent = 0, chatsReceived = 0, movesSent = 0, movesReceived = 0,
                  pingsSent = 0, pongs = 0;
};

BotRunner::BotRunner(BotRunOptions options, std::shared_ptr<BotShared> shared)
    : _options(std::move(options)), _shared(std::move(shared)) {}

BotRunner::Totals BotRunner::Sum() const {
    Totals t;
    std::lock_guard guard(_lock);
    for (const auto& bot : _bots) {
        const BotCounters& c = bot->Counters();
        constexpr auto r = std::memory_order_relaxed;
        t.connected += c.connected.load(r);
        t.loggedIn += c.loggedIn.load(r);
        t.inGame += c.inGame.load(r);
        t.connectFailed += c.connectFailed.load(r);
        t.dropped += c.dropped.load(r);
        t.refused += c.refused.load(r);
        t.chatsSent += c.chatsSent.load(r);
        t.chatsReceived += c.chatsReceived.load(r);
        t.movesSent += c.movesSent.load(r);
        t.movesReceived += c.movesReceived.load(r);
        t.pingsSent += c.pingsSent.load(r);
        t.pongs += c.pongs.load(r);
    }
    for (const auto& link : _links) {
        const ResumeCounts& c = link->Counts();
        t.drops += c.drops.load();
        t.resumes += c.resumes.load();
        t.resumesRefused += c.refused.load();
        t.resent += c.resent.load();
        t.dropped += c.gaveUp.load();  // never got back: a drop for good
    }
    return t;
}

std::size_t BotRunner::CountTimedOut() const {
    std::size_t late = 0;
    std::lock_guard guard(_lock);
    for (const auto& bot : _bots) {
        const BotCounters& c = bot->Counters();
        constexpr auto r = std::memory_order_relaxed;
        // Not in a room, and not for a reason already counted elsewhere.
        if (!c.inGame.load(r) && !c.connectFailed.load(r) && !c.dropped.load(r) &&
            c.refused.load(r) == 0)
            ++late;
    }
    return late;
}

int BotRunner::Run() {
    socket::RaiseFileLimit();
    const auto found = ServersOrOne(_options.servers, _options.host, _options.port);
    if (!found) return 2;
    const std::vector<NetAddress>& servers = *found;
    EngineOptions engine;
    engine.workers = _options.workers;
    engine.backend = _options.backend;
    auto core = IocpCore::CreateStarted(engine);
    if (!core) return 2;
    ServiceOptions serviceOptions;
    serviceOptions.idleTimeout = std::chrono::milliseconds::zero();  // bots in a quiet room stay
    serviceOptions.sendQueueLimit = 16 * 1024 * 1024;
    serviceOptions.transport = _options.transport;
    // Every bot has a ResumeLink: a dropped connection comes back by itself and resumes. The
    // factory hands over the session Connect queued (a bot's first, or a reconnect's).
    // A service per server; any of them may take any queued session (they are alike).
    std::vector<std::shared_ptr<ClientService>> services;
    for (const NetAddress& server : servers) {
        services.push_back(ClientService::Create(
            core, server,
            [this]() -> SessionRef {
                std::lock_guard guard(_lock);
                if (_pending.empty()) return nullptr;
                auto session = std::move(_pending.front());
                _pending.pop_front();
                return session;
            },
            serviceOptions));
    }
    std::vector<std::weak_ptr<ClientService>> weakServices(services.begin(), services.end());
    std::size_t started = 0;
    for (std::size_t i = 0; i < _options.bots; ++i) {
        auto bot = std::make_shared<Bot>(i, _shared);
        ResumeOptions linkOptions;
        linkOptions.servers = services.size();
        // Across the rooms too: bot i is in room i % rooms, so its node is (i / rooms) % n,
        // and every room has members on every node.
        linkOptions.firstServer = (i / std::max<std::size_t>(_shared->rooms, 1)) % services.size();
        auto link = std::make_shared<ResumeLink>(
            core->GetScheduler(),
            [this, bot, weakServices](const std::shared_ptr<ResumeLink>& self) {
                const auto owner = weakServices[self->Server()].lock();
                return owner && Connect(*owner, std::make_shared<ServerSession>(bot, self));
            },
            linkOptions);
        {
            std::lock_guard guard(_lock);
            _bots.push_back(bot);
            _links.push_back(link);
        }
        started += Connect(*services[link->Server()], std::make_shared<ServerSession>(bot, link))
                       ? 1
                       : 0;
    }
    if (started < _options.bots)
        spdlog::error("only {} of {} connections could be started", started, _options.bots);

    // Progress once a second: through the join phase, then through `duration` seconds of load.
    const auto start = Clock::now();
    const auto joinDeadline = start + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(_options.joinTimeout));
    const auto packetsIn = [&services] {
        std::uint64_t sum = 0;
        for (const auto& service : services)
            sum += service->Counters().packetsIn.load(std::memory_order_relaxed);
        return sum;
    };
    const auto packetsOut = [&services] {
        std::uint64_t sum = 0;
        for (const auto& service : services)
            sum += service->Counters().sends.load(std::memory_order_relaxed);
        return sum;
    };
    std::uint64_t lastIn = 0, lastOut = 0;
    LatencyHistogram::Counts lastPings = _shared->pings.Snapshot();
    auto lastTick = start;
    bool joining = true;
    std::size_t timedOut = 0;
    Clock::time_point windowStart{}, windowEnd{};
    Totals atWindow;
    LatencyHistogram::Counts pingsAtWindow;
    double serverCpuAtWindow = 0, selfCpuAtWindow = 0;
    auto nextTick = start + std::chrono::seconds(1);

    for (;;) {
        const auto now = Clock::now();
        const Totals t = Sum();
        if (joining && (CountTimedOut() == 0 || now >= joinDeadline)) {
            joining = false;
            timedOut = CountTimedOut();
            if (timedOut > 0)
                spdlog::error("{} bots did not reach a room within {} s", timedOut,
                              _options.joinTimeout);
            windowStart = now;
            windowEnd = now + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(_options.duration));
            atWindow = t;
            pingsAtWindow = _shared->pings.Snapshot();
            if (_options.serverPid > 0) serverCpuAtWindow = ProcessCpuSeconds(_options.serverPid);
            selfCpuAtWindow = ProcessCpuSeconds(CurrentProcessId());
        }
        if (!joining && now >= windowEnd) break;
        if (now >= nextTick) {
            nextTick += std::chrono::seconds(1);
            const double seconds = std::chrono::duration<double>(now - lastTick).count();
            const std::uint64_t in = packetsIn();
            const std::uint64_t out = packetsOut();
            const auto pings = _shared->pings.Snapshot();
            const auto recent = LatencyHistogram::Since(pings, lastPings);
            _report.Add({std::chrono::duration<double>(now - start).count(),
                         static_cast<double>(t.connected), static_cast<double>(t.inGame),
                         static_cast<double>(in - lastIn) / seconds,
                         static_cast<double>(out - lastOut) / seconds,
                         Ms(LatencyHistogram::Percentile(recent, 0.50)),
                         Ms(LatencyHistogram::Percentile(recent, 0.99))});
            if (_options.progress) {
                std::printf(
                    "[%5.1fs] connected=%zu/%zu in_game=%zu pkts_in/s=%.0f pkts_out/s=%.0f "
                    "ping p50=%.2fms p99=%.2fms\n",
                    std::chrono::duration<double>(now - start).count(), t.connected, _options.bots,
                    t.inGame, static_cast<double>(in - lastIn) / seconds,
                    static_cast<double>(out - lastOut) / seconds,
                    Ms(LatencyHistogram::Percentile(recent, 0.50)),
                    Ms(LatencyHistogram::Percentile(recent, 0.99)));
                std::fflush(stdout);
            }
            lastIn = in;
            lastOut = out;
            lastPings = pings;
            lastTick = now;
        }
        const auto wake =
            joining ? std::min(nextTick, joinDeadline) : std::min(nextTick, windowEnd);
        std::this_thread::sleep_until(std::min(wake, Clock::now() + std::chrono::milliseconds(20)));
    }

    const double window = std::chrono::duration<double>(Clock::now() - windowStart).count();
    const Totals end = Sum();
    const auto pings = LatencyHistogram::Since(_shared->pings.Snapshot(), pingsAtWindow);
    const double serverCpu =
        _options.serverPid > 0 ? ProcessCpuSeconds(_options.serverPid) - serverCpuAtWindow : -1;
    const double selfCpu = ProcessCpuSeconds(CurrentProcessId()) - selfCpuAtWindow;
    _shared->stopping.store(true);
    if (services.size() > 1) PrintPerServer(servers, services);
    LeaveRooms();
    for (const auto& service : services) service->Stop();
    core->Stop();

    const double chatRate =
        static_cast<double>(end.chatsReceived - atWindow.chatsReceived) / window;
    std::printf(
        "summary: bots=%zu logged_in=%zu in_game=%zu chats_sent=%llu chat_recv=%llu "
        "moves_sent=%llu move_recv=%llu pings=%llu pongs=%llu ping_p50_ms=%.3f ping_p99_ms=%.3f "
        "refused=%llu dropped=%zu connect_failed=%zu timed_out=%zu window_s=%.2f "
        "chat_recv_per_s=%.0f client_cpu_s=%.2f server_cpu_s=%.2f drops=%llu resumes=%llu "
        "resumes_refused=%llu resent=%llu\n",
        _options.bots, end.loggedIn, end.inGame, static_cast<unsigned long long>(end.chatsSent),
        static_cast<unsigned long long>(end.chatsReceived),
        static_cast<unsigned long long>(end.movesSent),
        static_cast<unsigned long long>(end.movesReceived),
        static_cast<unsigned long long>(end.pingsSent), static_cast<unsigned long long>(end.pongs),
        Ms(LatencyHistogram::Percentile(pings, 0.50)),
        Ms(LatencyHistogram::Percentile(pings, 0.99)), static_cast<unsigned long long>(end.refused),
        end.dropped, end.connectFailed, timedOut, window, chatRate, selfCpu, serverCpu,
        static_cast<unsigned long long>(end.drops), static_cast<unsigned long long>(end.resumes),
        static_cast<unsigned long long>(end.resumesRefused),
        static_cast<unsigned long long>(end.resent));
    std::fflush(stdout);
    if (!WriteReports(end, timedOut, window, chatRate, selfCpu, serverCpu, pings)) return 1;
    const bool ok = end.refused == 0 && end.dropped == 0 && end.connectFailed == 0 &&
                    timedOut == 0 && started == _options.bots;
    return ok ? 0 : 1;
}

void BotRunner::LeaveRooms() {
    // A connection that just closes leaves its player in its room, away, for the server's
    // resume window: the bots say goodbye with C_LEAVE_GAME and wait for S_LEAVE_GAME.
    std::vector<std::shared_ptr<Bot>> waiting;
    {
        std::lock_guard guard(_lock);
        for (std::size_t i = 0; i < _bots.size(); ++i) {
            _links[i]->Stop();
            const auto session = _links[i]->Current();
            if (!session || !session->IsConnected() || !_bots[i]->Counters().inGame.load()) continue;
            session->SendPacket(Protocol::C_LEAVE_GAME{});
            waiting.push_back(_bots[i]);
        }
    }
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    for (const auto& bot : waiting) {
        while (!bot->Counters().left.load() && Clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void BotRunner::PrintPerServer(const std::vector<NetAddress>& servers,
                               const std::vector<std::shared_ptr<ClientService>>& services) {
    std::vector<std::size_t> inGame(servers.size(), 0);
    {
        std::lock_guard guard(_lock);
        for (std::size_t i = 0; i < _bots.size(); ++i) {
            if (_bots[i]->Counters().inGame.load(std::memory_order_relaxed))
                ++inGame[_links[i]->Server()];
        }
    }
    for (std::size_t i = 0; i < servers.size(); ++i) {
        const ServiceCounters& c = services[i]->Counters();
        std::printf("server %s: in_game=%zu connections=%llu pkts_in=%llu pkts_out=%llu\n",
                    servers[i].ToString().c_str(), inGame[i],
                    static_cast<unsigned long long>(c.accepted.load(std::memory_order_relaxed)),
                    static_cast<unsigned long long>(c.packetsIn.load(std::memory_order_relaxed)),
                    static_cast<unsigned long long>(c.sends.load(std::memory_order_relaxed)));
    }
    std::fflush(stdout);
}

bool BotRunner::Connect(ClientService& service, std::shared_ptr<ServerSession> session) {
    const ServerSession* raw = session.get();
    {
        std::lock_guard guard(_lock);
        _pending.push_back(std::move(session));
    }
    std::error_code error;
    if (service.Connect(error)) return true;
    // No socket, or the service refused it: take it back if the factory did not.
    std::lock_guard guard(_lock);
    std::erase_if(_pending, [raw](const auto& pending) { return pending.get() == raw; });
    return false;
}

bool BotRunner::WriteReports(const Totals& end, std::size_t timedOut, double window,
                             double chatRate, double selfCpu, double serverCpu,
                             const LatencyHistogram::Counts& pings) {
    if (_options.jsonPath.empty() && _options.reportPath.empty()) return true;
    _report.Set("bots", static_cast<double>(_options.bots));
    _report.Set("logged_in", static_cast<double>(end.loggedIn));
    _report.Set("in_game", static_cast<double>(end.inGame));
    _report.Set("chats_sent", static_cast<double>(end.chatsSent));
    _report.Set("chat_recv", static_cast<double>(end.chatsReceived));
    _report.Set("moves_sent", static_cast<double>(end.movesSent));
    _report.Set("move_recv", static_cast<double>(end.movesReceived));
    _report.Set("pings", static_cast<double>(end.pingsSent));
    _report.Set("pongs", static_cast<double>(end.pongs));
    _report.Set("ping_p50_ms", Ms(LatencyHistogram::Percentile(pings, 0.50)));
    _report.Set("ping_p99_ms", Ms(LatencyHistogram::Percentile(pings, 0.99)));
    _report.Set("refused", static_cast<double>(end.refused));
    _report.Set("dropped", static_cast<double>(end.dropped));
    _report.Set("connect_failed", static_cast<double>(end.connectFailed));
    _report.Set("timed_out", static_cast<double>(timedOut));
    _report.Set("window_s", window);
    _report.Set("chat_recv_per_s", chatRate);
    _report.Set("client_cpu_s", selfCpu);
    _report.Set("server_cpu_s", serverCpu);
    _report.Set("drops", static_cast<double>(end.drops));
    _report.Set("resumes", static_cast<double>(end.resumes));
    _report.Set("resumes_refused", static_cast<double>(end.resumesRefused));
    _report.Set("resent", static_cast<double>(end.resent));
    bool ok = true;
    if (!_options.jsonPath.empty()) ok = _report.WriteJson(_options.jsonPath) && ok;
    if (!_options.reportPath.empty()) ok = _report.WriteHtml(_options.reportPath) && ok;
    return ok;
}

}  // namespace tavern::client
