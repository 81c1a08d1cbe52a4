#include "gameserver/RoomDirectory.h"

#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "ClusterMessages.pb.h"
#include "bus/BusError.h"
#include "gameserver/ClusterRoom.h"
#include "gameserver/Room.h"

namespace tavern::game {

namespace {

constexpr const char* kRoomsBucket = "tavern_rooms";

std::string RoomSubject(const std::string& node) {
    return "tavern.node." + node + ".room";
}

std::string RoomKey(std::uint32_t id) {
    return "r." + std::to_string(id);
}

// The room id of key "r.<id>" (0 is a room id like any other).
std::optional<std::uint32_t> KeyRoom(const std::string& key) {
    if (key.size() < 3 || key.compare(0, 2, "r.") != 0) return std::nullopt;
    try {
        return static_cast<std::uint32_t>(std::stoul(key.substr(2)));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

std::shared_ptr<RoomDirectory> RoomDirectory::Start(const SchedulerRef& scheduler,
                                                    ClusterOptions options) {
    auto directory = std::make_shared<RoomDirectory>(PrivateTag{}, scheduler, std::move(options));
    directory->Open();
    directory->DoAsync(&RoomDirectory::Beat);
    return directory;
}

RoomDirectory::RoomDirectory(PrivateTag, const SchedulerRef& scheduler, ClusterOptions options)
    : JobQueue(scheduler), _options(std::move(options)), _scheduler(scheduler) {}

void RoomDirectory::Open() {
    try {
        bus::BusOptions busOptions;
        busOptions.url = _options.natsUrl;
        busOptions.name = "tavern-" + _options.node + "-rooms";
        // /metrics counts this connection's traffic beside the node's (GameAdmin).
        busOptions.metricSubjects = {"tavern.node.*.room", "tavern.>"};
        _bus = bus::Bus::Connect(busOptions, weak_from_this(),
                                 [self = this](bus::BusEvent event) { self->OnEvent(event); });
        bus::KvOptions rooms;
        rooms.bucket = kRoomsBucket;
        rooms.ttl = _options.lease;
        _bucket = bus::KvBucket::Open(_bus, rooms);
        _subscription =
            _bus->Subscribe(RoomSubject(_options.node), weak_from_this(),
                            [self = this](bus::BusMessage& message) { self->OnMessage(message); });
        _watch = _bucket->Watch("r.*", weak_from_this(),
                                [self = this](bus::KvEntry& entry) { self->OnOwner(entry); });
        if (!_bus->Flush(_options.requestTimeout)) {
            throw bus::BusError("NATS did not confirm the room subscription in time");
        }
    } catch (const bus::BusError& e) {
        throw std::runtime_error(std::string("cluster rooms: ") + e.what());
    }
}

void RoomDirectory::Stop() {
    if (_stopped.exchange(true)) return;
    std::vector<bus::LeaseRef> leases;
    {
        std::lock_guard guard(_lock);
        for (auto& [id, weak] : _leases)
            if (auto lease = weak.lock()) leases.push_back(std::move(lease));
        _leases.clear();
    }
    for (const auto& lease : leases) lease->Stop();  // hands the keys over at once
    _subscription.reset();
    Close();
    // The watch and the bus go with the directory: rooms' last jobs may still send.
}

Clock::duration RoomDirectory::LeaseTime() const {
    return std::chrono::duration_cast<Clock::duration>(_options.lease);
}

bool RoomDirectory::Connected() const {
    return _bus && _bus->Connected();
}

bool RoomDirectory::Send(const std::string& node, const cluster::RoomEnvelope& envelope) {
    if (!Connected()) return false;
    if (!_bus->Publish(RoomSubject(node), envelope.SerializeAsString())) return false;
    _out.fetch_add(1, std::memory_order_relaxed);
    return true;
}

std::string RoomDirectory::Owner(std::uint32_t id) const {
    std::lock_guard guard(_lock);
    const auto found = _owners.find(id);
    return found == _owners.end() ? std::string() : found->second;
}

void RoomDirectory::Register(std::uint32_t id, const std::shared_ptr<Room>& room) {
    std::lock_guard guard(_lock);
    _rooms[id] = room;
}

void RoomDirectory::Unregister(std::uint32_t id, const Room* room) {
    std::lock_guard guard(_lock);
    const auto found = _rooms.find(id);
    if (found == _rooms.end()) return;
    const auto current = found->second.lock();
    if (current && current.get() != room) return;
    _rooms.erase(found);
    _leases.erase(id);
}

bus::LeaseRef RoomDirectory::StartLease(std::uint32_t id, std::weak_ptr<JobQueue> owner,
                                        bus::LeaseHandler onChange) {
    auto lease =
        bus::Lease::Start(_scheduler, _bucket, bus::LeaseOptions{RoomKey(id), _options.node},
                          std::move(owner), std::move(onChange));
    std::lock_guard guard(_lock);
    _leases[id] = lease;
    return lease;
}

std::shared_ptr<Room> RoomDirectory::Find(std::uint32_t id) const {
    std::lock_guard guard(_lock);
    const auto found = _rooms.find(id);
    return found == _rooms.end() ? nullptr : found->second.lock();
}

void RoomDirectory::OnMessage(bus::BusMessage& message) {
    _in.fetch_add(1, std::memory_order_relaxed);
    auto envelope = std::make_shared<cluster::RoomEnvelope>();
    if (!envelope->ParseFromString(message.data)) {
        spdlog::warn("cluster rooms: a message on {} does not parse; dropped", message.subject);
        return;
    }
    if (envelope->has_heartbeat()) return OnHeartbeat(message, envelope->heartbeat());
    std::uint32_t id = 0;
    if (envelope->has_call()) id = envelope->call().room_id();
    if (envelope->has_tick()) id = envelope->tick().room_id();
    if (envelope->has_direct()) id = envelope->direct().room_id();
    if (const auto room = Find(id)) {
        room->DoAsync([room, envelope] {
            if (auto* link = dynamic_cast<ClusterRoom*>(room->Link())) link->OnEnvelope(*envelope);
        });
        return;
    }
    // A call for a room this node does not have: the caller's idea of the owner is stale.
    if (envelope->has_call() && envelope->call().kind() != cluster::RoomCall::LEAVE) {
        cluster::RoomEnvelope answer;
        cluster::RoomDirect& direct = *answer.mutable_direct();
        direct.set_version(1);
        direct.set_room_id(id);
        direct.set_owner(_options.node);
        direct.set_player_id(envelope->call().player_id());
        direct.set_not_owner(true);
        Send(envelope->call().from_node(), answer);
    }
}

void RoomDirectory::OnOwner(bus::KvEntry& entry) {
    const auto key = KeyRoom(entry.key);
    if (!key) return;
    const std::uint32_t id = *key;
    std::string owner = entry.op == bus::KvOp::Put ? entry.value : std::string();
    {
        std::lock_guard guard(_lock);
        _owners[id] = owner;
    }
    if (const auto room = Find(id)) {
        room->DoAsync([room, owner] {
            if (auto* link = dynamic_cast<ClusterRoom*>(room->Link())) link->OnOwner(owner);
        });
    }
}

void RoomDirectory::LookUpOwner(JobQueue& asker, std::uint32_t id,
                                std::function<void(std::string)> then) {
    _bucket->Get(asker, RoomKey(id),
                 std::chrono::duration_cast<Clock::duration>(_options.requestTimeout),
                 [then = std::move(then)](AskResult<std::optional<bus::KvEntry>> found) {
                     if (!found.Ok()) return;  // asked again on the next check
                     then(found.Value() ? found.Value()->value : std::string());
                 });
}

void RoomDirectory::OnEvent(bus::BusEvent event) {
    if (event == bus::BusEvent::Disconnected) {
        if (!_lost) {
            spdlog::warn(
                "cluster rooms: node {} lost the bus; serving its own rooms and players, "
                "refusing what needs another node until it returns",
                _options.node);
        }
        _lost = true;
    } else if (event == bus::BusEvent::Reconnected) {
        spdlog::warn("cluster rooms: node {} is back on the bus; re-claiming its rooms",
                     _options.node);
        _lost = false;
        RestartClocks();
        Rewatch();
    }
}

void RoomDirectory::Rewatch() {
    // A watch may not outlive its server's restart: make a new one (a blocking round trip, on
    // the bus's executor), which starts with every key's current owner.
    if (_stopped.load()) return;
    Ask(
        *this, _bus->Executor(),
        [self = SharedAs<RoomDirectory>()] {
            return std::shared_ptr<bus::KvWatch>(self->_bucket->Watch(
                "r.*", self->weak_from_this(),
                [raw = self.get()](bus::KvEntry& entry) { raw->OnOwner(entry); }));
        },
        _options.requestTimeout * 2,
        [self = SharedAs<RoomDirectory>()](AskResult<std::shared_ptr<bus::KvWatch>> result) {
            if (!result.Ok()) {
                spdlog::warn("cluster rooms: cannot watch the room owners again: {}",
                             result.Message());
                return;
            }
            const std::shared_ptr<bus::KvWatch>& watch = result.Value();
            self->_watch = watch;
        });
}

}  // namespace tavern::game
