#include "gameserver/Player.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "Protocol.pb.h"
#include "gameserver/Room.h"

namespace tavern::game {

Player::Player(std::uint64_t id, std::string name, std::size_t outboxLimit,
               Clock::duration keepFor)
    : _id(id), _name(std::move(name)), _outbox(outboxLimit, keepFor) {}

void Player::SetPosition(float x, float y) {
    _x = x;
    _y = y;
    _saved.x = x;
    _saved.y = y;
    if (_sink) _sink->Mark(_id, _saved, false);
}

void Player::ArriveIn(std::uint32_t roomId) {
    if (roomId != _saved.roomId) _saved = SavedPosition{roomId, 0, 0};
    _x = _saved.x;
    _y = _saved.y;
    if (_sink) _sink->Mark(_id, _saved, false);
}

void Player::LeftRoom() {
    if (_sink) _sink->Mark(_id, _saved, true);
}

void Player::Restore(const SavedPosition& saved, std::shared_ptr<PlayerStateSink> sink) {
    _saved = saved;
    _sink = std::move(sink);
}

bool Player::Idle() {
    std::lock_guard guard(_lock);
    return _requests.empty() && !_draining;
}

void Player::FillInfo(Protocol::PlayerInfo& info) const {
    info.set_player_id(_id);
    info.set_name(_name);
    info.set_x(_x);
    info.set_y(_y);
}

void Player::PostRequest(RoomRequest request) {
    std::shared_ptr<Room> wake;
    {
        std::lock_guard guard(_lock);
        _requests.push_back(std::move(request));
        if (_draining) return;  // the room that drains will reach it
        wake = _requests.front().room.lock();
        if (!wake) {
            _requests.clear();  // only at shutdown: the rooms are gone
            return;
        }
        _draining = true;
    }
    // Pushed outside the lock: a push may run the job on this very thread.
    wake->DoAsync(&Room::RunRequests, shared_from_this());
}

std::optional<RoomRequest> Player::NextRequest(const Room& room) {
    std::shared_ptr<Room> next;
    {
        std::lock_guard guard(_lock);
        while (!_requests.empty()) {
            next = _requests.front().room.lock();
            if (next) break;
            _requests.pop_front();  // its room is gone (shutdown): nothing to run it on
        }
        if (_requests.empty()) {
            _draining = false;
            return std::nullopt;
        }
        if (next.get() == &room) {
            RoomRequest request = std::move(_requests.front());
            _requests.pop_front();
            return request;
        }
        // The next request is for another room (left one, entering another): hand over. Only
        // now, after this room ran everything before it, so two rooms never touch the player
        // at once.
    }
    next->DoAsync(&Room::RunRequests, shared_from_this());
    return std::nullopt;
}

}  // namespace tavern::game
