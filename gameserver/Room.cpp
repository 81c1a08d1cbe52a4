#include "gameserver/Room.h"

#include <spdlog/spdlog.h>

#include "ServerPackets.h"
#include "gameserver/GameSession.h"
#include "gameserver/MemberList.h"
#include "gameserver/RoomManager.h"

namespace tavern::game {

using Protocol::ServerPacketHandler;

Room::Room(std::uint32_t id, const SchedulerRef& scheduler, const GameLimits& limits,
           std::weak_ptr<RoomManager> manager, std::string creator)
    : JobQueue(scheduler),
      _id(id),
      _limits(limits),
      _manager(std::move(manager)),
      _creator(std::move(creator)) {}

void Room::CancelEntry() {
    _reserved.fetch_sub(1, std::memory_order_relaxed);
    DoAsync(&Room::ArmReclaim);
}

void Room::ArmReclaim() {
    if (!_members.empty() || !_ghosts.empty()) return;
    DoTimer(std::chrono::duration_cast<Clock::duration>(_limits.emptyRoomGrace),
            &Room::ReclaimIfIdle);
}

void Room::ReclaimIfIdle() {
    // Someone came back; the last to leave arms a new check.
    if (!_members.empty() || !_ghosts.empty()) return;
    if (const auto manager = _manager.lock()) manager->ReclaimIfIdle(*this);
}

namespace {

const char* RequestName(RoomRequest::Kind kind) {
    switch (kind) {
        case RoomRequest::Kind::Enter: return "C_ENTER_GAME";
        case RoomRequest::Kind::Chat: return "C_CHAT";
        case RoomRequest::Kind::Move: return "C_MOVE";
        case RoomRequest::Kind::Leave: return "C_LEAVE_GAME";
    }
    return "unknown";
}

}  // namespace

void Room::RunRequests(PlayerRef player) {
    while (auto request = player->NextRequest(*this)) {
        // Caught here, not at the actor boundary: the drain must go on, or this player's later
        // requests would wait forever behind the one that threw.
        try {
            switch (request->kind) {
                case RoomRequest::Kind::Enter:
                    Enter(player);
                    break;
                case RoomRequest::Kind::Chat:
                    Chat(player, std::move(request->text));
                    break;
                case RoomRequest::Kind::Move:
                    Move(player, request->x, request->y);
                    break;
                case RoomRequest::Kind::Leave:
                    Leave(player, request->notify);
                    break;
            }
        } catch (const std::exception& e) {
            // Never silent: logged with the request, and the player, whose state in this room
            // is now unknown, is cut rather than left waiting for an answer.
            spdlog::error("room {}: a {} request of player {} ({} bytes of text) threw: {}", _id,
                          RequestName(request->kind), player->Id(), request->text.size(),
                          e.what());
            if (const auto session = player->Session())
                session->Cut(std::string("the room failed a request: ") + e.what());
        }
    }
}

void Room::Enter(const PlayerRef& player) {
    if (Diverted(RoomCall::Enter(player))) return;
    _reserved.fetch_sub(1, std::memory_order_relaxed);  // taken by RoomManager::Reserve
    if (const auto stale = _ghosts.find(player->Id());
        stale != _ghosts.end() && stale->second != player && !IsGhost(player)) {
        // A player of this node, still here as the ghost it was while on another node that is
        // gone (or let go of it without a word): the ghost leaves first (the others see it
        // despawn), then the player enters.
        const PlayerRef old = stale->second;
        Leave(old, false);
    }
    if (IsMember(player->Id())) {  // the session's own checks make this unreachable
        Protocol::S_ENTER_GAME refusal;
        refusal.set_success(false);
        refusal.set_reason("already in room " + std::to_string(_id));
        DeliverTo(player, ServerPacketHandler::MakeSendBuffer(refusal));
        return;
    }

    // Everyone already here: the first players in S_ENTER_GAME, the rest in S_SPAWNs, split
    // by encoded size so that no packet passes the wire format's limit.
    const bool ghost = IsGhost(player);
    std::vector<SendBufferRef> list =
        _ghosts.empty() ? MemberListPackets(_members, _limits.playersPerPacket)
                        : MemberListPackets(Everyone(), _limits.playersPerPacket);
    if (ghost) {
        _link->Direct(*player, std::move(list), true);
    } else {
        for (SendBufferRef& packet : list) player->Deliver(std::move(packet));
    }

    // The others hear of the entrant on the tick, with everything else (a join storm costs one
    // send per member per tick, not one per entrant per member).
    player->ArriveIn(_id);  // where it was saved in this room, else (0, 0)
    Protocol::S_SPAWN spawn;
    player->FillInfo(*spawn.add_players());
    BroadcastOnTick(ServerPacketHandler::MakeSendBuffer(spawn), player->Id());

    // Added even when the session is already gone: its Leave is queued right behind. It gets
    // what is added to the tick from now on.
    if (ghost) {
        AddGhost(player);
    } else {
        AddMember(player);
    }
    if (_link) _link->Joined(*player);
    spdlog::debug("room {}: player {} ({}) entered, {} here", _id, player->Id(), player->Name(),
                  _members.size());
}

void Room::Chat(const PlayerRef& player, std::string text) {
    if (_link && !_replaying && _link->Diverts()) {
        _link->Divert(RoomCall::Chat(player, std::move(text)));
        return;
    }
    if (!IsMember(player->Id())) {
        Refuse(player, static_cast<std::uint32_t>(Protocol::PacketId::C_CHAT),
               "not in room " + std::to_string(_id));
        return;
    }
    Protocol::S_CHAT chat;
    chat.set_player_id(player->Id());
    chat.set_msg(std::move(text));
    BroadcastOnTick(ServerPacketHandler::MakeSendBuffer(chat), 0);
}

void Room::Move(const PlayerRef& player, float x, float y) {
    if (Diverted(RoomCall::Move(player, x, y))) return;
    if (!IsMember(player->Id())) {
        Refuse(player, static_cast<std::uint32_t>(Protocol::PacketId::C_MOVE),
               "not in room " + std::to_string(_id));
        return;
    }
    player->SetPosition(x, y);
    Protocol::S_MOVE move;
    move.set_player_id(player->Id());
    move.set_x(x);
    move.set_y(y);
    BroadcastOnTick(ServerPacketHandler::MakeSendBuffer(move), player->Id());
}

void Room::Leave(const PlayerRef& player, bool notify) {
    if (Diverted(RoomCall::Leave(player, notify))) return;
    // A ghost is checked first: on the owner, a ghost's leave must not take a local player of
    // the same id (there is none, but the ghost is the one asking).
    const bool ghost = IsGhost(player);
    if (!(ghost ? RemoveGhost(player->Id()) : RemoveMember(player->Id()))) {
        if (notify)
            Refuse(player, static_cast<std::uint32_t>(Protocol::PacketId::C_LEAVE_GAME),
                   "not in room " + std::to_string(_id));
        return;
    }
    player->LeftRoom();
    ArmReclaim();  // if that was the last one

    if (notify) DeliverTo(player, ServerPacketHandler::MakeSendBuffer(Protocol::S_LEAVE_GAME{}));
    if (_link) _link->Left(*player);  // after: a ghost's S_LEAVE_GAME still goes to its node
    Protocol::S_DESPAWN despawn;
    despawn.add_player_ids(player->Id());
    BroadcastOnTick(ServerPacketHandler::MakeSendBuffer(despawn), 0);
    spdlog::debug("room {}: player {} left{}, {} here", _id, player->Id(),
                  notify ? "" : " (disconnected)", _members.size());
}

void Room::BroadcastOnTick(SendBufferRef buffer, std::uint64_t except) {
    if (_link) _link->Broadcast(buffer, except);  // the other nodes' members, on the owner
    _batch.Add(std::move(buffer), except);
    if (_limits.broadcastTick.count() <= 0) return Flush();
    if (_flushScheduled) return;
    _flushScheduled = true;
    DoTimer(GroupInterval(), &Room::FlushTick);
}

Clock::duration Room::GroupInterval() const {
    return std::chrono::duration_cast<Clock::duration>(_limits.broadcastTick) /
           static_cast<Clock::rep>(_batch.Groups());
}

void Room::FlushTick() {
    // One group per timer, in turn: every group's turn comes once per tick.
    const std::size_t group = _nextGroup;
    _nextGroup = (_nextGroup + 1) % _batch.Groups();
    _packetsOut.fetch_add(_batch.FlushGroup(group, _members), std::memory_order_relaxed);
    if (_batch.Empty()) {
        _flushScheduled = false;
        return;
    }
    DoTimer(GroupInterval(), &Room::FlushTick);
}

void Room::Flush() {
    _packetsOut.fetch_add(_batch.FlushAll(_members), std::memory_order_relaxed);
}

void Room::Regroup() {
    // Any time: every member keeps its own cursor into the pending packets.
    _batch.Regroup(_members.size(), _limits.broadcastGroupSize, _limits.broadcastGroups,
                   _limits.broadcastMaxGroupMembers);
    _nextGroup %= _batch.Groups();
}

void Room::Refuse(const PlayerRef& player, std::uint32_t requestId, std::string reason) const {
    Protocol::S_ERROR error;
    error.set_request_id(requestId);
    error.set_reason(std::move(reason));
    DeliverTo(player, ServerPacketHandler::MakeSendBuffer(error));
}

}  // namespace tavern::game
