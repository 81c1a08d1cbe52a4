#include "gameserver/KickRelay.h"

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "ClusterMessages.pb.h"
#include "bus/BusError.h"
#include "gameserver/AccountService.h"
#include "gameserver/ClusterNode.h"
#include "gameserver/GameContext.h"
#include "gameserver/GameSession.h"
#include "gameserver/ResumeRegistry.h"
#include "jobs/Ask.h"

namespace tavern::game {

namespace {

constexpr auto kKickReason = "logged in on another node";
// How long the old node waits for the player to leave its room and for its save to land;
// the asking node waits a little longer for the answer.
constexpr auto kGoneWait = std::chrono::seconds(3);
constexpr auto kKickTimeout = std::chrono::seconds(5);
constexpr auto kPoll = std::chrono::milliseconds(5);

}  // namespace

std::string KickRelay::Subject(const std::string& node) {
    return "tavern.node." + node + ".kick";
}

std::shared_ptr<KickRelay> KickRelay::Start(const SchedulerRef& scheduler,
                                            std::shared_ptr<ClusterNode> node,
                                            std::weak_ptr<const GameContext> context) {
    auto relay =
        std::make_shared<KickRelay>(PrivateTag{}, scheduler, std::move(node), std::move(context));
    try {
        relay->_subscription = relay->_node->Connection()->Subscribe(
            Subject(relay->_node->Options().node), relay->weak_from_this(),
            [self = relay.get()](bus::BusMessage& message) { self->OnKick(message); });
    } catch (const bus::BusError& e) {
        throw std::runtime_error(std::string("cluster: ") + e.what());
    }
    return relay;
}

KickRelay::KickRelay(PrivateTag, const SchedulerRef& scheduler, std::shared_ptr<ClusterNode> node,
                     std::weak_ptr<const GameContext> context)
    : JobQueue(scheduler), _node(std::move(node)), _context(std::move(context)) {}

void KickRelay::Stop() {
    _subscription.reset();
    Close();
}

// --- the node that had the account ---------------------------------------------------------

void KickRelay::OnKick(bus::BusMessage& message) {
    cluster::KickRequest request;
    const auto context = _context.lock();
    if (!request.ParseFromString(message.data) || !context) {
        _node->Connection()->Respond(message, cluster::KickReply().SerializeAsString());
        return;
    }
    auto kick = std::make_shared<Kick>();
    kick->request = std::move(message);
    kick->playerId = request.player_id();
    kick->deadline = Clock::now() + kGoneWait;
    if (context->accounts) kick->pending = context->accounts->Saves().Pending(kick->playerId);
    spdlog::info("cluster: player {} logs in on node {}: ending its session here", kick->playerId,
                 request.from_node());

    if (const auto session = context->directory->Find(kick->playerId)) {
        Ask(
            *this, session,
            [reason = request.reason().empty() ? std::string(kKickReason) : request.reason()](
                GameSession& target) { return target.KickForTakeover(reason); },
            kGoneWait,
            [this, kick](AskResult<PlayerRef> kicked) {
                if (kicked) kick->player = std::move(kicked).Value();
                AwaitGone(kick);
            });
        return;
    }
    // Away (its connection dropped, a resume may come): it leaves for good, as on one node.
    if (auto away = context->resumes->TakeAway(kick->playerId)) {
        context->resumes->Finish(away->player, away->room);
        kick->player = std::move(away->player);
    }
    AwaitGone(kick);
}

void KickRelay::AwaitGone(std::shared_ptr<Kick> kick) {
    const auto context = _context.lock();
    const bool playing = kick->player && !kick->player->Idle();
    std::optional<SavedPosition> pending;
    if (context && context->accounts) pending = context->accounts->Saves().Pending(kick->playerId);
    if (pending) kick->pending = pending;
    if ((playing || pending) && Clock::now() < kick->deadline) {
        DoTimer(kPoll, [this, kick] { AwaitGone(kick); });
        return;
    }
    if (playing || pending) {
        spdlog::warn("cluster: player {} was not saved within {} s of its kick; answering anyway",
                     kick->playerId, kGoneWait.count());
    }
    Answer(*kick);
}

void KickRelay::Answer(const Kick& kick) {
    cluster::KickReply reply;
    reply.set_version(1);
    std::optional<SavedPosition> left = kick.pending;
    if (kick.player && kick.player->Idle()) left = kick.player->Position();
    const auto context = _context.lock();
    reply.set_saved(
        !(context && context->accounts && context->accounts->Saves().Pending(kick.playerId)));
    if (left) {
        reply.set_found(true);
        reply.set_room_id(left->roomId);
        reply.set_x(left->x);
        reply.set_y(left->y);
    }
    _node->Connection()->Respond(kick.request, reply.SerializeAsString());
}

// --- the node where the new login is -------------------------------------------------------

void KickRelay::EndElsewhere(GameSession& session, std::uint64_t playerId, const std::string& name,
                             Then then) {
    const auto& directory = _node->Directory();
    if (!directory) return then(std::nullopt);
    directory->Get(
        session, ClusterNode::DirectoryKey(name), _node->Options().requestTimeout,
        [self = SharedAs<KickRelay>(), &session, playerId,
         then = std::move(then)](AskResult<std::optional<bus::KvEntry>> found) mutable {
            if (!found.Ok()) {
                spdlog::warn("cluster: player {} logs in without a look at the directory ({})",
                             playerId, found.Message());
                return then(std::nullopt);
            }
            if (!found.Value()) return then(std::nullopt);
            const std::string& value = found.Value()->value;
            const std::string node = ClusterNode::EntryNodeOf(value);
            // Ours (a takeover on this node follows), or a stale entry of another account.
            if (node == self->_node->Options().node ||
                ClusterNode::EntryPlayerOf(value) != playerId)
                return then(std::nullopt);
            cluster::KickRequest request;
            request.set_version(1);
            request.set_player_id(playerId);
            request.set_reason(kKickReason);
            request.set_from_node(self->_node->Options().node);
            self->_node->Connection()->Request(
                session, Subject(node), request.SerializeAsString(), kKickTimeout,
                [playerId, node, then = std::move(then)](AskResult<bus::BusMessage> answer) {
                    cluster::KickReply reply;
                    if (!answer.Ok() || !reply.ParseFromString(answer.Value().data)) {
                        // No responders: that node is gone, and the store has its last save.
                        if (answer.Ok() || answer.ErrorKind() != AskError::Gone)
                            spdlog::warn("cluster: node {} did not end player {}'s session ({})",
                                         node, playerId, answer.Message());
                        return then(std::nullopt);
                    }
                    if (!reply.found()) return then(std::nullopt);
                    return then(SavedPosition{reply.room_id(), reply.x(), reply.y()});
                });
        });
}

}  // namespace tavern::game
