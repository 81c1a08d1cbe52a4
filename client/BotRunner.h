#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/Bot.h"
#include "client/BotReport.h"
#include "client/ResumeLink.h"
#include "client/ServerSession.h"
#include "client/LatencyHistogram.h"
#include "core/Backend.h"
#include "core/NetAddress.h"
#include "core/Transport.h"

namespace tavern {
class ClientService;
}

namespace tavern::client {

struct BotRunOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 7777;
    // Several nodes of one world (--servers): bot i starts on servers[(i / rooms) % n] (so
    // every room has members on every node) and moves to the next when its node cannot be
    // reached. Empty: host and port.
    std::vector<NetAddress> servers;
    std::shared_ptr<const TransportFactory> transport;  // nullptr: TCP; else WebSocket, say
    std::size_t workers = 0;  // 0: one per hardware thread
    BackendKind backend = BackendKind::Auto;
    std::size_t bots = 10;
    double duration = 10;     // seconds of load once the bots are in (or late)
    double joinTimeout = 10;  // seconds for every bot to reach a room
    int serverPid = 0;        // > 0: report that process's CPU over the window
    bool progress = true;     // a progress line every second
    std::string jsonPath;     // non-empty: write the summary and the samples as JSON there
    std::string reportPath;   // non-empty: write an HTML page with the run's plots there
};

// The bot mode of test_client: connects the bots, prints a progress line every second while
// they play, then a summary. Run() returns the exit status: 0 only if every bot got in and
// none was refused, dropped or timed out.
//
//   [  2.0s] connected=20/20 in_game=20 pkts_in/s=4210 pkts_out/s=61 ping p50=0.18ms p99=0.52ms
//   summary: bots=20 logged_in=20 in_game=20 chats_sent=100 chat_recv=1000 ... timed_out=0
class BotRunner {
public:
    BotRunner(BotRunOptions options, std::shared_ptr<BotShared> shared);

    // Not from a worker: runs the whole load and returns the exit status.
    int Run();

private:
    struct Totals;
    Totals Sum() const;
    // Run's thread, at the end: every bot in a room leaves it (C_LEAVE_GAME), at most 2 s.
    void LeaveRooms();
    // Run's thread: a line per server (with --servers): bots in game there, its counters.
    void PrintPerServer(const std::vector<NetAddress>& servers,
                        const std::vector<std::shared_ptr<ClientService>>& services);
    // Any thread: connects `session` through `service` (the factory hands it over).
    bool Connect(ClientService& service, std::shared_ptr<ServerSession> session);
    // Bots not in a room that were neither refused, dropped nor unable to connect.
    std::size_t CountTimedOut() const;
    // After the run: --json / --report, if asked for. False if a file could not be written.
    bool WriteReports(const Totals& end, std::size_t timedOut, double window, double chatRate,
                      double selfCpu, double serverCpu, const LatencyHistogram::Counts& pings);

    const BotRunOptions _options;
    const std::shared_ptr<BotShared> _shared;
    mutable std::mutex _lock;
    std::vector<std::shared_ptr<Bot>> _bots;  // under _lock: Run adds, Sum reads
    std::vector<std::shared_ptr<ResumeLink>> _links;  // under _lock: one per bot
    std::deque<std::shared_ptr<ServerSession>> _pending;  // under _lock: the factory's next
    BotReport _report;                        // Run's thread only
};

}  // namespace tavern::client
