#include "gameserver/GameSession.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "ServerPackets.h"
#include "gameserver/LoginFlow.h"
#include "gameserver/PlayerDirectory.h"
#include "gameserver/NameValidator.h"

namespace tavern::game {

using Protocol::PacketId;
using Protocol::ServerPacketHandler;

namespace {

constexpr auto RequestId(PacketId id) {
    return static_cast<std::uint32_t>(id);
}

// The first bytes of a payload in hex, for a log line.
std::string HexPrefix(std::span<const std::byte> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 32); ++i) {
        const auto b = std::to_integer<unsigned>(bytes[i]);
        text += kDigits[b >> 4];
        text += kDigits[b & 15];
    }
    if (bytes.size() > 32) text += "...";
    return text;
}

}  // namespace

GameSession::GameSession(std::shared_ptr<const GameContext> context)
    : _context(std::move(context)),
      _enters(_context->limits.roomEntersPerSecond, _context->limits.roomEnterBurst),
      _creates(_context->limits.roomCreatesPerSecond, _context->limits.roomCreateBurst) {}

void GameSession::OnConnected() {
    _context->sessions->AddSession(Self());
}

void GameSession::OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) {
    // A login (or resume) starts the count, itself not counted; a resume sets it while handled.
    const bool login = id == static_cast<std::uint16_t>(PacketId::C_LOGIN) && !_player &&
                       !_loginPending;
    if (login) _handled = 0;
    try {
        ServerPacketHandler::HandlePacket(*this, id, payload);
    } catch (const std::exception& e) {
        // Logged with the packet that caused it; the session is then cut (a protocol error,
        // counted), so the client is never left waiting for an answer that will not come.
        std::uint64_t suppressed = 0;
        if (AllowErrorLog(kProtocolErrorKinds + 1, suppressed))
            spdlog::error("session {} ({}): the handler of {} ({} payload bytes: {}) threw: {}{}",
                          Session::Id(), PeerAddress().ToString(),
                          Protocol::ToString(static_cast<PacketId>(id)), payload.size(),
                          id == static_cast<std::uint16_t>(PacketId::C_LOGIN)
                              ? std::string("not shown: a password or resume token")
                              : HexPrefix(payload),
                          e.what(), MoreLikeIt(suppressed));
        ReportProtocolError(ProtocolError::HandlerException,
                            std::string(Protocol::ToString(static_cast<PacketId>(id))) + ": " +
                                e.what());
    }
    if (!login) ++_handled;
}

void GameSession::OnDisconnected() {
    _disconnected = true;
    if (_player) {
        if (_context->directory) _context->directory->Release(_player->Id(), this);
        ResumeRegistry& resumes = *_context->resumes;
        if (!_leftGame && resumes.Enabled()) {
            // Away: it stays in its room, others see nothing, a resume may take it back.
            _player->SetHandled(_handled);
            resumes.MarkAway(std::move(_player), std::move(_room), this);
        } else {
            resumes.Revoke(_player->Id());
            if (_room) _player->PostRequest(RoomRequest::Leave(_room, false));
            _context->sessions->RemovePlayer(_player->Id());
        }
        _room.reset();
        _player.reset();  // the room's pending jobs hold it until they are done
    }
    _context->sessions->RemoveSession(Session::Id());
}

void GameSession::Login(const Protocol::C_LOGIN& pkt) {
    if (_player) return RefuseLogin("already logged in as " + _player->Name());
    // Answered, but the login under way goes on: it alone may end the wait.
    if (_loginPending) return SendLoginRefusal("a login is already under way");
    if (!pkt.resume_token().empty()) return Resume(pkt);
    const std::string& name = pkt.name();
    if (name.empty()) return RefuseLogin("the name is empty");
    if (name.size() > _context->limits.maxNameBytes)
        return RefuseLogin("the name is longer than " +
                           std::to_string(_context->limits.maxNameBytes) + " bytes");
    if (std::string problem = CheckName(name); !problem.empty())
        return RefuseLogin(std::move(problem));

#if TAVERN_GAME_ACCOUNTS
    if (_context->accounts) {
        _loginPending = true;
        return LoginFlow::Start(*this, _context, name, pkt.password());
    }
#endif
    // No database: any name logs in, with a player id for this server's lifetime.
    FinishLogin(_context->sessions->NextPlayerId(), name, SavedPosition{}, false);
}

void GameSession::FinishLogin(std::uint64_t playerId, const std::string& name,
                              const SavedPosition& saved, bool created) {
    _loginPending = false;
    if (_disconnected) {  // gone while the login was answered: let go of the account's entry
        if (_context->directory) _context->directory->Release(playerId, this);
        return;
    }
    ResumeRegistry& resumes = *_context->resumes;
    // Without resume nothing needs keeping: a zero bound drops each packet once sent.
    _player = std::make_shared<Player>(
        playerId, name, resumes.Enabled() ? _context->limits.resumeBuffer : 0,
        std::chrono::duration_cast<Clock::duration>(_context->limits.resumeWindow));
    _player->Restore(saved, _context->saves);
    _context->sessions->AddPlayer(_player);
    Protocol::S_LOGIN answer;
    answer.set_success(true);
    answer.set_player_id(playerId);
    answer.set_created(created);
    answer.set_last_room_id(saved.roomId);
    answer.set_x(saved.x);
    answer.set_y(saved.y);
    if (resumes.Enabled()) answer.set_resume_token(resumes.Issue(_player));
    _leftGame = false;
    // S_LOGIN itself is not numbered; what follows it is.
    _player->Outbox().Attach(Self(), ServerPacketHandler::MakeSendBuffer(answer));
    spdlog::debug("session {}: logged in as {} (player {})", Session::Id(), name, playerId);
}

PlayerRef GameSession::KickForTakeover(const std::string& reason) {
    PlayerRef player = std::move(_player);
    if (!player) return nullptr;
    Protocol::S_KICKED kicked;
    kicked.set_reason(reason);
    Send(ServerPacketHandler::MakeSendBuffer(kicked));
    _context->resumes->Revoke(player->Id());
    if (_room) {
        player->PostRequest(RoomRequest::Leave(_room, false));
        _room.reset();
    }
    _context->sessions->RemovePlayer(player->Id());
    DisconnectAfterSend("taken over by a newer login");
    return player;
}

void GameSession::EnterGame(const Protocol::C_ENTER_GAME& pkt) {
    if (!_player) return RefuseEnter("log in first");
    if (_room) return RefuseEnter("already in room " + std::to_string(_room->RoomId()));
    if (!_enters.Take()) return RefuseEnter("entering rooms too often; wait a moment");
    std::string reason;
    bool created = false;
    RoomRef room = _context->rooms->Reserve(pkt.room_id(), PeerAddress().Ip(),
                                            _creates.Available(), created, reason);
    if (!room) return RefuseEnter(std::move(reason));
    if (created) _creates.Take();
    // A soft cap: concurrent entries may pass it by a few, which is harmless.
    if (room->MemberCount() >= _context->limits.maxPlayersPerRoom) {
        room->CancelEntry();
        return RefuseEnter("room " + std::to_string(pkt.room_id()) + " is full");
    }
    _room = room;
    _leftGame = false;
    _player->PostRequest(RoomRequest::Enter(_room));
}

void GameSession::EntryRefused(const Room& room) {
    if (_room.get() == &room) _room.reset();
}

void GameSession::Chat(Protocol::C_CHAT& pkt) {
    const auto request = RequestId(PacketId::C_CHAT);
    if (!_player) return SendError(request, "log in first");
    if (!_room) return SendError(request, "enter a room first");
    if (pkt.msg().empty()) return SendError(request, "the message is empty");
    if (pkt.msg().size() > _context->limits.maxChatBytes)
        return SendError(request, "the message is longer than " +
                                      std::to_string(_context->limits.maxChatBytes) + " bytes");
    _player->PostRequest(RoomRequest::Chat(_room, std::move(*pkt.mutable_msg())));
}

void GameSession::Move(const Protocol::C_MOVE& pkt) {
    const auto request = RequestId(PacketId::C_MOVE);
    if (!_player) return SendError(request, "log in first");
    if (!_room) return SendError(request, "enter a room first");
    if (!std::isfinite(pkt.x()) || !std::isfinite(pkt.y()))
        return SendError(request, "the position is not a finite number");
    _player->PostRequest(RoomRequest::Move(_room, pkt.x(), pkt.y()));
}

void GameSession::LeaveGame() {
    const auto request = RequestId(PacketId::C_LEAVE_GAME);
    if (!_player) return SendError(request, "log in first");
    if (!_room) return SendError(request, "not in a room");
    _player->PostRequest(RoomRequest::Leave(_room, true));
    _room.reset();
    _leftGame = true;
}

void GameSession::Ping(const Protocol::C_PING& pkt) {
    Protocol::S_PONG pong;
    pong.set_client_time(pkt.client_time());
    Deliver(ServerPacketHandler::MakeSendBuffer(pong));
}

void GameSession::SendError(std::uint32_t requestId, std::string reason) {
    spdlog::debug("session {}: refused {}: {}", Session::Id(),
                  Protocol::ToString(static_cast<PacketId>(requestId)), reason);
    Protocol::S_ERROR error;
    error.set_request_id(requestId);
    error.set_reason(std::move(reason));
    Deliver(ServerPacketHandler::MakeSendBuffer(error));
}

void GameSession::RefuseLogin(std::string reason) {
    _loginPending = false;
    SendLoginRefusal(std::move(reason));
}

void GameSession::SendLoginRefusal(std::string reason) {
    spdlog::debug("session {}: login refused: {}", Session::Id(), reason);
    Protocol::S_LOGIN answer;
    answer.set_success(false);
    answer.set_reason(std::move(reason));
    Deliver(ServerPacketHandler::MakeSendBuffer(answer));
}

void GameSession::RefuseEnter(std::string reason) {
    spdlog::debug("session {}: enter refused: {}", Session::Id(), reason);
    Protocol::S_ENTER_GAME answer;
    answer.set_success(false);
    answer.set_reason(std::move(reason));
    Deliver(ServerPacketHandler::MakeSendBuffer(answer));
}

void GameSession::Deliver(SendBufferRef buffer) {
    if (_player) return _player->Deliver(std::move(buffer));
    Send(std::move(buffer));
}

}  // namespace tavern::game
