#include "gameserver/StatsReporter.h"

#include <cstdio>

namespace tavern::game {

std::string StatsReporter::Line(const GameStats& stats, Clock::time_point now) {
    const double seconds = _first ? 0.0 : std::chrono::duration<double>(now - _lastTime).count();
    const auto rate = [seconds](std::uint64_t current, std::uint64_t before) {
        return seconds > 0 ? static_cast<double>(current - before) / seconds : 0.0;
    };
    char line[256];
    std::snprintf(line, sizeof(line),
                  "stats: sessions=%zu players=%zu in_game=%zu rooms=%zu pkts_in/s=%.0f "
                  "sends/s=%.0f room_pkts_out/s=%.0f protocol_errors=%llu send_cap_cut=%llu",
                  stats.sessions, stats.players, stats.inGame, stats.rooms,
                  rate(stats.packetsIn, _last.packetsIn), rate(stats.sends, _last.sends),
                  rate(stats.roomPacketsOut, _last.roomPacketsOut),
                  static_cast<unsigned long long>(stats.protocolErrors),
                  static_cast<unsigned long long>(stats.sendCapExceeded));
    _last = stats;
    _lastTime = now;
    _first = false;
    return line;
}

}  // namespace tavern::game
