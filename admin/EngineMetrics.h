#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "core/IocpCore.h"
#include "core/Service.h"

namespace tavern::admin {

// A packet's name for the `packet` label ("C_CHAT"); empty when the id names no packet.
using PacketNamer = std::function<std::string(std::uint16_t id)>;

// The engine's families, read at scrape time: connections and sessions of one service, packets,
// bytes and handler time by packet name (summed over the workers' PacketMetrics; the service
// needs ServiceOptions::packetMetrics), protocol errors by kind, the GlobalQueue's length,
// pending timers, overload warnings, and each worker's CPU time and busy ratio.
class EngineMetrics {
public:
    EngineMetrics(IocpCoreRef core, std::shared_ptr<Service> service, PacketNamer names);

    // On a scrape (AdminServer serializes them). Appends the families to `out`. Reads the
    // workers' clocks only while the engine runs.
    void Collect(std::vector<prometheus::MetricFamily>& out);

private:
    void CollectConnections(std::vector<prometheus::MetricFamily>& out);
    void CollectPackets(std::vector<prometheus::MetricFamily>& out);
    void CollectWorkers(std::vector<prometheus::MetricFamily>& out);
    std::string PacketLabel(std::size_t slot) const;

    IocpCoreRef _core;
    std::shared_ptr<Service> _service;
    PacketNamer _names;
    // Per worker, the CPU time and the wall time at the previous scrape (for the busy ratio).
    std::vector<double> _lastCpu;
    std::chrono::steady_clock::time_point _lastScrape{};
};

}  // namespace tavern::admin
