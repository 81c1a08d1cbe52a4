#pragma once

#include <cstdint>
#include <functional>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/IocpCore.h"
#include "core/NetAddress.h"
#include "core/Service.h"
#include "gameserver/ClusterOptions.h"
#include "gameserver/GameContext.h"
#include "gameserver/GameLimits.h"
#include "gameserver/PersistenceOptions.h"
#include "gameserver/ResumeRegistry.h"

namespace tavern::ws {
class WsServerFactory;
}

namespace tavern::game {

class RoomDirectory;

struct GameServerOptions {
    NetAddress address = NetAddress::Any(7777);
    EngineOptions engine;  // used only when the server makes its own engine
    ServiceOptions service = [] {
        ServiceOptions options;
        options.maxPacketSize = 1024;  // clients send small packets: chat <= 512 bytes + header
        // A player sends a few packets a second (the demo's bots: chat, moves and a ping, about
        // 20 at most); a client sending more than 200 a second is broken or hostile and is cut.
        options.maxPacketsPerSecond = 200;
        return options;
    }();
    GameLimits limits;
    PersistenceOptions persistence;  // no dbUrl: no accounts, nothing saved
    ClusterOptions cluster;          // no natsUrl: this process alone
    // A second listener, for WebSocket players (one packet per binary message) and the browser
    // page over plain HTTP; the same sessions, rooms and limits as TCP. Builds with core/ws.
    std::optional<NetAddress> wsAddress;
    std::filesystem::path webRoot;  // the page's folder (GET / is its index.html)
    // Pages (origins) allowed to upgrade beside the listener's own host; "*" for any.
    std::vector<std::string> wsOrigins;
};

// A snapshot of the server's counters; every field is a running total or a current count.
struct GameStats {
    std::size_t sessions = 0;  // live game sessions
    std::size_t players = 0;   // logged in
    std::size_t inGame = 0;    // in a room
    std::size_t rooms = 0;
    std::uint64_t accepted = 0;  // connections accepted so far
    std::uint64_t packetsIn = 0;
    std::uint64_t sends = 0;           // buffers queued for sending (a tick's batch is one)
    std::uint64_t roomPacketsOut = 0;  // packets rooms delivered, one per packet per recipient
    std::uint64_t protocolErrors = 0;
    std::uint64_t sendCapExceeded = 0;
};

// The demo game server: owns the engine (or shares one it was given), the listening service,
// the rooms and the session manager. No globals: two GameServers in one process are
// independent. Stop() (or the destructor) ends everything it started.
class GameServer {
public:
    // `core`: an engine that is already started and that the server shares (tests); nullptr
    // makes one from options.engine, started by Start and stopped by Stop. With a dbUrl, opens
    // the database: throws std::runtime_error (a one-line message) if it cannot.
    explicit GameServer(GameServerOptions options, IocpCoreRef core = nullptr);
    ~GameServer();
    GameServer(const GameServer&) = delete;
    GameServer& operator=(const GameServer&) = delete;

    // Not from a worker. Starts the engine (if owned) and listens.
    std::error_code Start();
    // Not from a worker; idempotent. Disconnects every session, waits until they are released
    // and their players have left their rooms, writes the pending saves, then stops the engine
    // (if owned).
    void Stop();

    // Safe from any thread.
    NetAddress LocalAddress() const;
    // Safe from any thread: the WebSocket listener's address (port 0 resolved), if it has one.
    std::optional<NetAddress> WsLocalAddress() const;
    // The WebSocket listener and its transport's counters; nullptr without --ws-port.
    ServerService* WsService() { return _wsService.get(); }
    const ws::WsServerFactory* WsTransport() const { return _wsFactory.get(); }
    GameStats Stats() const;
    IocpCore& Core() { return *_core; }
    ServerService& Service() { return *_service; }
    SessionManager& Sessions() { return *_context->sessions; }
    RoomManager& Rooms() { return *_context->rooms; }
    PlayerDirectory& Directory() { return *_context->directory; }
    ResumeRegistry& Resumes() { return *_context->resumes; }
    const ResumeRegistry& Resumes() const { return *_context->resumes; }
    // Null without a database.
    AccountService* Accounts() { return _context->accounts.get(); }
    // Null without a cluster (--nats).
    ClusterLink* Cluster() { return _context->cluster.get(); }
    // Null without a cluster: the rooms shared with the other nodes (their own bus connection).
    RoomDirectory* ClusterRooms() { return _clusterRooms.get(); }

private:
    // From the constructor: joins the cluster (throws std::runtime_error, one line).
    void StartCluster(const std::shared_ptr<GameContext>& context);

    GameServerOptions _options;
    IocpCoreRef _core;
    bool _ownsCore = false;
    std::shared_ptr<const GameContext> _context;
    std::shared_ptr<ServerService> _service;
    std::function<void()> _stopCluster;  // empty without a cluster
    std::shared_ptr<RoomDirectory> _clusterRooms;
    std::shared_ptr<ServerService> _wsService;
    std::shared_ptr<const ws::WsServerFactory> _wsFactory;
    bool _started = false;
    bool _stopped = false;
};

}  // namespace tavern::game
