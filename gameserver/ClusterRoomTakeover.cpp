// ClusterRoom's bookkeeping for the directory's liveness checks (the nodes whose players it
// holds, the owner its members are at), the players of live nodes kept across a takeover, and
// the bound on an entry's wait for an owner (see ClusterRoom.h).
#include <spdlog/spdlog.h>

#include "ClusterMessages.pb.h"
#include "ServerPackets.h"
#include "gameserver/ClusterRoom.h"
#include "gameserver/Room.h"
#include "gameserver/RoomDirectory.h"

namespace tavern::game {

using Protocol::ServerPacketHandler;

namespace {

// An entry waits for an owner at most this many lease times: one for a dead owner's key to
// expire, one for the claim and the answer.
constexpr int kEntryWaitLeases = 2;

// `room` is the link's own (ClusterRoom may make its shared handle, this file's helpers not).
template <class F>
void Later(const std::shared_ptr<Room>& room, Clock::duration delay, F f) {
    room->DoTimer(delay, [weak = std::weak_ptr<Room>(room), f = std::move(f)] {
        if (const auto locked = weak.lock())
            if (auto* link = dynamic_cast<ClusterRoom*>(locked->Link())) f(*link);
    });
}

}  // namespace

void ClusterRoom::CountNode(const std::string& node, int delta) {
    if (delta > 0) {
        if (_nodes[node]++ == 0) _directory->HoldPlayersOf(node, _id, true);
        return;
    }
    const auto found = _nodes.find(node);
    if (found == _nodes.end() || --found->second > 0) return;
    _nodes.erase(found);
    _directory->HoldPlayersOf(node, _id, false);
}

void ClusterRoom::ReleaseNodes() {
    for (const auto& [node, count] : _nodes) _directory->HoldPlayersOf(node, _id, false);
    _nodes.clear();
}

void ClusterRoom::SyncMembership() {
    const std::string owner =
        _role == Role::Proxy && !_room._members.empty() ? _owner : std::string();
    if (owner == _membersOwner) return;
    _membersOwner = owner;
    _directory->MembersOwnedBy(_id, owner);
}

void ClusterRoom::OnNodeGone(const std::string& node) {
    if (_role != Role::Owner) return;
    std::vector<PlayerRef> leaving;
    for (const auto& [id, ghost] : _ghosts)
        if (ghost.node == node) leaving.push_back(ghost.player);
    std::vector<std::uint64_t> expected;
    for (const auto& [id, from] : _expected)
        if (from == node) expected.push_back(id);
    if (leaving.empty() && expected.empty()) return;
    spdlog::warn("cluster rooms: room {}: node {} is gone; its {} players leave", _id, node,
                 leaving.size() + expected.size());
    // As a disconnect: the others see them despawn (their state is saved by their own node,
    // which is gone; its last save stands).
    for (const PlayerRef& ghost : leaving) _room.Leave(ghost, false);
    for (const std::uint64_t id : expected) ForgetExpected(id);
}

void ClusterRoom::OnDropped(const std::string& owner) {
    if (_role != Role::Proxy || _owner != owner || _room._members.empty()) return;
    // The owner took this node for gone (it was cut off for a while): its members move in
    // again, and see the others despawn and spawn again.
    MoveTo(owner, false);
}

void ClusterRoom::ExpectAfterTakeover(const std::string& previous) {
    std::vector<std::uint64_t> gone;
    const std::string& self = _directory->Node();
    for (const auto& [id, node] : _roster) {
        if (_room._index.contains(id)) continue;
        if (previous.empty() || node == previous || node == self) {
            gone.push_back(id);
        } else {
            _expected.emplace(id, node);
        }
    }
    // For this node's members only (no other node is counted yet): the others see to their
    // own members.
    DespawnForLocals(std::move(gone));
    if (_expected.empty()) return;
    _enteredWhileExpected = false;
    for (const auto& [id, node] : _expected) CountNode(node, 1);
    const std::uint64_t round = ++_expectedRound;
    Later(_room.SharedAs<Room>(), _directory->LeaseTime(),
          [round](ClusterRoom& link) { link.ExpireExpected(round); });
}

bool ClusterRoom::AdoptExpected(const cluster::RoomCall& call) {
    const auto found = _expected.find(call.player_id());
    if (!call.kept() || found == _expected.end() || found->second != call.from_node()) return false;
    _expected.erase(found);  // its node stays counted: now for its ghost
    auto ghost =
        std::make_shared<Player>(call.player_id(), call.name(), 0, Clock::duration::zero());
    ghost->Restore(SavedPosition{_id, call.x(), call.y()}, nullptr);
    ghost->ArriveIn(_id);
    _ghosts[call.player_id()] = Ghost{ghost, call.from_node()};
    _room.AddGhost(ghost);
    if (_enteredWhileExpected) {
        // Someone entered since the takeover and was not shown this player: a spawn for
        // everyone (the others see it twice, which a client takes as the same player).
        Protocol::S_SPAWN spawn;
        ghost->FillInfo(*spawn.add_players());
        _room.BroadcastOnTick(ServerPacketHandler::MakeSendBuffer(spawn), ghost->Id());
    }
    // Its member list is the one it sees already: only the roster goes to its node.
    Direct(*ghost, {}, true);
    return true;
}

void ClusterRoom::ForgetExpected(std::uint64_t id) {
    const auto found = _expected.find(id);
    if (found == _expected.end()) return;
    const std::string node = found->second;
    _expected.erase(found);
    Protocol::S_DESPAWN despawn;
    despawn.add_player_ids(id);
    _room.BroadcastOnTick(ServerPacketHandler::MakeSendBuffer(despawn), 0);
    RosterLeft(id);
    CountNode(node, -1);
}

void ClusterRoom::ExpireExpected(std::uint64_t round) {
    if (round != _expectedRound || _expected.empty()) return;
    spdlog::warn(
        "cluster rooms: room {}: {} players of other nodes were not moved in after "
        "the takeover; they leave",
        _id, _expected.size());
    std::vector<std::uint64_t> ids;
    for (const auto& [id, node] : _expected) ids.push_back(id);
    for (const std::uint64_t id : ids) ForgetExpected(id);
}

bool ClusterRoom::RosterHas(const std::string& node) const {
    for (const auto& [id, where] : _roster)
        if (where == node) return true;
    return false;
}

void ClusterRoom::ArmEntryWait(std::uint64_t playerId) {
    if (_entryWaits.contains(playerId)) return;  // passed on again: the first wait holds
    const std::uint64_t ticket = ++_nextTicket;
    _entryWaits[playerId] = ticket;
    Later(_room.SharedAs<Room>(), _directory->LeaseTime() * kEntryWaitLeases,
          [playerId, ticket](ClusterRoom& link) { link.EntryTimedOut(playerId, ticket); });
}

void ClusterRoom::EntryTimedOut(std::uint64_t playerId, std::uint64_t ticket) {
    const auto wait = _entryWaits.find(playerId);
    if (wait == _entryWaits.end() || wait->second != ticket) return;
    _entryWaits.erase(wait);
    const auto seconds =
        std::chrono::duration<double>(_directory->LeaseTime() * kEntryWaitLeases).count();
    const std::string reason = "room " + std::to_string(_id) + ": no node served it within " +
                               fmt::format("{:.1f}", seconds) +
                               " s (its owner is being claimed); try again";
    spdlog::warn(
        "cluster rooms: room {}: the entry of player {} waited {:.1f} s for an owner; "
        "refused",
        _id, playerId, seconds);
    if (const auto pending = _pending.find(playerId); pending != _pending.end()) {
        const Pending entry = std::move(pending->second);
        _pending.erase(pending);
        Refuse(RoomCall::Enter(entry.player), reason);
        if (entry.leaving && entry.notify)
            Refuse(RoomCall::Leave(entry.player, true), "not in room " + std::to_string(_id));
        // Should the owner make it after all, it leaves at once (the calls keep their order).
        cluster::RoomEnvelope leave;
        leave.mutable_call()->set_kind(cluster::RoomCall::LEAVE);
        leave.mutable_call()->set_player_id(playerId);
        if (_role == Role::Proxy) SendCall(leave);
        return;
    }
    // Held until an owner is known: the entry and whatever the player asked after it.
    std::deque<RoomCall> kept;
    for (RoomCall& call : _waiting) {
        if (call.player->Id() != playerId) {
            kept.push_back(std::move(call));
        } else if (call.kind == RoomCall::Kind::Enter) {
            Refuse(call, reason);
        } else if (call.kind != RoomCall::Kind::Leave || call.notify) {
            Refuse(call, "not in room " + std::to_string(_id));
        }
    }
    _waiting = std::move(kept);
}

}  // namespace tavern::game
