#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/PacketSession.h"
#include "gameserver/GameContext.h"
#include "gameserver/Player.h"
#include "gameserver/ResumeRegistry.h"
#include "gameserver/Room.h"
#include "gameserver/TokenBucket.h"

namespace Protocol {
class C_LOGIN;
class C_ENTER_GAME;
class C_CHAT;
class C_MOVE;
class C_PING;
}  // namespace Protocol

namespace tavern::game {

class GameSession;
using GameSessionRef = std::shared_ptr<GameSession>;

// One game client's connection. Packets arrive on the session's job queue, go through the
// generated ServerPacketHandler, and land in the request methods below, which answer at once or
// pass the request on to the player's room. The session owns its Player (the player refers back
// weakly). Out-of-order requests are refused with a reason, never dropped:
//
//   not logged in --C_LOGIN--> logged in --C_ENTER_GAME--> in a room --C_LEAVE_GAME--> logged in
//
// A disconnect after C_LEAVE_GAME (or with resume off) takes the player out of its room and out
// of the SessionManager. Any other end of the connection leaves the player away (see
// ResumeRegistry) until a C_LOGIN with its resume token takes it back on another session.
//
// Counting for a resume: the session counts the client packets it handled since the login
// (every packet dispatched, a refused one included; the login's and a resume's own C_LOGIN
// not), and everything sent to the player after its S_LOGIN goes through its PlayerOutbox.
class GameSession final : public PacketSession {
public:
    explicit GameSession(std::shared_ptr<const GameContext> context);

    // The requests, on this session's job queue (called by the Handle_C_* functions).
    void Login(const Protocol::C_LOGIN& pkt);
    void EnterGame(const Protocol::C_ENTER_GAME& pkt);
    void Chat(Protocol::C_CHAT& pkt);
    void Move(const Protocol::C_MOVE& pkt);
    void LeaveGame();
    void Ping(const Protocol::C_PING& pkt);

    // On this session's job queue: an S_ERROR refusing the request whose packet id is
    // `requestId` (through the player's outbox once logged in).
    void SendError(std::uint32_t requestId, std::string reason);

    // On this session's job queue: `room` refused the entry this session asked of it (a room
    // of a cluster whose owner was out of reach); the player may enter a room again.
    void EntryRefused(const Room& room);

    // On this session's job queue (LoginFlow): the login was granted; makes the player, restored
    // to `saved`, and answers S_LOGIN. Does nothing once the session is disconnected.
    void FinishLogin(std::uint64_t playerId, const std::string& name, const SavedPosition& saved,
                     bool created);
    // On this session's job queue: answers S_LOGIN { success = false, reason }; the login that
    // was under way, if any, has ended.
    void RefuseLogin(std::string reason);
    // On this session's job queue: a newer login took the account over. Sends S_KICKED, lets
    // the player leave its room, closes the session; returns the player (nullptr if none).
    PlayerRef KickForTakeover(const std::string& reason);
    // On this session's job queue: a resume on another session takes the player over. Leaves
    // it away in the ResumeRegistry (with the count of packets handled), for that session to
    // take, and closes; false if it had no player.
    bool ReleaseForResume();

    // Any thread while the session is alive: a shared handle to it.
    GameSessionRef Self() { return SharedAs<GameSession>(); }

    // On this session's job queue: the logged-in player, or nullptr.
    const PlayerRef& GetPlayer() const { return _player; }
    // Safe from any thread: what the server's sessions share.
    const GameContext& Context() const { return *_context; }

protected:
    void OnConnected() override;
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override;
    void OnDisconnected() override;

private:
    // S_LOGIN { success = false, reason }, leaving a login under way alone.
    void SendLoginRefusal(std::string reason);
    void RefuseEnter(std::string reason);
    // On this session's job queue: to the player's outbox once logged in, else straight out.
    void Deliver(SendBufferRef buffer);
    void Resume(const Protocol::C_LOGIN& pkt);
    void CompleteResume(ResumeRegistry::Claim claim, std::uint64_t received,
                        const std::string& token);
    void RefuseResume();

    const std::shared_ptr<const GameContext> _context;
    // On this session's job queue only.
    PlayerRef _player;
    RoomRef _room;  // the room entered last, until C_LEAVE_GAME or the disconnect
    bool _loginPending = false;  // a password login is on the store's executor
    bool _disconnected = false;
    bool _leftGame = false;      // the last room request was C_LEAVE_GAME: a drop is a logout
    std::uint64_t _handled = 0;  // client packets handled since the login (see above)
    TokenBucket _enters;   // room changes
    TokenBucket _creates;  // rooms made
};

}  // namespace tavern::game
