#include "gameserver/GameAdmin.h"

#include <map>
#include <string>
#include <vector>

#include "ServerPackets.h"
#include "admin/EngineMetrics.h"
#include "admin/MetricFamilies.h"
#if TAVERN_WEBSOCKET
#include "core/ws/WebSocket.h"
#endif
#if TAVERN_GAME_ACCOUNTS
#include "gameserver/AccountService.h"
#endif
#if TAVERN_GAME_CLUSTER
#include "gameserver/ClusterNode.h"
#include "gameserver/RoomDirectory.h"
#endif

namespace tavern::game {

using admin::AddValue;
using admin::CounterFamily;
using admin::GaugeFamily;

#if TAVERN_WEBSOCKET
namespace {

// An atomic or a StripedCounter.
template <class Counter>
double Load(const Counter& counter) {
    return static_cast<double>(counter.load(std::memory_order_relaxed));
}

// The WebSocket listener: its HTTP answers and close codes, and the engine's counters of its
// sessions under their own names (the tavern_connections_* families are the TCP listener's).
void CollectWebSocket(GameServer& server, std::vector<prometheus::MetricFamily>& out) {
    const ws::WsCounters& w = server.WsTransport()->Counters();
    ServerService& service = *server.WsService();
    const ServiceCounters& c = service.Counters();
    auto sessions = GaugeFamily("tavern_websocket_sessions",
                                "Live connections of the WebSocket listener.");
    AddValue(sessions, static_cast<double>(service.SessionCount()));
    out.push_back(std::move(sessions));
    auto upgrades = CounterFamily("tavern_websocket_upgrades_total",
                                  "WebSocket handshakes completed (101).");
    AddValue(upgrades, Load(w.upgrades));
    out.push_back(std::move(upgrades));
    auto http = CounterFamily("tavern_websocket_http_responses_total",
                              "Plain HTTP answers of the WebSocket port, by status.");
    AddValue(http, Load(w.filesServed), {{"status", "200"}});
    AddValue(http, Load(w.badRequests), {{"status", "400"}});
    AddValue(http, Load(w.originRefused), {{"status", "403"}});
    AddValue(http, Load(w.notFound), {{"status", "404"}});
    AddValue(http, Load(w.badVersions), {{"status", "426"}});
    AddValue(http, Load(w.headersTooLarge), {{"status", "431"}});
    out.push_back(std::move(http));
    auto closes = CounterFamily("tavern_websocket_closes_total",
                                "WebSocket close handshakes, by who began it and why.");
    AddValue(closes, Load(w.peerCloses), {{"code", "peer"}});
    AddValue(closes, Load(w.protocolCloses), {{"code", "1002"}});
    AddValue(closes, Load(w.textCloses), {{"code", "1003"}});
    AddValue(closes, Load(w.tooBigCloses), {{"code", "1009"}});
    out.push_back(std::move(closes));
    auto cut = CounterFamily("tavern_websocket_connections_cut_total",
                             "WebSocket sessions the server disconnected, by reason.");
    AddValue(cut, Load(c.sendCapExceeded), {{"reason", "send_queue_over_cap"}});
    AddValue(cut, Load(c.idleTimeouts), {{"reason", "idle_timeout"}});
    AddValue(cut, Load(c.rateLimited), {{"reason", "packet_rate"}});
    AddValue(cut, static_cast<double>(c.ProtocolErrorTotal()), {{"reason", "protocol_error"}});
    out.push_back(std::move(cut));
    auto bytes = CounterFamily("tavern_websocket_network_bytes_total",
                               "Bytes on the WebSocket listener's sockets, by direction.");
    AddValue(bytes, Load(c.bytesIn), {{"direction", "received"}});
    AddValue(bytes, Load(c.bytesOut), {{"direction", "sent"}});
    out.push_back(std::move(bytes));
}

}  // namespace
#endif

namespace {

#if TAVERN_GAME_ACCOUNTS
// Logins by outcome, the store's call durations and the saves (accounts only).
void CollectStore(AccountService& accounts, std::vector<prometheus::MetricFamily>& out) {
    const StoreMetrics& metrics = accounts.Metrics();
    auto logins = CounterFamily("tavern_logins_total", "Password logins answered, by outcome.");
    for (std::size_t i = 0; i < StoreMetrics::kOutcomes; ++i) {
        AddValue(logins, static_cast<double>(metrics.Logins(i)),
                 {{"outcome", std::string(StoreMetrics::OutcomeName(i))}});
    }
    out.push_back(std::move(logins));
    auto calls = admin::HistogramFamily(
        "tavern_store_call_duration_seconds",
        "Time of the store's calls on its threads: a login (lookup, hash, saved state), a save "
        "(one batch).");
    for (const auto call : {StoreMetrics::Call::Login, StoreMetrics::Call::Save}) {
        const StoreMetrics::Durations d = metrics.Read(call);
        std::vector<std::pair<double, std::uint64_t>> buckets;
        for (std::size_t i = 0; i < StoreMetrics::kBounds.size(); ++i)
            buckets.emplace_back(StoreMetrics::kBounds[i], d.cumulative[i]);
        admin::AddHistogram(calls, {{"call", std::string(StoreMetrics::CallName(call))}}, buckets,
                            d.count, d.sumSeconds);
    }
    out.push_back(std::move(calls));
    auto saved = CounterFamily("tavern_player_states_saved_total", "Player states written.");
    AddValue(saved, static_cast<double>(accounts.Saves().SavedStates()));
    out.push_back(std::move(saved));
    auto failed = CounterFamily("tavern_save_failures_total",
                                "Save batches the store refused (retried with backoff).");
    AddValue(failed, static_cast<double>(accounts.Saves().FailedSaves()));
    out.push_back(std::move(failed));
    auto queued = GaugeFamily("tavern_store_queue_length", "Store calls waiting for a thread.");
    AddValue(queued, static_cast<double>(accounts.Executor().QueueLength()));
    out.push_back(std::move(queued));
}
#endif

#if TAVERN_GAME_CLUSTER
// The bus of a cluster node: its connections (the node's, and its rooms' own), and their traffic
// by subject pattern, summed (each connection counts its own patterns; "other" is summed too).
void CollectBus(const std::vector<bus::BusRef>& buses, std::vector<prometheus::MetricFamily>& out) {
    auto connected = GaugeFamily("tavern_bus_connected",
                                 "1 while the connections to NATS are up, 0 while one is away.");
    bool allUp = true;
    std::uint64_t disconnects = 0;
    std::uint64_t reconnects = 0;
    std::map<std::string, bus::BusMetrics::Series> bySubject;  // ordered: a stable scrape
    for (const bus::BusRef& bus : buses) {
        const bus::BusMetrics& metrics = bus->Metrics();
        allUp = allUp && bus->Connected();
        disconnects += metrics.Disconnects();
        reconnects += metrics.Reconnects();
        for (const bus::BusMetrics::Series& series : metrics.Read()) {
            bus::BusMetrics::Series& sum = bySubject[series.subject];
            sum.subject = series.subject;
            sum.sent += series.sent;
            sum.received += series.received;
            sum.replies += series.replies;
            for (std::size_t k = 0; k < bus::kRequestOutcomes; ++k)
                sum.requests[k] += series.requests[k];
        }
    }
    AddValue(connected, allUp ? 1 : 0);
    out.push_back(std::move(connected));
    auto events = CounterFamily("tavern_bus_connection_events_total",
                                "Losses of the connection to NATS, and reconnections.");
    AddValue(events, static_cast<double>(disconnects), {{"event", "disconnected"}});
    AddValue(events, static_cast<double>(reconnects), {{"event", "reconnected"}});
    out.push_back(std::move(events));
    auto sent = CounterFamily("tavern_bus_messages_sent_total",
                              "Messages published on the bus (requests included), by subject "
                              "pattern.");
    auto received = CounterFamily("tavern_bus_messages_received_total",
                                  "Messages delivered to this node's subscriptions, by subject "
                                  "pattern.");
    auto replies = CounterFamily("tavern_bus_replies_sent_total",
                                 "Replies to requests, by the request's subject pattern.");
    auto requests = CounterFamily("tavern_bus_requests_total",
                                  "Requests this node made, by subject pattern and outcome.");
    for (const auto& [subject, series] : bySubject) {
        AddValue(sent, static_cast<double>(series.sent), {{"subject", subject}});
        AddValue(received, static_cast<double>(series.received), {{"subject", subject}});
        AddValue(replies, static_cast<double>(series.replies), {{"subject", subject}});
        for (std::size_t k = 0; k < bus::kRequestOutcomes; ++k) {
            const auto outcome = static_cast<bus::RequestOutcome>(k);
            AddValue(requests, static_cast<double>(series.requests[k]),
                     {{"subject", subject},
                      {"outcome", std::string(bus::RequestOutcomeName(outcome))}});
        }
    }
    out.push_back(std::move(sent));
    out.push_back(std::move(received));
    out.push_back(std::move(replies));
    out.push_back(std::move(requests));
}
#endif

}  // namespace

std::unique_ptr<admin::AdminServer> StartGameAdmin(GameServer& server, admin::AdminOptions options,
                                                   std::error_code& error) {
    auto endpoint = std::make_unique<admin::AdminServer>(std::move(options));
    auto engine = std::make_shared<admin::EngineMetrics>(
        server.Core().shared_from_this(), server.Service().shared_from_this(),
        [](std::uint16_t id) {
            return std::string(Protocol::ToString(static_cast<Protocol::PacketId>(id)));
        });
    endpoint->AddCollector([engine](auto& out) { engine->Collect(out); });
    endpoint->AddCollector([&server](auto& out) {
        const GameStats stats = server.Stats();
        auto players = GaugeFamily("tavern_players", "Players logged in.");
        AddValue(players, static_cast<double>(stats.players));
        out.push_back(std::move(players));
        auto rooms = GaugeFamily("tavern_rooms", "Rooms (made on first entry, then kept).");
        AddValue(rooms, static_cast<double>(stats.rooms));
        out.push_back(std::move(rooms));
        auto members = GaugeFamily("tavern_room_members", "Players in a room, over all rooms.");
        AddValue(members, static_cast<double>(stats.inGame));
        out.push_back(std::move(members));
        auto delivered = CounterFamily("tavern_room_packets_delivered_total",
                                       "Packets rooms delivered, one per packet per recipient.");
        AddValue(delivered, static_cast<double>(stats.roomPacketsOut));
        out.push_back(std::move(delivered));
        // Seamless reconnect: players away (dropped, a resume may come) and how resumes ended.
        const ResumeRegistry& resumes = server.Resumes();
        auto away = GaugeFamily("tavern_players_away",
                                "Players whose connection dropped, kept in their room for a resume.");
        AddValue(away, static_cast<double>(resumes.AwayCount()));
        out.push_back(std::move(away));
        const ResumeCounters& c = resumes.Counters();
        auto outcomes = CounterFamily(
            "tavern_resumes_total",
            "Resumes by outcome: resumed, refused (unknown, used, forged or expired token), and "
            "away players that left for good (window_ended, overflowed).");
        AddValue(outcomes, static_cast<double>(c.resumed.load()), {{"outcome", "resumed"}});
        AddValue(outcomes, static_cast<double>(c.refused.load()), {{"outcome", "refused"}});
        AddValue(outcomes, static_cast<double>(c.windowEnded.load()), {{"outcome", "window_ended"}});
        AddValue(outcomes, static_cast<double>(c.overflowed.load()), {{"outcome", "overflowed"}});
        out.push_back(std::move(outcomes));
    });
#if TAVERN_WEBSOCKET
    if (server.WsService() != nullptr) {
        endpoint->AddCollector([&server](auto& out) { CollectWebSocket(server, out); });
    }
#endif
#if TAVERN_GAME_ACCOUNTS
    if (AccountService* accounts = server.Accounts()) {
        endpoint->AddCollector([accounts](auto& out) { CollectStore(*accounts, out); });
    }
#endif
#if TAVERN_GAME_CLUSTER
    if (auto* node = dynamic_cast<ClusterNode*>(server.Cluster()); node && node->Connection()) {
        std::vector<bus::BusRef> buses{node->Connection()};
        if (RoomDirectory* rooms = server.ClusterRooms(); rooms && rooms->Connection())
            buses.push_back(rooms->Connection());
        endpoint->AddCollector([buses](auto& out) { CollectBus(buses, out); });
    }
#endif
    error = endpoint->Start();
    if (error) return nullptr;
    return endpoint;
}

}  // namespace tavern::game
