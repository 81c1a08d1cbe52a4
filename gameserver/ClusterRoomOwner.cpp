// ClusterRoom's owner side: the calls of other nodes' players (ghosts), and the ticks and
// direct packets the owner sends their nodes (see ClusterRoom.h).
#include "ClusterMessages.pb.h"
#include "ServerPackets.h"
#include "gameserver/ClusterRoom.h"
#include "gameserver/Room.h"
#include "gameserver/RoomDirectory.h"

namespace tavern::game {

using Protocol::PacketId;
using Protocol::ServerPacketHandler;

namespace {

constexpr std::uint32_t kVersion = 1;

std::string_view Bytes(const SendBufferRef& buffer) {
    return {reinterpret_cast<const char*>(buffer->Data()), buffer->Size()};
}

SendBufferRef ErrorPacket(std::uint32_t requestId, std::string reason) {
    Protocol::S_ERROR error;
    error.set_request_id(requestId);
    error.set_reason(std::move(reason));
    return ServerPacketHandler::MakeSendBuffer(error);
}

}  // namespace

void ClusterRoom::OnCall(const cluster::RoomCall& call) {
    if (_role != Role::Owner) {
        // The key is ours already (the others saw it), the lease's Acquired is on its way:
        // kept for then, in order.
        if (_directory->Owner(_id) == _directory->Node() || (_lease && _lease->Held())) {
            _early.push_back(std::make_unique<cluster::RoomCall>(call));
            return;
        }
        if (call.kind() == cluster::RoomCall::LEAVE) return;
        cluster::RoomEnvelope answer = DirectTo(call.player_id());
        answer.mutable_direct()->set_not_owner(true);
        _directory->Send(call.from_node(), answer);
        return;
    }
    const auto found = _ghosts.find(call.player_id());
    switch (call.kind()) {
        case cluster::RoomCall::ENTER: {
            if (found != _ghosts.end()) {
                if (found->second.node == call.from_node()) return;  // a repeat: it is in already
                // It enters from another node: the node it was on is gone (or let go of it
                // without a word). Its old ghost leaves first, and the others see it despawn.
                const PlayerRef stale = found->second.player;
                _room.Leave(stale, false);  // forgets the ghost (Left)
            }
            ForgetExpected(call.player_id());  // it enters afresh: the others see it go first
            auto ghost =
                std::make_shared<Player>(call.player_id(), call.name(), 0, Clock::duration::zero());
            ghost->Restore(SavedPosition{call.saved_room_id(), call.saved_x(), call.saved_y()},
                           nullptr);
            _ghosts[call.player_id()] = Ghost{ghost, call.from_node()};
            CountNode(call.from_node(), 1);
            _room.ReserveEntry();  // Room::Enter takes one
            _room.Enter(ghost);
            return;
        }
        case cluster::RoomCall::REJOIN:
            return OnRejoin(call);
        case cluster::RoomCall::CHAT:
            if (found == _ghosts.end())
                return AnswerNotMember(call, static_cast<std::uint32_t>(PacketId::C_CHAT));
            _room.Chat(found->second.player, call.text());
            return;
        case cluster::RoomCall::MOVE:
            if (found == _ghosts.end())
                return AnswerNotMember(call, static_cast<std::uint32_t>(PacketId::C_MOVE));
            _room.Move(found->second.player, call.x(), call.y());
            return;
        case cluster::RoomCall::LEAVE: {
            if (found == _ghosts.end()) return ForgetExpected(call.player_id());
            // A reference of our own: the leave forgets the ghost (Left) before it is done.
            const PlayerRef ghost = found->second.player;
            _room.Leave(ghost, call.notify());
            return;
        }
        default:
            return;  // a kind of a later version: nothing this one can do
    }
}

void ClusterRoom::OnRejoin(const cluster::RoomCall& call) {
    if (_ghosts.contains(call.player_id())) return;
    if (AdoptExpected(call)) return;
    ForgetExpected(call.player_id());
    auto ghost =
        std::make_shared<Player>(call.player_id(), call.name(), 0, Clock::duration::zero());
    ghost->Restore(SavedPosition{_id, call.x(), call.y()}, nullptr);
    ghost->ArriveIn(_id);
    _ghosts[call.player_id()] = Ghost{ghost, call.from_node()};
    CountNode(call.from_node(), 1);
    // Everyone here, as spawns (it is in the game already: no S_ENTER_GAME).
    std::vector<SendBufferRef> spawns;
    Protocol::S_SPAWN spawn;
    for (const PlayerRef& member : _room.Everyone()) {
        member->FillInfo(*spawn.add_players());
        if (spawn.players_size() == static_cast<int>(_room._limits.playersPerPacket)) {
            spawns.push_back(ServerPacketHandler::MakeSendBuffer(spawn));
            spawn.clear_players();
        }
    }
    if (spawn.players_size() > 0) spawns.push_back(ServerPacketHandler::MakeSendBuffer(spawn));
    Direct(*ghost, std::move(spawns), true);
    Protocol::S_SPAWN arrival;
    ghost->FillInfo(*arrival.add_players());
    _room.BroadcastOnTick(ServerPacketHandler::MakeSendBuffer(arrival), ghost->Id());
    _room.AddGhost(ghost);
    Joined(*ghost);
}

cluster::RoomEnvelope ClusterRoom::DirectTo(std::uint64_t playerId) const {
    cluster::RoomEnvelope envelope;
    cluster::RoomDirect& direct = *envelope.mutable_direct();
    direct.set_version(kVersion);
    direct.set_room_id(_id);
    direct.set_owner(_directory->Node());
    direct.set_player_id(playerId);
    return envelope;
}

void ClusterRoom::AnswerNotMember(const cluster::RoomCall& call, std::uint32_t requestId) {
    cluster::RoomEnvelope answer = DirectTo(call.player_id());
    answer.mutable_direct()->set_packets(
        std::string(Bytes(ErrorPacket(requestId, "not in room " + std::to_string(_id)))));
    _directory->Send(call.from_node(), answer);
}

void ClusterRoom::Broadcast(const SendBufferRef& packet, std::uint64_t except) {
    if (_role != Role::Owner || _nodes.empty()) return;
    if (!_tick) _tick = std::make_unique<cluster::RoomEnvelope>();
    cluster::RoomPacket& out = *_tick->mutable_tick()->add_packets();
    out.set_packet(std::string(Bytes(packet)));
    out.set_except(except);
    ScheduleTick();
}

void ClusterRoom::Joined(const Player& player) {
    if (!_expected.empty()) _enteredWhileExpected = true;
    if (_role != Role::Owner || _nodes.empty()) return;
    if (!_tick) _tick = std::make_unique<cluster::RoomEnvelope>();
    cluster::RosterEntry& entry = *_tick->mutable_tick()->add_roster();
    entry.set_player_id(player.Id());
    const auto ghost = _ghosts.find(player.Id());
    entry.set_node(ghost != _ghosts.end() ? ghost->second.node : _directory->Node());
    ScheduleTick();
}

void ClusterRoom::Left(const Player& player) {
    if (const auto ghost = _ghosts.find(player.Id());
        ghost != _ghosts.end() && ghost->second.player.get() == &player) {
        const std::string node = ghost->second.node;
        _ghosts.erase(ghost);
        CountNode(node, -1);
    }
    RosterLeft(player.Id());
}

void ClusterRoom::RosterLeft(std::uint64_t id) {
    if (_role != Role::Owner || _nodes.empty()) return;
    if (!_tick) _tick = std::make_unique<cluster::RoomEnvelope>();
    cluster::RosterEntry& entry = *_tick->mutable_tick()->add_roster();
    entry.set_player_id(id);
    entry.set_left(true);
    ScheduleTick();
}

bool ClusterRoom::IsGhost(const Player& player) const {
    const auto found = _ghosts.find(player.Id());
    return found != _ghosts.end() && found->second.player.get() == &player;
}

void ClusterRoom::ScheduleTick() {
    if (_room._limits.broadcastTick.count() <= 0) return FlushTick();
    if (_tickScheduled) return;
    _tickScheduled = true;
    _room.DoTimer(std::chrono::duration_cast<Clock::duration>(_room._limits.broadcastTick),
                  [weak = std::weak_ptr<Room>(_room.SharedAs<Room>())] {
                      if (const auto room = weak.lock())
                          if (auto* link = dynamic_cast<ClusterRoom*>(room->Link()))
                              link->FlushTick();
                  });
}

void ClusterRoom::FlushTick() {
    _tickScheduled = false;
    if (!_tick) return;
    const auto tick = std::move(_tick);
    if (_role != Role::Owner) return;
    cluster::RoomTick& out = *tick->mutable_tick();
    out.set_version(kVersion);
    out.set_room_id(_id);
    out.set_owner(_directory->Node());
    // One message per node with members, whatever their number: they fan it out there.
    for (const auto& [node, count] : _nodes) _directory->Send(node, *tick);
}

void ClusterRoom::Direct(const Player& player, std::vector<SendBufferRef> packets, bool entered) {
    const auto ghost = _ghosts.find(player.Id());
    if (ghost == _ghosts.end()) return;
    // What the room said before this entry goes first, or it would reach the entrant there.
    if (entered) FlushTick();
    cluster::RoomEnvelope envelope = DirectTo(player.Id());
    cluster::RoomDirect& direct = *envelope.mutable_direct();
    std::string bytes;
    for (const SendBufferRef& packet : packets) bytes.append(Bytes(packet));
    direct.set_packets(std::move(bytes));
    if (entered) {
        direct.set_entered(true);
        for (const PlayerRef& member : _room._members) {
            cluster::RosterEntry& entry = *direct.add_roster();
            entry.set_player_id(member->Id());
            entry.set_node(_directory->Node());
        }
        for (const auto& [id, other] : _ghosts) {
            cluster::RosterEntry& entry = *direct.add_roster();
            entry.set_player_id(id);
            entry.set_node(other.node);
        }
        for (const auto& [id, node] : _expected) {
            cluster::RosterEntry& entry = *direct.add_roster();
            entry.set_player_id(id);
            entry.set_node(node);
        }
    }
    _directory->Send(ghost->second.node, envelope);
}

}  // namespace tavern::game
