#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace tavern::game {

class Room;

// One thing a player asks of its room. The session makes it; the room runs it on its job queue.
// The room is held weakly: a request queued at shutdown must not keep its room (and the room
// its players) alive.
struct RoomRequest {
    enum class Kind : std::uint8_t { Enter, Chat, Move, Leave };

    Kind kind = Kind::Enter;
    std::weak_ptr<Room> room;
    std::string text;    // Chat
    float x = 0;         // Move
    float y = 0;         // Move
    bool notify = true;  // Leave: false when the session is gone and wants no S_LEAVE_GAME

    static RoomRequest Enter(std::weak_ptr<Room> room) {
        return Make(Kind::Enter, std::move(room));
    }
    static RoomRequest Chat(std::weak_ptr<Room> room, std::string text) {
        RoomRequest request = Make(Kind::Chat, std::move(room));
        request.text = std::move(text);
        return request;
    }
    static RoomRequest Move(std::weak_ptr<Room> room, float x, float y) {
        RoomRequest request = Make(Kind::Move, std::move(room));
        request.x = x;
        request.y = y;
        return request;
    }
    static RoomRequest Leave(std::weak_ptr<Room> room, bool notify) {
        RoomRequest request = Make(Kind::Leave, std::move(room));
        request.notify = notify;
        return request;
    }

private:
    static RoomRequest Make(Kind kind, std::weak_ptr<Room> room) {
        RoomRequest request;
        request.kind = kind;
        request.room = std::move(room);
        return request;
    }
};

}  // namespace tavern::game
