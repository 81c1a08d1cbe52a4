#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gameserver/PlayerOutbox.h"
#include "gameserver/PlayerStateSink.h"
#include "gameserver/RoomRequest.h"

namespace Protocol {
class PlayerInfo;
}

namespace tavern::game {

class GameSession;
class Player;
class Room;
using PlayerRef = std::shared_ptr<Player>;

// A logged-in player. Its session owns it; the room it is in holds it too. It holds its session
// WEAKLY (through its outbox), so no Session <-> Player cycle has to be broken by hand: when the
// session goes, the player goes with the last room job that still refers to it. While it is
// away (its connection dropped, a resume may come) the ResumeRegistry holds it instead.
//
// Everything sent to the player after its login goes through its PlayerOutbox (Deliver), which
// numbers and keeps it for a resume.
//
// The player also keeps its requests to rooms in order. A room's mailbox keeps order only per
// pushing thread, and a session's jobs may run on any worker, so "enter, then chat" pushed
// straight to the room could arrive as "chat, then enter". Requests queue here instead, and the
// room drains them in the order the session made them.
class Player : public std::enable_shared_from_this<Player> {
public:
    // `outboxLimit` and `keepFor`: the PlayerOutbox's bounds.
    Player(std::uint64_t id, std::string name, std::size_t outboxLimit, Clock::duration keepFor);

    // Safe from any thread: fixed at login.
    std::uint64_t Id() const { return _id; }
    const std::string& Name() const { return _name; }
    // Safe from any thread: the player's session, or nullptr while it has none (away, gone).
    std::shared_ptr<GameSession> Session() const { return _outbox.Session(); }
    // Safe from any thread: sends `buffer` (whole packets) to the player, numbered and kept
    // for a resume, whether it is connected or away.
    void Deliver(SendBufferRef buffer) { _outbox.Deliver(std::move(buffer)); }
    PlayerOutbox& Outbox() { return _outbox; }

    // The client packets handled since the login (a resume's own C_LOGIN not counted). Kept
    // by the session while it holds the player; set here when it lets go (a drop, a resume
    // elsewhere), read by the session that takes it.
    std::uint64_t Handled() const { return _handled.load(std::memory_order_acquire); }
    void SetHandled(std::uint64_t handled) { _handled.store(handled, std::memory_order_release); }

    // On the job queue of the room the player is in.
    float X() const { return _x; }
    float Y() const { return _y; }
    void SetPosition(float x, float y);
    void FillInfo(Protocol::PlayerInfo& info) const;
    // On the room's job queue: the player arrives in `roomId`, where it was when it was there
    // last (its saved position), or at (0, 0) in another room.
    void ArriveIn(std::uint32_t roomId);
    // On the room's job queue: the player left its room (or dropped); its state is saved soon.
    void LeftRoom();

    // On the session's job queue, before its first request: where the player was saved, and
    // where its state goes (nullptr: nowhere).
    void Restore(const SavedPosition& saved, std::shared_ptr<PlayerStateSink> sink);
    // Safe from any thread: whether no room request is queued or running.
    bool Idle();
    // The room and position last had; read once Idle() (the rooms are done with it).
    SavedPosition Position() const { return _saved; }

    // On the session's job queue: queues `request` behind this player's earlier ones and makes
    // sure its room will run it.
    void PostRequest(RoomRequest request);
    // On `room`'s job queue: the next request, if it is for `room`. When the next one is for
    // another room, that room is asked to go on; when none is left, draining stops.
    std::optional<RoomRequest> NextRequest(const Room& room);

private:
    // Under _lock: asks the room of the first request to drain; false if that room is gone.
    bool ScheduleFront();

    const std::uint64_t _id;
    const std::string _name;
    PlayerOutbox _outbox;
    std::atomic<std::uint64_t> _handled{0};
    float _x = 0;
    float _y = 0;
    SavedPosition _saved;  // the room it is in or left last, and its position there
    std::shared_ptr<PlayerStateSink> _sink;

    std::mutex _lock;
    std::deque<RoomRequest> _requests;
    bool _draining = false;  // a room has been asked to run _requests.front()
};

}  // namespace tavern::game
