#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bus/BusMessage.h"
#include "bus/BusSubscription.h"
#include "gameserver/Player.h"
#include "gameserver/RemoteTakeover.h"
#include "jobs/JobQueue.h"

namespace tavern::game {

class ClusterNode;
struct GameContext;

// Duplicate logins across the nodes of a cluster. A login granted here to an account that the
// player directory lists on another node asks that node, on its subject
// tavern.node.<node>.kick (ClusterMessages.proto: KickRequest / KickReply), to end the
// session there, as a takeover on one node does: S_KICKED, the player leaves its room (or, if it
// was away, leaves for good), and its state is saved. The answer comes once the save has
// landed (or the wait ran out) and carries where the player was left, and the new login goes
// on from there.
//
// An actor of its own: the kicks it serves run as its jobs. The asking half runs on the
// logging-in session's jobs. A node that is gone (no responders), a bus that is away or an
// answer that does not come within the request time lets the login go on with the store's
// state: a node that cannot be reached cannot be serving the account either for long (its
// players reconnect elsewhere), and refusing every login while the bus is away would stop
// logins on every node.
class KickRelay final : public JobQueue, public RemoteTakeover {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Blocking (not on a worker): subscribes to this node's kick subject. Throws
    // std::runtime_error with a one-line reason.
    static std::shared_ptr<KickRelay> Start(const SchedulerRef& scheduler,
                                            std::shared_ptr<ClusterNode> node,
                                            std::weak_ptr<const GameContext> context);
    KickRelay(PrivateTag, const SchedulerRef& scheduler, std::shared_ptr<ClusterNode> node,
              std::weak_ptr<const GameContext> context);

    // Blocking (not on a worker); idempotent: stops serving kicks and closes the queue.
    void Stop();

    // RemoteTakeover: on `session`'s job queue.
    void EndElsewhere(GameSession& session, std::uint64_t playerId, const std::string& name,
                      Then then) override;

    // Safe from any thread: this node's kick subject.
    static std::string Subject(const std::string& node);

private:
    struct Kick {
        bus::BusMessage request;
        std::uint64_t playerId = 0;
        PlayerRef player;                      // the one ended here, if any
        std::optional<SavedPosition> pending;  // a state of it on its way to the store
        Clock::time_point deadline;
    };

    // On this actor's jobs.
    void OnKick(bus::BusMessage& message);
    void AwaitGone(std::shared_ptr<Kick> kick);
    void Answer(const Kick& kick);

    const std::shared_ptr<ClusterNode> _node;
    const std::weak_ptr<const GameContext> _context;
    bus::BusSubscriptionRef _subscription;
};

}  // namespace tavern::game
