#include "gameserver/ClusterRoom.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "ClusterMessages.pb.h"
#include "ServerPackets.h"
#include "gameserver/GameSession.h"
#include "gameserver/Room.h"
#include "gameserver/RoomDirectory.h"

namespace tavern::game {

using Protocol::PacketId;
using Protocol::ServerPacketHandler;

namespace {

constexpr std::uint32_t kVersion = 1;

std::uint32_t RequestIdOf(RoomCall::Kind kind) {
    switch (kind) {
        case RoomCall::Kind::Enter:
            return static_cast<std::uint32_t>(PacketId::C_ENTER_GAME);
        case RoomCall::Kind::Chat:
            return static_cast<std::uint32_t>(PacketId::C_CHAT);
        case RoomCall::Kind::Move:
            return static_cast<std::uint32_t>(PacketId::C_MOVE);
        case RoomCall::Kind::Leave:
            return static_cast<std::uint32_t>(PacketId::C_LEAVE_GAME);
    }
    return 0;
}

SendBufferRef ErrorPacket(std::uint32_t requestId, std::string reason) {
    Protocol::S_ERROR error;
    error.set_request_id(requestId);
    error.set_reason(std::move(reason));
    return ServerPacketHandler::MakeSendBuffer(error);
}

SendBufferRef BufferOf(const std::string& bytes) {
    return SendBuffer::Copy(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
}

}  // namespace

ClusterRoom::ClusterRoom(Room& room, std::shared_ptr<RoomDirectory> directory)
    : _room(room), _directory(std::move(directory)), _id(room.RoomId()) {}

ClusterRoom::~ClusterRoom() {
    if (_lease) _lease->Stop();
    ReleaseNodes();
    if (!_membersOwner.empty()) _directory->MembersOwnedBy(_id, "");
    _directory->Unregister(_id, &_room);
}

void ClusterRoom::Start() {
    const auto room = _room.SharedAs<Room>();
    _directory->Register(_id, room);
    _lease =
        _directory->StartLease(_id, room, [weak = std::weak_ptr<Room>(room)](bus::LeaseEvent e) {
            if (const auto locked = weak.lock())
                if (auto* link = dynamic_cast<ClusterRoom*>(locked->Link())) link->OnLease(e);
        });
    const std::string owner = _directory->Owner(_id);
    if (!owner.empty() && owner != _directory->Node()) return BecomeProxy(owner);
    CheckUnknown();
}

void ClusterRoom::CheckUnknown() {
    if (_role != Role::Unknown) return;
    // Nobody can be asked: this node serves the room for its own players until the bus is
    // back, when the lease decides (and a node that finds it taken moves its members).
    if (!_directory->Connected()) return BecomeOwner("the bus is away");
    const std::string owner = _directory->Owner(_id);
    if (!owner.empty() && owner != _directory->Node()) return BecomeProxy(owner);
    // The watch has not told (yet): every other check asks the bucket itself.
    if (++_unknownChecks % 2 == 0) {
        _directory->LookUpOwner(
            _room, _id, [weak = std::weak_ptr<Room>(_room.SharedAs<Room>())](std::string found) {
                if (const auto room = weak.lock())
                    if (auto* link = dynamic_cast<ClusterRoom*>(room->Link()))
                        if (!found.empty()) link->OnOwner(found);
            });
    }
    _room.DoTimer(_directory->LeaseTime() / 6,
                  [weak = std::weak_ptr<Room>(_room.SharedAs<Room>())] {
                      if (const auto room = weak.lock())
                          if (auto* link = dynamic_cast<ClusterRoom*>(room->Link()))
                              link->CheckUnknown();
                  });
}

void ClusterRoom::OnLease(bus::LeaseEvent event) {
    if (event == bus::LeaseEvent::Acquired) return BecomeOwner("its lease was acquired");
    // Lost (no renewal in time, or taken): an owner goes on serving its players; whoever holds
    // the key now is seen through the watch (OnOwner), and then this node moves its members.
    spdlog::warn("cluster rooms: room {}: node {} lost its lease", _id, _directory->Node());
}

void ClusterRoom::OnOwner(const std::string& owner) {
    const std::string& self = _directory->Node();
    if (owner.empty()) {
        // Released (its owner stopped, or its room emptied): our lease claims it.
        if (_role == Role::Proxy) {
            _role = Role::Unknown;
            _released = std::exchange(_owner, {});  // its members move to whoever comes next
            SyncMembership();
            CheckUnknown();
        }
        return;
    }
    if (owner == self) return;  // our own claim: the lease says Acquired
    switch (_role) {
        case Role::Unknown:
            return BecomeProxy(owner);
        case Role::Proxy:
            // Between two other nodes: when the new owner had members here too, it keeps
            // this node's members as they are (it ran the same room), and only the old owner's
            // players go.
            if (owner != _owner) MoveTo(owner, RosterHas(owner));
            return;
        case Role::Owner:
            // Still ours by our own lease's view: an old value on its way, or a claim that
            // will not last (our renewal comes before its expiry). Else it was taken.
            if (_lease && _lease->Held()) return;
            spdlog::warn(
                "cluster rooms: room {}: node {} finds it owned by {}; moving its {} "
                "players there",
                _id, self, owner, _room._members.size());
            MoveTo(owner, false);
            return;
    }
}

void ClusterRoom::BecomeOwner(const char* why) {
    if (_role == Role::Owner) return;
    const Role was = _role;
    const std::string previous = _owner.empty() ? _released : _owner;
    _released.clear();
    _role = Role::Owner;
    _owner.clear();
    SyncMembership();
    if (was == Role::Proxy || !_roster.empty()) {
        // Taken over: the old owner's players are gone for this node's members; those of other
        // live nodes stay, expected to be moved in by their nodes.
        ExpectAfterTakeover(previous);
        spdlog::warn(
            "cluster rooms: room {} now owned by node {} ({}; was {}), {} players kept, {} of "
            "other nodes expected",
            _id, _directory->Node(), why, previous.empty() ? "nobody" : previous,
            _room._members.size(), _expected.size());
    }
    _roster.clear();
    _entryWaits.clear();  // every entry held or passed on is made here now
    // Entries passed on to the old owner and never answered: made here.
    auto pending = std::move(_pending);
    _pending.clear();
    for (auto& [id, entry] : pending) {
        _room.Replay(RoomCall::Enter(entry.player));
        if (entry.leaving) _room.Replay(RoomCall::Leave(entry.player, entry.notify));
    }
    auto waiting = std::move(_waiting);
    _waiting.clear();
    for (RoomCall& call : waiting) _room.Replay(std::move(call));
    auto early = std::move(_early);
    _early.clear();
    for (const auto& call : early) OnCall(*call);
}

void ClusterRoom::BecomeProxy(const std::string& owner) {
    if (!_released.empty() && !_room._members.empty()) {
        // Its owner let the room go and another took it: this node's members move there (kept
        // when the new owner ran the same room, as after a takeover).
        _role = Role::Proxy;
        _owner = std::exchange(_released, {});
        MoveTo(owner, owner != _owner && RosterHas(owner));
    }
    _released.clear();
    _early.clear();
    _role = Role::Proxy;
    _owner = owner;
    auto waiting = std::move(_waiting);
    _waiting.clear();
    for (RoomCall& call : waiting) Divert(std::move(call));
    SyncMembership();
}

void ClusterRoom::MoveTo(const std::string& owner, bool kept) {
    std::vector<std::uint64_t> gone;
    if (kept) {
        // Only the old owner's own players are gone; the rest of the room stays as it is.
        for (auto it = _roster.begin(); it != _roster.end();) {
            if (it->second == _owner && !_room._index.contains(it->first)) {
                gone.push_back(it->first);
                it = _roster.erase(it);
            } else {
                ++it;
            }
        }
    } else {
        // Whoever this node's members saw here but its own: gone, until the new owner spawns
        // them.
        for (const auto& [id, ghost] : _ghosts) gone.push_back(id);
        for (const auto& [id, node] : _roster)
            if (!_room._index.contains(id) && !_ghosts.contains(id)) gone.push_back(id);
        _roster.clear();
    }
    for (const auto& [id, node] : _expected) gone.push_back(id);
    _expected.clear();
    _role = Role::Proxy;
    _owner = owner;
    _early.clear();
    _room._ghosts.clear();
    _ghosts.clear();
    ReleaseNodes();
    _tick.reset();
    SyncMembership();
    DespawnForLocals(std::move(gone));
    // This node's members go to the new owner, where they and the others see the spawns.
    for (const PlayerRef& member : _room._members) {
        cluster::RoomEnvelope envelope;
        cluster::RoomCall& call = *envelope.mutable_call();
        call.set_kind(cluster::RoomCall::REJOIN);
        call.set_player_id(member->Id());
        call.set_name(member->Name());
        call.set_x(member->X());
        call.set_y(member->Y());
        call.set_kept(kept);
        SendCall(envelope);
        _roster[member->Id()] = _directory->Node();
    }
    // Entries passed on to the old owner and not answered: to the new one.
    for (const auto& [id, entry] : _pending) {
        const SavedPosition saved = entry.player->Position();
        cluster::RoomEnvelope envelope;
        cluster::RoomCall& call = *envelope.mutable_call();
        call.set_kind(cluster::RoomCall::ENTER);
        call.set_player_id(id);
        call.set_name(entry.player->Name());
        call.set_saved_room_id(saved.roomId);
        call.set_saved_x(saved.x);
        call.set_saved_y(saved.y);
        SendCall(envelope);
        if (entry.leaving) {
            cluster::RoomEnvelope leave;
            leave.mutable_call()->set_kind(cluster::RoomCall::LEAVE);
            leave.mutable_call()->set_player_id(id);
            SendCall(leave);
        }
    }
}

void ClusterRoom::DespawnForLocals(std::vector<std::uint64_t> ids) {
    if (ids.empty()) return;
    Protocol::S_DESPAWN despawn;
    for (const std::uint64_t id : ids) despawn.add_player_ids(id);
    _room.BroadcastOnTick(ServerPacketHandler::MakeSendBuffer(despawn), 0);
}

void ClusterRoom::Divert(RoomCall call) {
    if (_role == Role::Unknown) {
        if (call.kind == RoomCall::Kind::Enter) ArmEntryWait(call.player->Id());
        _waiting.push_back(std::move(call));
        return;
    }
    if (_role == Role::Owner) return _room.Replay(std::move(call));
    if (!_directory->Connected() && call.kind != RoomCall::Kind::Leave) {
        return Refuse(call, "room " + std::to_string(_id) + " is served by node " + _owner +
                                ", out of reach while the cluster's bus is away; try again soon");
    }
    Forward(std::move(call));
}

void ClusterRoom::Refuse(const RoomCall& call, const std::string& reason) {
    if (call.kind == RoomCall::Kind::Enter) {
        _room._reserved.fetch_sub(1, std::memory_order_relaxed);
        _entryWaits.erase(call.player->Id());
        // The session may ask again (it counts itself in the room until told).
        if (const auto session = call.player->Session())
            session->DoAsync(
                [session, room = _room.SharedAs<Room>()] { session->EntryRefused(*room); });
        Protocol::S_ENTER_GAME answer;
        answer.set_success(false);
        answer.set_reason(reason);
        call.player->Deliver(ServerPacketHandler::MakeSendBuffer(answer));
        return;
    }
    call.player->Deliver(ErrorPacket(RequestIdOf(call.kind), reason));
}

void ClusterRoom::Forward(RoomCall call) {
    const PlayerRef& player = call.player;
    cluster::RoomEnvelope envelope;
    cluster::RoomCall& out = *envelope.mutable_call();
    out.set_player_id(player->Id());
    switch (call.kind) {
        case RoomCall::Kind::Enter: {
            // The entry stays reserved until the owner answers: the room is not reclaimed
            // meanwhile.
            const SavedPosition saved = player->Position();
            out.set_kind(cluster::RoomCall::ENTER);
            out.set_name(player->Name());
            out.set_saved_room_id(saved.roomId);
            out.set_saved_x(saved.x);
            out.set_saved_y(saved.y);
            _pending[player->Id()] = Pending{player};
            ArmEntryWait(player->Id());
            break;
        }
        case RoomCall::Kind::Chat:
            out.set_kind(cluster::RoomCall::CHAT);
            out.set_text(std::move(call.text));
            break;
        case RoomCall::Kind::Move:
            if (_room._index.contains(player->Id())) player->SetPosition(call.x, call.y);
            out.set_kind(cluster::RoomCall::MOVE);
            out.set_x(call.x);
            out.set_y(call.y);
            break;
        case RoomCall::Kind::Leave:
            out.set_kind(cluster::RoomCall::LEAVE);
            out.set_notify(false);  // answered here
            if (_room.RemoveMember(player->Id())) {
                SyncMembership();
                player->LeftRoom();
                if (call.notify)
                    player->Deliver(ServerPacketHandler::MakeSendBuffer(Protocol::S_LEAVE_GAME{}));
                _room.ArmReclaim();
            } else if (const auto found = _pending.find(player->Id()); found != _pending.end()) {
                found->second.leaving = true;  // answered when the entry is
                found->second.notify = call.notify;
            } else {
                if (call.notify) Refuse(call, "not in room " + std::to_string(_id));
                return;
            }
            break;
    }
    SendCall(envelope);
}

void ClusterRoom::SendCall(cluster::RoomEnvelope& envelope) {
    cluster::RoomCall& call = *envelope.mutable_call();
    call.set_version(kVersion);
    call.set_room_id(_id);
    call.set_from_node(_directory->Node());
    _directory->Send(_owner, envelope);
}

void ClusterRoom::OnEnvelope(const cluster::RoomEnvelope& envelope) {
    if (envelope.has_call()) return OnCall(envelope.call());
    if (envelope.has_tick()) return OnTick(envelope.tick());
    if (envelope.has_direct()) return OnDirect(envelope.direct());
}

PlayerRef ClusterRoom::LocalPlayer(std::uint64_t id) const {
    if (const auto found = _room._index.find(id); found != _room._index.end())
        return _room._members[found->second];
    if (const auto found = _pending.find(id); found != _pending.end()) return found->second.player;
    return nullptr;
}

void ClusterRoom::OnTick(const cluster::RoomTick& tick) {
    if (_role != Role::Proxy || tick.owner() != _owner) return;  // an old owner's last words
    for (const cluster::RosterEntry& entry : tick.roster()) {
        if (entry.left()) {
            _roster.erase(entry.player_id());
        } else {
            _roster[entry.player_id()] = entry.node();
        }
    }
    // Each packet copied in once; the room's batch fans them out to this node's members as it
    // does its own (one buffer per member per flush, shared).
    for (const cluster::RoomPacket& packet : tick.packets())
        _room.BroadcastOnTick(BufferOf(packet.packet()), packet.except());
}

void ClusterRoom::OnDirect(const cluster::RoomDirect& direct) {
    const std::uint64_t id = direct.player_id();
    if (direct.not_owner()) {
        // Asked the wrong node: whoever owns the room is found again, and the entry waits.
        const auto found = _pending.find(id);
        if (found == _pending.end() || _role != Role::Proxy || direct.owner() != _owner) return;
        Pending entry = std::move(found->second);
        _pending.erase(found);
        _role = Role::Unknown;
        _owner.clear();
        SyncMembership();
        _waiting.push_back(RoomCall::Enter(entry.player));
        if (entry.leaving) _waiting.push_back(RoomCall::Leave(entry.player, entry.notify));
        CheckUnknown();
        return;
    }
    if (_role != Role::Proxy || direct.owner() != _owner) return;
    const PlayerRef player = LocalPlayer(id);
    if (!player) return;  // gone meanwhile
    if (!direct.packets().empty()) player->Deliver(BufferOf(direct.packets()));
    if (!direct.entered()) return;
    for (const cluster::RosterEntry& entry : direct.roster())
        _roster[entry.player_id()] = entry.node();
    const auto pending = _pending.find(id);
    if (pending == _pending.end()) return;  // a member moved in (REJOIN): it is here already
    const Pending entry = std::move(pending->second);
    _pending.erase(pending);
    _entryWaits.erase(id);
    _room._reserved.fetch_sub(1, std::memory_order_relaxed);
    player->ArriveIn(_id);
    if (entry.leaving) {  // it left before the owner answered: its leave is on its way there
        player->LeftRoom();
        if (entry.notify)
            player->Deliver(ServerPacketHandler::MakeSendBuffer(Protocol::S_LEAVE_GAME{}));
        _room.ArmReclaim();
        return;
    }
    _room.AddMember(player);
    SyncMembership();
}

}  // namespace tavern::game
