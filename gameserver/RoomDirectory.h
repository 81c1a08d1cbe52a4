#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "bus/Bus.h"
#include "bus/KvBucket.h"
#include "bus/Lease.h"
#include "gameserver/ClusterOptions.h"
#include "jobs/JobQueue.h"

namespace tavern::cluster {
class RoomEnvelope;
}

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
};

}  // namespace tavern::game
