#include "core/Service.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "core/Listener.h"
#include "core/SocketUtils.h"
#include "core/Worker.h"

namespace tavern {

Service::Service(IocpCoreRef core, SessionFactory factory, ServiceOptions options)
    : _core(std::move(core)),
      _factory(std::move(factory)),
      _options(options),
      _counters(std::make_shared<ServiceCounters>()),
      _sendBudget(std::make_shared<SendBudget>(options.sendMemoryBudget)) {}

Service::~Service() = default;

std::size_t Service::SessionCount() const {
    std::lock_guard guard(_lock);
    return _sessions.size();
}

std::vector<SessionRef> Service::Sessions() const {
    std::lock_guard guard(_lock);
    std::vector<SessionRef> sessions;
    sessions.reserve(_sessions.size());
    for (const auto& [id, session] : _sessions) sessions.push_back(session);
    return sessions;
}

void Service::Broadcast(const SendBufferRef& buffer) {
    for (const SessionRef& session : Sessions()) session->Send(buffer);
}

bool Service::WaitForSessionCount(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock guard(_lock);
    return _changed.wait_for(guard, timeout, [&] { return _sessions.size() == count; });
}

bool Service::Stop(std::chrono::milliseconds timeout) {
    OnStop();
    for (const SessionRef& session : Sessions()) session->DisconnectGracefully("service stopping");
    if (WaitForSessionCount(0, timeout / 2)) return true;
    // Cut, each without a line of its own: a stop may leave thousands.
    const auto late = Sessions();
    for (const SessionRef& session : late)
        session->BeginClose("service stopping: queued sends not flushed in time", true, false);
    if (!late.empty())
        spdlog::warn("service: cut {} sessions whose queued sends were not flushed {} ms into the "
                     "stop", late.size(), (timeout / 2).count());
    const bool clean = WaitForSessionCount(0, timeout / 2);
    if (!clean)
        spdlog::warn("service: {} sessions still alive {} ms after stop", SessionCount(),
                     timeout.count());
    return clean;
}

void Service::TrackOnce() {
    if (_tracked.load(std::memory_order_relaxed) || _tracked.exchange(true)) return;
    _core->TrackService(weak_from_this());
}

SessionRef Service::AdoptSocket(SocketHandle socket, const NetAddress& peer, Worker& home) {
    TrackOnce();
    SessionRef session = _factory();
    if (!session) {
        socket::Close(socket);
        return nullptr;
    }
    if (_options.noDelay) socket::SetNoDelay(socket, true);
    if (_options.socketSendBuffer > 0) socket::SetSendBuffer(socket, _options.socketSendBuffer);
    session->Attach(shared_from_this(), socket, &home, peer);
    {
        std::lock_guard guard(_lock);
        _sessions.emplace(session->Id(), session);
    }
    _changed.notify_all();  // WaitForSessionCount may be waiting for the count to rise
    return session;
}

void Service::ReleaseSession(Session& session) {
    {
        std::lock_guard guard(_lock);
        _sessions.erase(session.Id());
    }
    _counters->closed.fetch_add(1, std::memory_order_relaxed);
    _changed.notify_all();
}

// --- ServerService -----------------------------------------------------------------------------

std::shared_ptr<ServerService> ServerService::Create(IocpCoreRef core, NetAddress address,
                                                     SessionFactory factory,
                                                     ServiceOptions options) {
    return std::make_shared<ServerService>(std::move(core), address, std::move(factory), options);
}

ServerService::ServerService(IocpCoreRef core, NetAddress address, SessionFactory factory,
                             ServiceOptions options)
    : Service(std::move(core), std::move(factory), options), _address(address) {}

ServerService::~ServerService() {
    if (_listener) _listener->Close();
}

std::error_code ServerService::Start() {
    auto self = std::static_pointer_cast<ServerService>(shared_from_this());
    _listener = std::make_shared<Listener>(self);
    if (auto error = _listener->Open(_address, Options().backlog)) {
        spdlog::error("server: cannot listen on {}: {}", _address.ToString(), error.message());
        _listener.reset();
        return error;
    }
    TrackOnce();
    _listener->StartAccept(Core().GetWorker(0));
    spdlog::info("server: listening on {}", _listener->LocalAddress().ToString());
    return {};
}

NetAddress ServerService::LocalAddress() const {
    return _listener ? _listener->LocalAddress() : _address;
}

void ServerService::OnStop() {
    if (!_listener) return;
    _listener->Close();
    // The close completes on the listener's worker; wait for it so that no operation of ours is
    // still pending when the engine stops.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!_listener->Closed() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void ServerService::OnAccepted(SocketHandle socket) {
    if (SessionCount() >= Options().maxSessions) {
        Counters().refused.fetch_add(1, std::memory_order_relaxed);
        socket::SetLinger(socket, true, 0);  // a reset, at once: the client knows to go away
        socket::Close(socket);
        return;
    }
    Counters().accepted.fetch_add(1, std::memory_order_relaxed);
    Worker& home = Core().PickWorker();
    if (SessionRef session = AdoptSocket(socket, socket::PeerAddress(socket), home))
        home.Post([session] { session->StartOnWorker(); });
}

// --- ClientService -----------------------------------------------------------------------------

std::shared_ptr<ClientService> ClientService::Create(IocpCoreRef core, NetAddress address,
                                                     SessionFactory factory,
                                                     ServiceOptions options) {
    return std::make_shared<ClientService>(std::move(core), address, std::move(factory), options);
}

ClientService::ClientService(IocpCoreRef core, NetAddress address, SessionFactory factory,
                             ServiceOptions options)
    : Service(std::move(core), std::move(factory), options), _address(address) {}

SessionRef ClientService::Connect(std::error_code& error) {
    SocketHandle socket = socket::CreateTcp(_address.Family(), error);
    if (error) {
        spdlog::warn("client: cannot create a socket: {}", error.message());
        return nullptr;
    }
    Worker& home = Core().PickWorker();
    SessionRef session = AdoptSocket(socket, _address, home);
    if (!session) return nullptr;
    home.Post([session] { session->StartConnectOnWorker(); });
    return session;
}

std::size_t ClientService::Connect(std::size_t count) {
    std::size_t started = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::error_code error;
        if (Connect(error)) ++started;
    }
    return started;
}

}  // namespace tavern
