#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "core/PacketSession.h"
#include "jobs/JobQueue.h"

namespace lobby {

// The one room: an actor, so Join and Say run one at a time on its own queue, whichever
// sessions' threads ask.
class LobbyRoom final : public tavern::JobQueue {
public:
    explicit LobbyRoom(const tavern::SchedulerRef& scheduler) : JobQueue(scheduler) {}

    // On this room's queue (send them with DoAsync).
    void Join(tavern::PacketSessionRef session, std::string name);
    void Say(std::uint64_t sessionId, std::string text);

private:
    struct Member {
        std::weak_ptr<tavern::PacketSession> session;
        std::string name;
    };
    std::unordered_map<std::uint64_t, Member> _members;
};

}  // namespace lobby
