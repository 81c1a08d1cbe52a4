#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "bus/Bus.h"
#include "bus/KvBucket.h"
#include "gameserver/ClusterLink.h"
#include "gameserver/ClusterOptions.h"
#include "jobs/JobQueue.h"

namespace tavern::game {

class SessionManager;

// This node's place in a cluster (gameserver --nats URL --node NAME), on the bus (bus/):
//   - the player directory: a key per online player's name in the JetStream key-value bucket
//     "tavern_players", holding the node it is on; written at login, deleted (only if still
//     ours) when the player goes;
//   - whispers to players on other nodes: a directory lookup, then a request to that node's
//     subject tavern.node.<node>.whisper (ClusterMessages.proto), answered "ok" or "offline";
//   - the same subject, subscribed here: whispers for this node's players.
// An actor of its own: the directory bookkeeping and the incoming whispers run as its jobs;
// the lookups and requests made for a session answer as jobs on that session.
//
// A stale directory entry (a node killed before it could delete it) does no harm: the request
// to a node that is gone finds no responders and the sender hears "not online".
class ClusterNode final : public JobQueue, public ClusterLink {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Blocking (not on a worker): connects to NATS, opens the directory, subscribes. Throws
    // std::runtime_error with a one-line reason.
    static std::shared_ptr<ClusterNode> Start(const SchedulerRef& scheduler, ClusterOptions options,
                                              std::weak_ptr<SessionManager> sessions);
    ClusterNode(PrivateTag, const SchedulerRef& scheduler, ClusterOptions options,
                std::weak_ptr<SessionManager> sessions);

    // Blocking (not on a worker); idempotent: stops taking whispers for this node and closes the
    // node's queue. The connection closes when the node is destroyed.
    void Stop();

    // ClusterLink
    void PlayerOnline(std::uint64_t playerId, const std::string& name) override;
    void PlayerOffline(std::uint64_t playerId) override;
    void Whisper(GameSession& from, const Player& sender, const std::string& to,
                 const std::string& msg) override;

    // Safe from any thread: the directory key of a player name (hex: names may hold characters
    // a key may not).
    static std::string DirectoryKey(const std::string& name);
    // Safe from any thread: the node and the player id a directory entry's value names.
    static std::string EntryNodeOf(const std::string& value);
    static std::uint64_t EntryPlayerOf(const std::string& value);

    // Safe from any thread once started: what the cluster's other services (KickRelay) share.
    const bus::BusRef& Connection() const { return _bus; }
    const bus::KvBucketRef& Directory() const { return _directory; }
    const ClusterOptions& Options() const { return _options; }

private:
    struct Online {
        std::string name;
        std::uint64_t revision = 0;  // of our directory entry, once written
        int logins = 0;              // a takeover on this node adds before it removes
        bool gone = false;           // removed while its write was on its way
    };

    // Blocking, from Start.
    void Open();
    // On this node's jobs.
    void AddOnQueue(std::uint64_t playerId, const std::string& name);
    void RemoveOnQueue(std::uint64_t playerId);
    void Written(std::uint64_t playerId, AskResult<bus::KvWrite> result);
    void OnWhisperRelay(bus::BusMessage& message);

    const ClusterOptions _options;
    const std::weak_ptr<SessionManager> _sessions;
    bus::BusRef _bus;
    bus::KvBucketRef _directory;
    bus::BusSubscriptionRef _whispers;
    std::unordered_map<std::uint64_t, Online> _online;  // on this node's jobs only
};

}  // namespace tavern::game
