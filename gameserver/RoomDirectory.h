#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

#include "bus/Bus.h"
#include "bus/KvBucket.h"
#include "bus/Lease.h"
#include "gameserver/ClusterOptions.h"
#include "jobs/JobQueue.h"

namespace tavern::cluster {
class NodeHeartbeat;
class RoomEnvelope;
}  // namespace tavern::cluster

namespace tavern::game {

class Room;

// This node's side of the rooms shared by a cluster (gameserver --nats): a connection of its
// own to NATS, the lease bucket "tavern_rooms" (one key "r.<room id>" per room, holding the
// owner node's name, expiring one --lease time after the owner's last renewal), a watch on
// those keys (who owns which room), and the node's room subject tavern.node.<node>.room, on
// which every call, tick and direct packet for this node's rooms arrives (one subscription
// for all rooms, not one per room: libnats gives each subscription a thread). Messages are
// ClusterMessages.proto's RoomEnvelope; each goes on to its room as a job (ClusterRoom).
//
// An actor of its own: deliveries, watch entries and connection events run as its jobs. The
// room table and the owners seen are behind a lock: rooms read them from their own jobs.
//
// Node liveness (RoomDirectoryLiveness.cpp). Every lease/3 a node sends a NodeHeartbeat, as a
// request on its room subject, to each node that owns a room with members of its own (one per
// owner node, not one per room), and one to itself:
//
//   node b (members in rooms 4, 7 of a)  --NodeHeartbeat (request)-->  node a (owner)
//                                        <--rooms [4, 7]-------------  a holds b's players there
//
//   - The owner takes every player of a node out of its rooms (ClusterRoom::OnNodeGone: the
//     others see them despawn) when that node has sent no heartbeat for a lease time while the
//     owner itself was demonstrably on the bus: its heartbeat to itself, sent a lease time
//     after the node's last one, came back. An owner that is off the bus, or whose connection
//     is dead without its knowing yet, judges nobody; its clocks restart when it is back.
//   - A node judged gone wrongly (it was only cut off) finds out from the answers: a room it
//     has members in that the owner no longer lists, twice in a row, has its members moved in
//     again (ClusterRoom::OnDropped).
//   - A node is judged only after its first heartbeat: a node of a version without them is
//     never taken out (its players stay until they come back, as before).
class RoomDirectory final : public JobQueue {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Blocking (not on a worker): connects, opens the bucket, subscribes, watches. Throws
    // std::runtime_error with a one-line reason.
    static std::shared_ptr<RoomDirectory> Start(const SchedulerRef& scheduler,
                                                ClusterOptions options);
    RoomDirectory(PrivateTag, const SchedulerRef& scheduler, ClusterOptions options);

    // Blocking (not on a worker); idempotent: stops the rooms' leases (their keys are
    // released), the subscription and the watch.
    void Stop();

    // Safe from any thread.
    const std::string& Node() const { return _options.node; }
    Clock::duration LeaseTime() const;
    bool Connected() const;
    // Safe from any thread: the rooms' own connection (its traffic for /metrics).
    const bus::BusRef& Connection() const { return _bus; }
    // Safe from any thread: sends `envelope` to `node`'s room subject. False when the bus is
    // away (nothing is kept for later: a stale tick is worse than a missed one).
    bool Send(const std::string& node, const cluster::RoomEnvelope& envelope);
    // Safe from any thread: the owner of room `id` as last seen ("" when none or unknown).
    std::string Owner(std::uint32_t id) const;

    // Only on a job of `asker`: the owner of room `id` as the bucket holds it now ("" when
    // none), to `then` as a job on `asker`; nothing when it cannot be read.
    void LookUpOwner(JobQueue& asker, std::uint32_t id, std::function<void(std::string)> then);
    // Safe from any thread: room `id` on this node gets the messages for it, and its owner's
    // changes, as jobs (ClusterRoom::On...). Unregister only if it is still `room`.
    void Register(std::uint32_t id, const std::shared_ptr<Room>& room);
    void Unregister(std::uint32_t id, const Room* room);
    // Safe from any thread: a lease on room `id`'s key for this node, its events as jobs on
    // `owner`. Stopped by Stop() if still running then.
    bus::LeaseRef StartLease(std::uint32_t id, std::weak_ptr<JobQueue> owner,
                             bus::LeaseHandler onChange);

    // Safe from any thread (a room's jobs): this node owns room `id` and holds players of
    // `node` in it, or (`holds` false) no longer. Such nodes are watched (see above).
    void HoldPlayersOf(const std::string& node, std::uint32_t id, bool holds);
    // Safe from any thread (a room's jobs): room `id` here has members and is owned by `owner`,
    // or ("") no longer. That owner gets this node's heartbeats.
    void MembersOwnedBy(std::uint32_t id, const std::string& owner);

    // Safe from any thread: NATS messages this node's rooms sent and received.
    std::uint64_t MessagesOut() const { return _out.load(std::memory_order_relaxed); }
    std::uint64_t MessagesIn() const { return _in.load(std::memory_order_relaxed); }

private:
    void Open();
    // On this directory's jobs.
    void OnMessage(bus::BusMessage& message);
    void OnOwner(bus::KvEntry& entry);
    void OnEvent(bus::BusEvent event);
    std::shared_ptr<Room> Find(std::uint32_t id) const;
    void Rewatch();
    // Liveness, on this directory's jobs (RoomDirectoryLiveness.cpp).
    void Beat();  // every lease/3
    void SendHeartbeat(const std::string& owner, std::uint64_t round);
    void Judge(Clock::time_point onBusAt);  // this node's own heartbeat sent then came back
    void OnHeartbeat(const bus::BusMessage& message, const cluster::NodeHeartbeat& heartbeat);
    void OnHeartbeatAnswer(const std::string& owner, std::uint64_t round, Clock::time_point sent,
                           AskResult<bus::BusMessage> answer);
    void RestartClocks();  // back on the bus: nobody has had a chance to be heard yet

    struct Peer {  // a node whose players this node holds in rooms it owns
        std::set<std::uint32_t> rooms;
        Clock::time_point heard{};
        bool beats = false;  // it has sent a heartbeat (a node of an older version sends none)
    };
    struct OwnedBy {  // a room here with members, owned by another node
        std::string owner;
        std::uint64_t since = 0;  // the first heartbeat round that may find it missing
        int misses = 0;           // answers in a row without it
    };

    const ClusterOptions _options;
    const SchedulerRef _scheduler;
    bus::BusRef _bus;
    bus::KvBucketRef _bucket;
    bus::BusSubscriptionRef _subscription;
    std::shared_ptr<bus::KvWatch> _watch;  // on this directory's jobs (replaced on reconnect)
    bool _lost = false;                    // on this directory's jobs: the loss was logged
    std::atomic<bool> _stopped{false};
    std::atomic<std::uint64_t> _out{0};
    std::atomic<std::uint64_t> _in{0};

    mutable std::mutex _lock;
    std::unordered_map<std::uint32_t, std::weak_ptr<Room>> _rooms;
    std::unordered_map<std::uint32_t, std::string> _owners;
    std::unordered_map<std::uint32_t, std::weak_ptr<bus::Lease>> _leases;
    std::unordered_map<std::string, Peer> _peers;
    std::unordered_map<std::uint32_t, OwnedBy> _ownedBy;
    std::uint64_t _round = 0;  // heartbeat rounds
};

}  // namespace tavern::game
