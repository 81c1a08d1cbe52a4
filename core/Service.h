#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <concepts>
#include <memory>
#include <mutex>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "core/IocpCore.h"
#include "core/LogThrottle.h"
#include "core/NetAddress.h"
#include "core/SendBudget.h"
#include "core/ServiceCounters.h"
#include "core/Session.h"

namespace tavern {

class Listener;
class TransportFactory;

// Makes the session object for a new connection (a GameSession, an EchoSession, ...).
using SessionFactory = std::function<SessionRef()>;

struct ServiceOptions {
    std::size_t sendQueueLimit = 4 * 1024 * 1024;  // queued send bytes before a cut
    // Send memory of all the service's queues together (SendBudget: the blocks they pin, each
    // counted once); past it the sessions holding the most are cut. 0: no limit. The default
    // leaves most of a 1 GiB machine to the rest of the server.
    std::size_t sendMemoryBudget = 256 * 1024 * 1024;
    std::size_t maxPacketSize = 0xFFFF;            // PacketSession: the largest size field allowed
    std::size_t maxSessions = 100000;              // more are refused at once (a reset), not queued
    // A raw Session whose OnRecvBytes leaves more than this unconsumed is cut (PacketSession:
    // the packet size limit instead).
    std::size_t maxTailBytes = kDefaultMaxTailBytes;
    // A session that completes no packet (a raw Session: receives no byte) for this long is
    // disconnected; a client that dribbles a header one byte a second counts as idle. 0: never.
    std::chrono::milliseconds idleTimeout{std::chrono::seconds(60)};
    // PacketSession: packets a session may send per second, with a burst of one second's worth.
    // A client over it is disconnected (not throttled: a game client that floods is broken or
    // hostile, and holding its packets back would only queue them in the kernel). 0: no limit.
    std::uint32_t maxPacketsPerSecond = 0;
    // PacketSession: count packets and bytes in and out and time each handler, by packet id,
    // into the workers' PacketMetrics (an admin endpoint reads them). Off: none of that cost.
    bool packetMetrics = false;
    int backlog = 4096;
    bool noDelay = true;                           // TCP_NODELAY on every session
    // SO_SNDBUF of every session's socket; 0 leaves the kernel's default (autotuned, up to
    // several MiB a socket on Linux).
    int socketSendBuffer = 0;
    // The framing every session of the service speaks under its packets (core/Transport.h):
    // nullptr for raw TCP, a WebSocket factory (core/ws) for a WebSocket listener or client.
    std::shared_ptr<const TransportFactory> transport;
};

// Sessions of one kind on one IocpCore. Owns its sessions (a registry keyed by id) and, for a
// server, its listener; sessions and the listener refer back to it weakly. Stop() ends them all.
class Service : public std::enable_shared_from_this<Service> {
public:
    Service(IocpCoreRef core, SessionFactory factory, ServiceOptions options);
    virtual ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    // Not from a worker. Stops accepting; lets every session handle what it has received and
    // flush what it queued (DisconnectGracefully), for up to half the timeout; then cuts the
    // rest off and waits for all to be released. False if some were still alive at the end.
    bool Stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Safe to call from any thread.
    std::size_t SessionCount() const;
    // Safe to call from any thread. Sends `buffer` to every session; the registry lock is held
    // only to copy the list, never while sending.
    void Broadcast(const SendBufferRef& buffer);
    std::vector<SessionRef> Sessions() const;
    const ServiceOptions& Options() const { return _options; }
    ServiceCounters& Counters() { return *_counters; }
    const std::shared_ptr<ServiceCounters>& SharedCounters() const { return _counters; }
    // Safe to call from any thread: the send memory budget shared by every session.
    const std::shared_ptr<SendBudget>& Budget() const { return _sendBudget; }
    // Safe to call from any thread: the rate limit for the sessions' log lines about errors.
    LogThrottle& ErrorLog() { return _errorLog; }
    IocpCore& Core() { return *_core; }
    // Waits (not from a worker) until the session count is `count`; false on timeout.
    bool WaitForSessionCount(std::size_t count, std::chrono::milliseconds timeout) const;

    // --- Engine internals --------------------------------------------------------------------
    // A session's last job ran: forget it.
    void ReleaseSession(Session& session);

protected:
    // Makes, attaches and registers a session for `socket`; nullptr if refused.
    SessionRef AdoptSocket(SocketHandle socket, const NetAddress& peer, Worker& home);
    // Once: tells the engine about this service, so that IocpCore::Stop stops it if it runs.
    void TrackOnce();
    virtual void OnStop() {}

private:
    IocpCoreRef _core;
    SessionFactory _factory;
    ServiceOptions _options;
    std::shared_ptr<ServiceCounters> _counters;
    std::shared_ptr<SendBudget> _sendBudget;
    LogThrottle _errorLog;
    mutable std::mutex _lock;
    mutable std::condition_variable _changed;
    std::unordered_map<std::uint64_t, SessionRef> _sessions;
    std::atomic<bool> _tracked{false};
};

// Accepts connections on one address.
class ServerService final : public Service {
public:
    static std::shared_ptr<ServerService> Create(IocpCoreRef core, NetAddress address,
                                                 SessionFactory factory,
                                                 ServiceOptions options = {});
    ServerService(IocpCoreRef core, NetAddress address, SessionFactory factory,
                  ServiceOptions options);
    ~ServerService() override;

    // Not from a worker. Binds, listens and starts accepting.
    std::error_code Start();
    // Safe to call from any thread. The bound address (port 0 resolved) once started.
    NetAddress LocalAddress() const;

    // --- Engine internals, on the listener's worker --------------------------------------------
    void OnAccepted(SocketHandle socket);
    void CountRefusedForDescriptors() {
        Counters().refused.fetch_add(1, std::memory_order_relaxed);
        Counters().refusedNoDescriptors.fetch_add(1, std::memory_order_relaxed);
    }

protected:
    void OnStop() override;

private:
    NetAddress _address;
    std::shared_ptr<Listener> _listener;
};

// Connects sessions to one address (a test client, bots, a server-to-server link).
class ClientService final : public Service {
public:
    static std::shared_ptr<ClientService> Create(IocpCoreRef core, NetAddress address,
                                                 SessionFactory factory,
                                                 ServiceOptions options = {});
    ClientService(IocpCoreRef core, NetAddress address, SessionFactory factory,
                  ServiceOptions options);

    // Safe to call from any thread. Starts connecting one session; OnConnected or
    // OnConnectFailed follows on it. nullptr if no socket could be made (error set).
    SessionRef Connect(std::error_code& error);
    // As Connect, typed: nullptr also when the factory's session is no T.
    template <class T>
        requires std::derived_from<T, Session>
    std::shared_ptr<T> ConnectAs(std::error_code& error) {
        return std::dynamic_pointer_cast<T>(Connect(error));
    }
    // Safe to call from any thread. Starts `count` connections; returns how many started.
    std::size_t Connect(std::size_t count);

private:
    NetAddress _address;
};

}  // namespace tavern
