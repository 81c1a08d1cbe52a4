// RoomDirectory's node liveness: heartbeats to the owners of rooms with members here, and the
// judgement of nodes whose players this node holds (see RoomDirectory.h).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "ClusterMessages.pb.h"
#include "gameserver/ClusterRoom.h"
#include "gameserver/Room.h"
#include "gameserver/RoomDirectory.h"

namespace tavern::game {

namespace {

constexpr std::uint32_t kVersion = 1;
// Answers in a row without a room before its members are moved in again: one answer may have
// been made before the owner had the room's latest members (they travel on another subject).
constexpr int kMissesToRejoin = 2;

std::string RoomSubject(const std::string& node) {
    return "tavern.node." + node + ".room";
}

template <class F>
void OnRoomLink(const std::shared_ptr<Room>& room, F f) {
    room->DoAsync([room, f = std::move(f)] {
        if (auto* link = dynamic_cast<ClusterRoom*>(room->Link())) f(*link);
    });
}

}  // namespace

void RoomDirectory::HoldPlayersOf(const std::string& node, std::uint32_t id, bool holds) {
    std::lock_guard guard(_lock);
    Peer& peer = _peers[node];
    if (!holds) {
        peer.rooms.erase(id);
        return;
    }
    // A node that comes back into this node's rooms is heard from now on (its call was a sign
    // of life), not judged by a heartbeat it stopped sending when it had nobody here.
    if (peer.rooms.empty()) peer.heard = Clock::now();
    peer.rooms.insert(id);
}

void RoomDirectory::MembersOwnedBy(std::uint32_t id, const std::string& owner) {
    bool first = false;
    std::uint64_t round = 0;
    {
        std::lock_guard guard(_lock);
        if (owner.empty()) {
            _ownedBy.erase(id);
            return;
        }
        OwnedBy& entry = _ownedBy[id];
        if (entry.owner == owner) return;
        first = true;
        for (const auto& [other, by] : _ownedBy)
            if (other != id && by.owner == owner) first = false;
        entry.owner = owner;
        entry.misses = 0;
        entry.since = _round + 1;  // judged from the next round on
        round = _round;
    }
    // A new owner hears from this node at once, so that it watches it from now on.
    if (first)
        DoAsync([self = SharedAs<RoomDirectory>(), owner, round] {
            self->SendHeartbeat(owner, round);
        });
}

void RoomDirectory::Beat() {
    if (_stopped.load()) return;
    DoTimer(LeaseTime() / 3, &RoomDirectory::Beat);
    std::set<std::string> owners;
    std::uint64_t round = 0;
    {
        std::lock_guard guard(_lock);
        if (!Connected()) {
            // This node cannot tell who is alive: nobody is judged, and everybody starts over
            // when it is back.
            const auto now = Clock::now();
            for (auto& [node, peer] : _peers) peer.heard = now;
            return;
        }
        round = ++_round;
        for (const auto& [id, by] : _ownedBy) owners.insert(by.owner);
    }
    owners.insert(_options.node);  // the answer proves this node's own round trip
    for (const std::string& owner : owners) SendHeartbeat(owner, round);
}

void RoomDirectory::Judge(Clock::time_point onBusAt) {
    // A node is gone when it has been silent for a lease time and this node was on the bus a
    // lease time after its last heartbeat (its own heartbeat sent then made the round trip).
    const Clock::duration lease = LeaseTime();
    std::vector<std::pair<std::string, std::vector<std::uint32_t>>> gone;
    {
        std::lock_guard guard(_lock);
        for (auto& [node, peer] : _peers) {
            if (!peer.beats || peer.rooms.empty() || onBusAt < peer.heard + lease) continue;
            gone.emplace_back(node,
                              std::vector<std::uint32_t>(peer.rooms.begin(), peer.rooms.end()));
            peer.heard = Clock::now();  // judged once a lease
        }
    }
    for (const auto& [node, rooms] : gone) {
        spdlog::warn(
            "cluster rooms: node {} sent no heartbeat for a lease time; node {} takes its "
            "players out of {} rooms",
            node, _options.node, rooms.size());
        for (const std::uint32_t id : rooms)
            if (const auto room = Find(id))
                OnRoomLink(room, [node](ClusterRoom& link) { link.OnNodeGone(node); });
    }
}

void RoomDirectory::SendHeartbeat(const std::string& owner, std::uint64_t round) {
    cluster::RoomEnvelope envelope;
    cluster::NodeHeartbeat& heartbeat = *envelope.mutable_heartbeat();
    heartbeat.set_version(kVersion);
    heartbeat.set_from_node(_options.node);
    const auto sent = Clock::now();
    _out.fetch_add(1, std::memory_order_relaxed);
    _bus->Request(
        *this, RoomSubject(owner), envelope.SerializeAsString(), LeaseTime() / 3,
        [self = SharedAs<RoomDirectory>(), owner, round, sent](AskResult<bus::BusMessage> answer) {
            self->OnHeartbeatAnswer(owner, round, sent, std::move(answer));
        });
}

void RoomDirectory::OnHeartbeat(const bus::BusMessage& message,
                                const cluster::NodeHeartbeat& heartbeat) {
    cluster::NodeHeartbeatReply reply;
    reply.set_version(kVersion);
    reply.set_owner(_options.node);
    if (heartbeat.from_node() != _options.node) {
        std::lock_guard guard(_lock);
        Peer& peer = _peers[heartbeat.from_node()];
        peer.heard = Clock::now();
        peer.beats = true;
        for (const std::uint32_t id : peer.rooms) reply.add_rooms(id);
    }
    if (!message.reply.empty()) _bus->Respond(message, reply.SerializeAsString());
}

void RoomDirectory::OnHeartbeatAnswer(const std::string& owner, std::uint64_t round,
                                      Clock::time_point sent, AskResult<bus::BusMessage> answer) {
    // No answer (gone, timed out, or a node that does not know heartbeats): nothing to learn.
    if (!answer.Ok()) return;
    cluster::NodeHeartbeatReply reply;
    if (!reply.ParseFromString(answer.Value().data)) return;
    if (owner == _options.node) return Judge(sent);
    const std::set<std::uint32_t> listed(reply.rooms().begin(), reply.rooms().end());
    std::vector<std::uint32_t> dropped;
    {
        std::lock_guard guard(_lock);
        for (auto& [id, by] : _ownedBy) {
            if (by.owner != owner || by.since > round) continue;
            if (listed.contains(id)) {
                by.misses = 0;
                continue;
            }
            if (++by.misses < kMissesToRejoin) continue;
            by.misses = 0;
            by.since = _round + 1;  // the rejoin's turn to reach the owner
            dropped.push_back(id);
        }
    }
    for (const std::uint32_t id : dropped) {
        spdlog::warn(
            "cluster rooms: room {}: its owner {} no longer holds node {}'s players; "
            "moving them in again",
            id, owner, _options.node);
        if (const auto room = Find(id))
            OnRoomLink(room, [owner](ClusterRoom& link) { link.OnDropped(owner); });
    }
}

void RoomDirectory::RestartClocks() {
    const auto now = Clock::now();
    std::lock_guard guard(_lock);
    for (auto& [node, peer] : _peers) peer.heard = now;
}

}  // namespace tavern::game
