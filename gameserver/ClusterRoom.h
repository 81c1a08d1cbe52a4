#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/Lease.h"
#include "gameserver/RoomLink.h"

namespace tavern::cluster {
class RoomCall;
class RoomDirect;
class RoomEnvelope;
class RoomTick;
}  // namespace tavern::cluster

namespace tavern::game {

class Room;
class RoomDirectory;

// A room's side in a cluster (RoomLink), on the bus. Every room on a cluster node has one, and
// claims the room's lease (RoomDirectory: key r.<id> of the bucket tavern_rooms) from its first
// job on, for as long as it lives. Whoever holds the lease owns the room:
//
//   Unknown --lease acquired--> Owner      runs the room; other nodes' players are ghosts;
//      |                          ^  |      each tick goes once to each node with members
//      |  another node holds it   |  |  the key holds another node (the lease was taken)
//      v                          |  v
//   Proxy(owner) ----lease acquired (the owner's lapsed: killed, or gone from the bus)
//                 passes its players' requests on; fans the owner's ticks out here
//
// Taking over keeps this node's members in the room and despawns the old owner's players for
// them; the members of other live nodes stay in the room for everyone ("expected": their nodes
// move them in with a REJOIN marked `kept`, which spawns nobody; those not moved in within a
// lease time are despawned). A Proxy whose owner changes between two other nodes does the same
// from its side: it despawns the old owner's players for its members and moves them in, kept.
// Losing the room as its owner moves this node's members to the new owner (REJOIN): they see
// the others despawn and spawn again. While the bus is away a Proxy refuses what needs the
// owner, with a reason, and an Owner goes on with its own players. An entry that finds no
// owner to answer it within two lease times is refused (S_ENTER_GAME with a reason) and may be
// tried again. Every method runs on the room's job queue.
class ClusterRoom final : public RoomLink {
public:
    ClusterRoom(Room& room, std::shared_ptr<RoomDirectory> directory);
    // Stops the lease (its key is released), leaves the directory.
    ~ClusterRoom() override;

    // RoomLink
    void Start() override;
    bool Diverts() const override { return _role != Role::Owner; }
    void Divert(RoomCall call) override;
    void Broadcast(const SendBufferRef& packet, std::uint64_t except) override;
    void Direct(const Player& player, std::vector<SendBufferRef> packets, bool entered) override;
    void Joined(const Player& player) override;
    void Left(const Player& player) override;
    bool IsGhost(const Player& player) const override;

    // On the room's job queue (from RoomDirectory): a message for this room; its owner changed
    // ("" when none).
    void OnEnvelope(const cluster::RoomEnvelope& envelope);
    void OnOwner(const std::string& owner);
    // On the room's job queue (from RoomDirectory's liveness): `node` sent no heartbeat for a
    // lease time (its players leave, the others see them despawn); the owner `owner` no longer
    // holds this node's members (they move in again).
    void OnNodeGone(const std::string& node);
    void OnDropped(const std::string& owner);

private:
    enum class Role : std::uint8_t { Unknown, Owner, Proxy };
    struct Ghost {
        PlayerRef player;
        std::string node;
    };
    struct Pending {  // an entry passed on to the owner, not answered yet
        PlayerRef player;
        bool leaving = false;
        bool notify = false;
    };

    void OnLease(bus::LeaseEvent event);
    void CheckUnknown();
    void BecomeOwner(const char* why);
    void BecomeProxy(const std::string& owner);
    // `kept`: the owner changed between two other nodes; only the old owner's players go.
    void MoveTo(const std::string& owner, bool kept);
    void DespawnForLocals(std::vector<std::uint64_t> ids);
    void Forward(RoomCall call);
    void Refuse(const RoomCall& call, const std::string& reason);
    void SendCall(cluster::RoomEnvelope& envelope);
    void OnCall(const cluster::RoomCall& call);
    void OnRejoin(const cluster::RoomCall& call);
    void OnTick(const cluster::RoomTick& tick);
    void OnDirect(const cluster::RoomDirect& direct);
    void AnswerNotMember(const cluster::RoomCall& call, std::uint32_t requestId);
    // Any thread: a RoomDirect from this room's owner (this node) for `playerId`, to fill in.
    cluster::RoomEnvelope DirectTo(std::uint64_t playerId) const;
    void ScheduleTick();
    void FlushTick();
    PlayerRef LocalPlayer(std::uint64_t id) const;
    // ClusterRoomTakeover.cpp: the nodes and members known to the directory, the players
    // expected after a takeover, the bound on an entry's wait.
    void CountNode(const std::string& node, int delta);
    void ReleaseNodes();
    void SyncMembership();
    void ExpectAfterTakeover(const std::string& previous);
    bool AdoptExpected(const cluster::RoomCall& call);
    void ForgetExpected(std::uint64_t id);
    void ExpireExpected(std::uint64_t round);
    void RosterLeft(std::uint64_t id);
    bool RosterHas(const std::string& node) const;
    void ArmEntryWait(std::uint64_t playerId);
    void EntryTimedOut(std::uint64_t playerId, std::uint64_t ticket);

    Room& _room;
    const std::shared_ptr<RoomDirectory> _directory;
    const std::uint32_t _id;
    Role _role = Role::Unknown;
    std::uint64_t _unknownChecks = 0;  // CheckUnknown's rounds, to ask the bucket every other
    std::string _owner;                // Proxy: the owner node
    std::string _released;             // Unknown: the owner that let the room go
    bus::LeaseRef _lease;
    std::deque<RoomCall> _waiting;  // Unknown: requests held until the owner is known
    // Owner: the other nodes' players, and how many each node has.
    std::unordered_map<std::uint64_t, Ghost> _ghosts;
    std::unordered_map<std::string, std::size_t> _nodes;
    std::unique_ptr<cluster::RoomEnvelope> _tick;  // this tick's packets for the other nodes
    bool _tickScheduled = false;
    // Proxy: every member of the room and its node; the entries on their way.
    std::unordered_map<std::uint64_t, std::string> _roster;
    std::unordered_map<std::uint64_t, Pending> _pending;
    // Calls from other nodes that came before this node's lease said Acquired.
    std::vector<std::unique_ptr<cluster::RoomCall>> _early;
    // Owner, after a takeover: members of other live nodes not moved in yet, and their node.
    std::unordered_map<std::uint64_t, std::string> _expected;
    std::uint64_t _expectedRound = 0;
    bool _enteredWhileExpected = false;
    std::string _membersOwner;  // the owner this node's members are reported at
    // Entries waiting for an owner (held or passed on): their timer's ticket.
    std::unordered_map<std::uint64_t, std::uint64_t> _entryWaits;
    std::uint64_t _nextTicket = 0;
};

}  // namespace tavern::game
