#include "gameserver/GameServer.h"

#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "gameserver/GameSession.h"
#include "gameserver/LimitCheck.h"
#include "gameserver/ResumeRegistry.h"
#if TAVERN_WEBSOCKET
#include "core/ws/WebSocket.h"
#endif
#if TAVERN_GAME_ACCOUNTS
#include "gameserver/AccountService.h"
#endif
#if TAVERN_GAME_CLUSTER
#include "gameserver/ClusterNode.h"
#include "gameserver/ClusterRoom.h"
#include "gameserver/RoomDirectory.h"
#endif
#if TAVERN_GAME_CLUSTER && TAVERN_GAME_ACCOUNTS
#include "gameserver/KickRelay.h"
#endif

namespace tavern::game {

GameServer::GameServer(GameServerOptions options, IocpCoreRef core)
    : _options(std::move(options)), _core(std::move(core)) {
    // Every node of a cluster must see every account and saved state: one PostgreSQL, not a
    // file per node. Refused before anything is opened.
    if (!_options.cluster.natsUrl.empty() && _options.persistence.dbUrl.rfind("postgres", 0) != 0) {
        throw std::runtime_error(
            "a cluster (--nats) needs the shared PostgreSQL store (--db postgresql://...), not " +
            std::string(_options.persistence.dbUrl.empty() ? "no database" : "SQLite"));
    }
    if (!_core) {
        _core = IocpCore::Create(_options.engine);
        _ownsCore = true;
    }
    auto context = std::make_shared<GameContext>();
    context->limits = _options.limits;
    context->sessions = std::make_shared<SessionManager>();
    context->rooms = std::make_shared<RoomManager>(_core->GetScheduler(), _options.limits);
    context->directory = std::make_shared<PlayerDirectory>();
    context->resumes = std::make_shared<ResumeRegistry>(
        _core->GetScheduler(),
        std::chrono::duration_cast<Clock::duration>(_options.limits.resumeWindow),
        context->sessions);
    if (!_options.persistence.dbUrl.empty()) {
#if TAVERN_GAME_ACCOUNTS
        context->accounts =
            std::make_shared<AccountService>(_options.persistence, _core->GetScheduler());
        context->saves = context->accounts->SavesRef();
#else
        throw std::runtime_error("this build has no database support (--db)");
#endif
    }
    if (!_options.cluster.natsUrl.empty()) StartCluster(context);
    _context = std::move(context);
    _service = ServerService::Create(
        _core, _options.address,
        [context = _context] { return std::make_shared<GameSession>(context); }, _options.service);
    if (_options.wsAddress) {
#if TAVERN_WEBSOCKET
        _wsFactory = std::make_shared<ws::WsServerFactory>(
            ws::WsServerOptions{.webRoot = _options.webRoot, .allowedOrigins = _options.wsOrigins});
        ServiceOptions wsOptions = _options.service;
        wsOptions.transport = _wsFactory;
        _wsService = ServerService::Create(
            _core, *_options.wsAddress,
            [context = _context] { return std::make_shared<GameSession>(context); }, wsOptions);
#else
        throw std::runtime_error("this build has no WebSocket support (--ws-port)");
#endif
    }
}

GameServer::~GameServer() {
    Stop();
}

void GameServer::StartCluster(const std::shared_ptr<GameContext>& context) {
#if TAVERN_GAME_CLUSTER
    auto node = ClusterNode::Start(_core->GetScheduler(), _options.cluster, context->sessions);
    context->sessions->SetPresence(node);
    context->cluster = node;
    // Rooms shared by the nodes: each room claims its lease and finds its owner (ClusterRoom).
    auto rooms = RoomDirectory::Start(_core->GetScheduler(), _options.cluster);
    _clusterRooms = rooms;
    context->rooms->SetLinkMaker([rooms](Room& room) -> std::unique_ptr<RoomLink> {
        return std::make_unique<ClusterRoom>(room, rooms);
    });
#if TAVERN_GAME_ACCOUNTS
    // A cluster always has the shared store (checked above): logins across nodes take over.
    auto kicks = KickRelay::Start(_core->GetScheduler(), node, context);
    context->takeover = kicks;
    _stopCluster = [node, rooms, kicks] {
        kicks->Stop();
        rooms->Stop();
        node->Stop();
    };
#else
    _stopCluster = [node, rooms] {
        rooms->Stop();
        node->Stop();
    };
#endif
#else
    static_cast<void>(context);
    throw std::runtime_error("this build has no cluster support (--nats)");
#endif
}

std::error_code GameServer::Start() {
    if (const std::string problem = CheckLimits(_options.service, _options.limits);
        !problem.empty()) {
        spdlog::error("gameserver: the limits do not fit together: {}", problem);
        return std::make_error_code(std::errc::invalid_argument);
    }
    if (_ownsCore) {
        if (auto error = _core->Start()) {
            spdlog::error("gameserver: cannot start the engine: {}", error.message());
            return error;
        }
    }
    if (auto error = _service->Start()) return error;
    if (_wsService) {
        if (auto error = _wsService->Start()) return error;
    }
#if TAVERN_GAME_ACCOUNTS
    if (_context->accounts) _context->accounts->Start();
#endif
    _started = true;
    return {};
}

void GameServer::Stop() {
    if (_stopped) return;
    _stopped = true;
    if (_started) {
        _context->resumes->Stop();  // nobody goes away from here on; the away players leave
        if (_wsService) _wsService->Stop();
        _service->Stop();
        // The sessions' last jobs asked their rooms to let their players go; let the rooms
        // finish, so that the counts end at zero before the engine drops what is left.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (Rooms().PlayersInGame() > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (_stopCluster) _stopCluster();
#if TAVERN_GAME_ACCOUNTS
    if (_context->accounts) _context->accounts->Stop();  // the last saves, then the executor
#endif
    if (_ownsCore) _core->Stop();
}

NetAddress GameServer::LocalAddress() const {
    return _service->LocalAddress();
}

std::optional<NetAddress> GameServer::WsLocalAddress() const {
    if (!_wsService) return std::nullopt;
    return _wsService->LocalAddress();
}

GameStats GameServer::Stats() const {
    GameStats stats;
    stats.sessions = _context->sessions->SessionCount();
    stats.players = _context->sessions->PlayerCount();
    stats.inGame = _context->rooms->PlayersInGame();
    stats.rooms = _context->rooms->RoomCount();
    stats.roomPacketsOut = _context->rooms->PacketsOut();
    // TCP and WebSocket sessions together: the same game either way.
    for (const auto* service : {_service.get(), _wsService.get()}) {
        if (service == nullptr) continue;
        const ServiceCounters& counters = *service->SharedCounters();
        stats.accepted += counters.accepted.load(std::memory_order_relaxed);
        stats.packetsIn += counters.packetsIn.load(std::memory_order_relaxed);
        stats.sends += counters.sends.load(std::memory_order_relaxed);
        stats.protocolErrors += counters.ProtocolErrorTotal();
        stats.sendCapExceeded += counters.sendCapExceeded.load(std::memory_order_relaxed);
    }
    return stats;
}

}  // namespace tavern::game
