#include "tests/soak/ChurnClient.h"

#include <spdlog/spdlog.h>

#include "client/ServerSession.h"

namespace tavern::soak {

ChurnClient::ChurnClient(NetAddress server, EngineOptions engine)
    : _core(IocpCore::Create(std::move(engine))) {
    ServiceOptions options;
    options.idleTimeout = std::chrono::milliseconds::zero();  // the bots decide when to go
    _service = ClientService::Create(
        _core, server,
        [this]() -> SessionRef {
            if (!_next) return nullptr;
            return std::make_shared<client::ServerSession>(std::move(_next));
        },
        options);
    _shared->connect = [this](BotPlan plan) { Connect(std::move(plan)); };
}

ChurnClient::~ChurnClient() {
    Stop();
}

std::error_code ChurnClient::Start() {
    return _core->Start();
}

void ChurnClient::Stop() {
    if (_stopped) return;
    _stopped = true;
    _shared->stopping.store(true);
    _service->Stop();
    _residents.clear();
    _core->Stop();
    _shared->connect = nullptr;
}

SessionRef ChurnClient::StartConnection(std::shared_ptr<ChurnBot> bot) {
    ChurnTally& tally = _shared->tally;
    tally.opened.fetch_add(1, std::memory_order_relaxed);
    tally.outstanding.fetch_add(1, std::memory_order_relaxed);
    std::error_code error;
    SessionRef session;
    {
        std::lock_guard guard(_connectLock);
        _next = std::move(bot);
        session = _service->Connect(error);
        _next.reset();
    }
    if (!session) {
        tally.connectFailed.fetch_add(1, std::memory_order_relaxed);
        tally.outstanding.fetch_sub(1, std::memory_order_relaxed);
        spdlog::warn("soak: cannot start a connection: {}", error.message());
    }
    return session;
}

void ChurnClient::Connect(BotPlan plan) {
    StartConnection(std::make_shared<ChurnBot>(std::move(plan), _shared));
}

void ChurnClient::ConnectResident(BotPlan plan) {
    plan.exit = Exit::Resident;
    auto bot = std::make_shared<ChurnBot>(std::move(plan), _shared);
    if (SessionRef session = StartConnection(bot)) _residents.emplace_back(session, bot);
}

void ChurnClient::LeaveResidents() {
    for (const auto& [session, bot] : _residents) {
        auto* server = static_cast<client::ServerSession*>(session.get());
        session->DoAsync([server, bot = bot] { bot->LeaveNow(*server); });
    }
}

std::string ChurnClient::DescribeSessions(std::size_t limit) const {
    std::string lines;
    std::size_t shown = 0;
    for (const SessionRef& session : _service->Sessions()) {
        if (shown++ == limit) break;
        const auto& server = static_cast<const client::ServerSession&>(*session);
        const auto& bot = static_cast<const ChurnBot&>(server.Listener());
        lines += "  session " + std::to_string(session->Id()) + ": " + bot.Describe() +
                 (session->IsConnected() ? "; connected" : "; closing: ") +
                 (session->IsConnected() ? "" : session->DisconnectReason()) + "\n";
    }
    return lines;
}

}  // namespace tavern::soak
