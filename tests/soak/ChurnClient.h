#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/IocpCore.h"
#include "core/NetAddress.h"
#include "core/Service.h"
#include "tests/soak/ChurnBot.h"

namespace tavern::soak {

// The soak's client side: its own engine and one ClientService whose sessions are ChurnBots.
// It connects bots on demand (the run for each wave, a bot for its own reconnect) and keeps the
// residents, the bots that stay through the whole run, so it can tell them to leave.
class ChurnClient {
public:
    ChurnClient(NetAddress server, EngineOptions engine);
    ~ChurnClient();
    ChurnClient(const ChurnClient&) = delete;
    ChurnClient& operator=(const ChurnClient&) = delete;

    // Not from a worker.
    std::error_code Start();
    // Not from a worker; idempotent. Disconnects whoever is left and stops the engine.
    void Stop();

    // Safe from any thread: starts one connection that follows `plan`.
    void Connect(BotPlan plan);
    // Not from a worker: one resident per plan, kept until LeaveResidents.
    void ConnectResident(BotPlan plan);
    // Safe from any thread: every resident leaves cleanly (C_LEAVE_GAME, then close).
    void LeaveResidents();
    std::size_t Residents() const { return _residents.size(); }

    // Safe from any thread.
    ChurnTally& Tally() { return _shared->tally; }
    // The bots' shared state, which outlives this client while any bot still holds it.
    const std::shared_ptr<ChurnShared>& Shared() const { return _shared; }
    // Live sessions in the client service's registry (released only after OnDisconnected ran).
    std::size_t SessionCount() const { return _service->SessionCount(); }
    const ServiceCounters& Counters() const { return *_service->SharedCounters(); }
    BackendKind Backend() const { return _core->Backend(); }
    // Safe from any thread: a line per live client session (bot, stage, session state), for a
    // failure report; at most `limit` lines.
    std::string DescribeSessions(std::size_t limit) const;

private:
    SessionRef StartConnection(std::shared_ptr<ChurnBot> bot);

    IocpCoreRef _core;
    std::shared_ptr<ClientService> _service;
    const std::shared_ptr<ChurnShared> _shared = std::make_shared<ChurnShared>();
    // The factory hands the session being made its bot: set under _connectLock, around the
    // ClientService::Connect call that runs the factory on the same thread.
    std::mutex _connectLock;
    std::shared_ptr<ChurnBot> _next;
    std::vector<std::pair<SessionRef, std::shared_ptr<ChurnBot>>> _residents;  // main thread
    bool _stopped = false;
};

}  // namespace tavern::soak
