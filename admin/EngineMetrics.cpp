#include "admin/EngineMetrics.h"

#include <algorithm>
#include <array>
#include <ctime>

#include <pthread.h>

#include "admin/MetricFamilies.h"
#include "core/PacketMetrics.h"
#include "core/ProtocolError.h"

namespace tavern::admin {

namespace {

constexpr std::array<const char*, kProtocolErrorKinds> kErrorKinds = {
    "header_too_small", "packet_too_large", "unknown_packet_id", "malformed_payload",
    "truncated_packet", "handler_exception", "handler_rejected", "not_one_packet"};

double Load(const std::atomic<std::uint64_t>& counter) {
    return static_cast<double>(counter.load(std::memory_order_relaxed));
}

double Load(const StripedCounter& counter) {
    return static_cast<double>(counter.load());
}

// The CPU seconds a thread has run so far, or a negative number if it cannot be read.
double ThreadCpuSeconds(pthread_t thread) {
    clockid_t clock{};
    timespec time{};
    if (pthread_getcpuclockid(thread, &clock) != 0 || clock_gettime(clock, &time) != 0) return -1;
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_nsec) * 1e-9;
}

// The sum over workers of one slot, as plain numbers.
struct SlotSum {
    std::uint64_t packetsIn = 0, bytesIn = 0, packetsOut = 0, bytesOut = 0, handled = 0;
    std::uint64_t handlerNanos = 0;
    std::array<std::uint64_t, PacketMetrics::kBuckets> buckets{};
};

}  // namespace

EngineMetrics::EngineMetrics(IocpCoreRef core, std::shared_ptr<Service> service, PacketNamer names)
    : _core(std::move(core)), _service(std::move(service)), _names(std::move(names)) {}

void EngineMetrics::Collect(std::vector<prometheus::MetricFamily>& out) {
    CollectConnections(out);
    CollectPackets(out);
    CollectWorkers(out);
}

void EngineMetrics::CollectConnections(std::vector<prometheus::MetricFamily>& out) {
    const ServiceCounters& c = _service->Counters();
    auto sessions = GaugeFamily("tavern_sessions", "Live sessions (connections) of the service.");
    AddValue(sessions, static_cast<double>(_service->SessionCount()));
    out.push_back(std::move(sessions));

    auto accepted = CounterFamily("tavern_connections_accepted_total", "Connections accepted.");
    AddValue(accepted, Load(c.accepted));
    out.push_back(std::move(accepted));

    const double noFds = Load(c.refusedNoDescriptors);
    auto refused = CounterFamily("tavern_connections_refused_total",
                                 "Connections turned away at once, by reason.");
    AddValue(refused, Load(c.refused) - noFds, {{"reason", "max_sessions"}});
    AddValue(refused, noFds, {{"reason", "no_descriptors"}});
    out.push_back(std::move(refused));

    auto cut = CounterFamily("tavern_connections_cut_total",
                             "Sessions the server disconnected, by reason.");
    AddValue(cut, Load(c.sendCapExceeded), {{"reason", "send_queue_over_cap"}});
    AddValue(cut, Load(c.idleTimeouts), {{"reason", "idle_timeout"}});
    AddValue(cut, Load(c.rateLimited), {{"reason", "packet_rate"}});
    AddValue(cut, static_cast<double>(c.ProtocolErrorTotal()), {{"reason", "protocol_error"}});
    out.push_back(std::move(cut));

    auto closed = CounterFamily("tavern_connections_closed_total",
                                "Sessions ended and released, for any reason.");
    AddValue(closed, Load(c.closed));
    out.push_back(std::move(closed));

    auto errors = CounterFamily("tavern_protocol_errors_total", "Protocol errors, by kind.");
    for (std::size_t kind = 0; kind < kProtocolErrorKinds; ++kind)
        AddValue(errors, Load(c.protocolErrors[kind]), {{"kind", kErrorKinds[kind]}});
    out.push_back(std::move(errors));

    auto bytesIn = CounterFamily("tavern_network_received_bytes_total",
                                 "Bytes received on the service's sockets.");
    AddValue(bytesIn, Load(c.bytesIn));
    out.push_back(std::move(bytesIn));
    auto bytesOut = CounterFamily("tavern_network_sent_bytes_total",
                                  "Bytes sent on the service's sockets.");
    AddValue(bytesOut, Load(c.bytesOut));
    out.push_back(std::move(bytesOut));
}

std::string EngineMetrics::PacketLabel(std::size_t slot) const {
    if (slot == PacketMetrics::kIds) return "id_" + std::to_string(PacketMetrics::kIds) + "_or_more";
    std::string name = _names ? _names(static_cast<std::uint16_t>(slot)) : std::string();
    return name.empty() ? "id_" + std::to_string(slot) : name;
}

void EngineMetrics::CollectPackets(std::vector<prometheus::MetricFamily>& out) {
    std::vector<SlotSum> sums(PacketMetrics::kIds + 1);
    for (std::size_t w = 0; w < _core->WorkerCount(); ++w) {
        const PacketMetrics& metrics = _core->GetWorker(w).Packets();
        for (std::size_t i = 0; i <= PacketMetrics::kIds; ++i) {
            const PacketMetrics::Slot& slot = metrics.At(i);
            SlotSum& sum = sums[i];
            sum.packetsIn += slot.packetsIn.load(std::memory_order_relaxed);
            sum.bytesIn += slot.bytesIn.load(std::memory_order_relaxed);
            sum.packetsOut += slot.packetsOut.load(std::memory_order_relaxed);
            sum.bytesOut += slot.bytesOut.load(std::memory_order_relaxed);
            sum.handled += slot.handled.load(std::memory_order_relaxed);
            sum.handlerNanos += slot.handlerNanos.load(std::memory_order_relaxed);
            for (std::size_t b = 0; b < PacketMetrics::kBuckets; ++b)
                sum.buckets[b] += slot.buckets[b].load(std::memory_order_relaxed);
        }
    }
    auto packetsIn = CounterFamily("tavern_packets_received_total", "Packets received, by packet.");
    auto bytesIn = CounterFamily("tavern_packet_received_bytes_total",
                                 "Bytes of packets received (headers included), by packet.");
    auto packetsOut = CounterFamily("tavern_packets_sent_total",
                                    "Packets queued for sending, one per recipient, by packet.");
    auto bytesOut = CounterFamily("tavern_packet_sent_bytes_total",
                                  "Bytes of packets queued for sending (headers included), by packet.");
    auto handler = HistogramFamily("tavern_handler_duration_seconds",
                                   "Time to parse and handle one received packet, by packet.");
    for (std::size_t i = 0; i <= PacketMetrics::kIds; ++i) {
        const SlotSum& sum = sums[i];
        if (sum.packetsIn == 0 && sum.packetsOut == 0 && sum.handled == 0) continue;
        const Labels labels{{"packet", PacketLabel(i)}};
        if (sum.packetsIn != 0 || sum.handled != 0) {
            AddValue(packetsIn, static_cast<double>(sum.packetsIn), labels);
            AddValue(bytesIn, static_cast<double>(sum.bytesIn), labels);
            std::vector<std::pair<double, std::uint64_t>> buckets;
            std::uint64_t cumulative = 0;
            for (std::size_t b = 0; b < PacketMetrics::kBucketNanos.size(); ++b) {
                cumulative += sum.buckets[b];
                buckets.emplace_back(static_cast<double>(PacketMetrics::kBucketNanos[b]) * 1e-9,
                                     cumulative);
            }
            cumulative += sum.buckets.back();
            AddHistogram(handler, labels, buckets, cumulative,
                         static_cast<double>(sum.handlerNanos) * 1e-9);
        }
        if (sum.packetsOut != 0) {
            AddValue(packetsOut, static_cast<double>(sum.packetsOut), labels);
            AddValue(bytesOut, static_cast<double>(sum.bytesOut), labels);
        }
    }
    out.push_back(std::move(packetsIn));
    out.push_back(std::move(bytesIn));
    out.push_back(std::move(packetsOut));
    out.push_back(std::move(bytesOut));
    out.push_back(std::move(handler));
}

void EngineMetrics::CollectWorkers(std::vector<prometheus::MetricFamily>& out) {
    Scheduler& scheduler = *_core->GetScheduler();
    auto global = GaugeFamily("tavern_global_queue_length",
                              "Actors waiting in the GlobalQueue for a worker (approximate).");
    AddValue(global, static_cast<double>(scheduler.Global().SizeApprox()));
    out.push_back(std::move(global));
    auto timers = GaugeFamily("tavern_timers_pending", "Timers scheduled and not yet fired.");
    AddValue(timers, static_cast<double>(scheduler.Timer().Size()));
    out.push_back(std::move(timers));
    auto overload = CounterFamily(
        "tavern_actor_overload_warnings_total",
        "Times an actor's mailbox was found over its warning length (at most 1/s per actor).");
    AddValue(overload, static_cast<double>(scheduler.OverloadWarnings()));
    out.push_back(std::move(overload));
    auto overloaded = GaugeFamily(
        "tavern_actors_overloaded",
        "Actors whose mailbox was at or over its warning length at their last look and has not "
        "drained since.");
    AddValue(overloaded, static_cast<double>(scheduler.OverloadedActors()));
    out.push_back(std::move(overloaded));

    auto cpu = CounterFamily("tavern_worker_cpu_seconds_total", "CPU time of each worker thread.");
    auto busy = GaugeFamily("tavern_worker_busy_ratio",
                            "Each worker's CPU time over wall time since the previous scrape.");
    const auto now = std::chrono::steady_clock::now();
    const double wall = std::chrono::duration<double>(now - _lastScrape).count();
    const bool first = _lastCpu.size() != _core->WorkerCount();
    if (first) _lastCpu.assign(_core->WorkerCount(), 0.0);
    if (_core->Running()) {
        for (std::size_t w = 0; w < _core->WorkerCount(); ++w) {
            const double seconds = ThreadCpuSeconds(_core->GetWorker(w).NativeHandle());
            if (seconds < 0) continue;
            const Labels labels{{"worker", std::to_string(w)}};
            AddValue(cpu, seconds, labels);
            const double ratio = first || wall <= 0 ? 0.0 : (seconds - _lastCpu[w]) / wall;
            AddValue(busy, std::clamp(ratio, 0.0, 1.0), labels);
            _lastCpu[w] = seconds;
        }
    }
    _lastScrape = now;
    out.push_back(std::move(cpu));
    out.push_back(std::move(busy));
}

}  // namespace tavern::admin
