#include "core/SendBudget.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/Service.h"

namespace tavern {

void SendBudget::Add(std::size_t bytes) {
    const std::size_t now = _charged.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    std::size_t peak = _peak.load(std::memory_order_relaxed);
    while (now > peak && !_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
}

void SendBudget::Enforce(Service& service) {
    if (!Over()) return;
    const Clock::rep now = Clock::now().time_since_epoch().count();
    const Clock::rep period =
        std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(1)).count();
    if (now - _lastEnforced.load(std::memory_order_relaxed) < period) return;
    if (_enforcing.exchange(true, std::memory_order_acquire)) return;
    _lastEnforced.store(now, std::memory_order_relaxed);

    std::vector<std::pair<std::size_t, SessionRef>> held;
    for (SessionRef& session : service.Sessions()) {
        const std::size_t bytes = session->QueuedSendBytes();
        if (bytes > 0) held.emplace_back(bytes, std::move(session));
    }
    std::sort(held.begin(), held.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    const std::size_t charged = ChargedBytes();
    std::size_t excess = charged > _limit ? charged - _limit : 0;
    std::size_t cut = 0;
    for (auto& [bytes, session] : held) {
        if (excess == 0) break;
        excess -= std::min(excess, bytes);
        if (!session->IsConnected()) continue;  // already going: its queue is freed at the close
        ++cut;
        service.Counters().sendBudgetCuts.fetch_add(1, std::memory_order_relaxed);
        session->Cut("send memory over the server's budget of " + std::to_string(_limit) +
                            " bytes; this session held " + std::to_string(bytes));
    }
    if (cut > 0)
        spdlog::warn("service: send memory {} bytes over the budget of {}; cut {} sessions "
                     "holding the most",
                     charged, _limit, cut);
    _enforcing.store(false, std::memory_order_release);
}

}  // namespace tavern
