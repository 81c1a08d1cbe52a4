#pragma once

#include <string>

#include "gameserver/GameServer.h"
#include "jobs/Clock.h"

namespace tavern::game {

// Turns successive GameStats snapshots into one line each, with rates from the deltas:
//   stats: sessions=20 players=20 in_game=20 rooms=2 pkts_in/s=100 sends/s=520
//          room_pkts_out/s=780 protocol_errors=0 send_cap_cut=0
// pkts_in and sends come from the service's counters (a send is one buffer queued, and a room's
// broadcast tick sends its packets as one buffer); room_pkts_out counts every packet a room
// delivered, once per recipient.
// Not thread-safe: one reporter per thread that prints.
class StatsReporter {
public:
    std::string Line(const GameStats& stats, Clock::time_point now = Clock::now());

private:
    GameStats _last;
    Clock::time_point _lastTime{};
    bool _first = true;
};

}  // namespace tavern::game
