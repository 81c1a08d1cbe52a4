#include "gameserver/ClusterNode.h"

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "ClusterMessages.pb.h"
#include "ServerPackets.h"
#include "bus/BusError.h"
#include "gameserver/GameSession.h"
#include "gameserver/SessionManager.h"
#include "gameserver/WhisperService.h"

namespace tavern::game {

namespace {

constexpr auto kWhisperId = static_cast<std::uint32_t>(Protocol::PacketId::C_WHISPER);
constexpr const char* kDirectoryBucket = "tavern_players";

std::string WhisperSubject(const std::string& node) {
    return "tavern.node." + node + ".whisper";
}

bool ValidNodeName(const std::string& node) {
    if (node.empty() || node.size() > 64) return false;
    for (const char c : node) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

// A directory entry's value: "<node>\n<player id>".
std::string EntryValue(const std::string& node, std::uint64_t playerId) {
    return node + "\n" + std::to_string(playerId);
}
std::string EntryNode(const std::string& value) {
    return value.substr(0, value.find('\n'));
}

}  // namespace

std::string ClusterNode::DirectoryKey(const std::string& name) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key = "p.";
    for (const unsigned char c : name) {
        key += kHex[c >> 4];
        key += kHex[c & 15];
    }
    return key;
}

std::string ClusterNode::EntryNodeOf(const std::string& value) {
    return EntryNode(value);
}

std::uint64_t ClusterNode::EntryPlayerOf(const std::string& value) {
    const auto newline = value.find('\n');
    if (newline == std::string::npos) return 0;
    try {
        return std::stoull(value.substr(newline + 1));
    } catch (const std::exception&) {
        return 0;
    }
}

std::shared_ptr<ClusterNode> ClusterNode::Start(const SchedulerRef& scheduler,
                                                ClusterOptions options,
                                                std::weak_ptr<SessionManager> sessions) {
    if (!ValidNodeName(options.node)) {
        throw std::runtime_error("the node name '" + options.node +
                                 "' is not 1-64 letters, digits, '-' or '_' (--node)");
    }
    auto node = std::make_shared<ClusterNode>(PrivateTag{}, scheduler, std::move(options),
                                              std::move(sessions));
    node->Open();
    return node;
}

ClusterNode::ClusterNode(PrivateTag, const SchedulerRef& scheduler, ClusterOptions options,
                         std::weak_ptr<SessionManager> sessions)
    : JobQueue(scheduler), _options(std::move(options)), _sessions(std::move(sessions)) {}

void ClusterNode::Open() {
    try {
        bus::BusOptions busOptions;
        busOptions.url = _options.natsUrl;
        busOptions.name = "tavern-" + _options.node;
        // /metrics counts bus traffic by these, never by a node's (or a room's) own subject.
        busOptions.metricSubjects = {"tavern.node.*.whisper", "tavern.node.*.kick",
                                     "tavern.node.*.>", "tavern.>"};
        _bus = bus::Bus::Connect(busOptions);
        bus::KvOptions directory;
        directory.bucket = kDirectoryBucket;
        _directory = bus::KvBucket::Open(_bus, directory);
        _whispers = _bus->Subscribe(
            WhisperSubject(_options.node), weak_from_this(),
            [self = this](bus::BusMessage& message) { self->OnWhisperRelay(message); });
        if (!_bus->Flush(_options.requestTimeout)) {
            throw bus::BusError("NATS did not confirm the subscriptions in time");
        }
    } catch (const bus::BusError& e) {
        throw std::runtime_error(std::string("cluster: ") + e.what());
    }
    spdlog::info("cluster: node {} joined through {}", _options.node, _options.natsUrl);
}

void ClusterNode::Stop() {
    _whispers.reset();
    Close();  // the directory's answers still queued are dropped
    // The bus and the directory stay until this node is destroyed (with the server's context):
    // sessions' last whispers may still be using them.
}

void ClusterNode::PlayerOnline(std::uint64_t playerId, const std::string& name) {
    DoAsync(&ClusterNode::AddOnQueue, playerId, name);
}

void ClusterNode::PlayerOffline(std::uint64_t playerId) {
    DoAsync(&ClusterNode::RemoveOnQueue, playerId);
}

void ClusterNode::AddOnQueue(std::uint64_t playerId, const std::string& name) {
    Online& online = _online[playerId];
    online.name = name;
    online.gone = false;
    ++online.logins;
    if (!_directory) return;
    // Last writer wins: a newer login of the same name on another node overwrites ours.
    _directory->Put(*this, DirectoryKey(name), EntryValue(_options.node, playerId),
                    _options.requestTimeout,
                    [self = SharedAs<ClusterNode>(), playerId](AskResult<bus::KvWrite> result) {
                        self->Written(playerId, std::move(result));
                    });
}

void ClusterNode::Written(std::uint64_t playerId, AskResult<bus::KvWrite> result) {
    const auto found = _online.find(playerId);
    if (found == _online.end()) return;
    if (!result.Ok()) {
        spdlog::warn("cluster: cannot list player {} in the directory: {}", found->second.name,
                     result.Message());
        return;
    }
    found->second.revision = result.Value().revision;
    if (found->second.gone) RemoveOnQueue(playerId);  // it left while the write was on its way
}

void ClusterNode::RemoveOnQueue(std::uint64_t playerId) {
    const auto found = _online.find(playerId);
    if (found == _online.end()) return;
    Online& online = found->second;
    if (!online.gone && --online.logins > 0) return;
    if (online.revision == 0) {
        online.gone = true;  // Written deletes it once the revision is known
        return;
    }
    if (_directory) {
        // Only our own entry: a newer login elsewhere has written a newer revision.
        _directory->Delete(*this, DirectoryKey(online.name), online.revision,
                           _options.requestTimeout, [](AskResult<bus::KvWrite>) {});
    }
    _online.erase(found);
}

void ClusterNode::Whisper(GameSession& from, const Player& sender, const std::string& to,
                          const std::string& msg) {
    if (!_directory || !_bus) return from.SendError(kWhisperId, "the cluster is shutting down");
    cluster::WhisperRelay relay;
    relay.set_version(1);
    relay.set_from_player_id(sender.Id());
    relay.set_from(sender.Name());
    relay.set_to(to);
    relay.set_msg(msg);
    const auto notOnline = "no player named " + to + " is online";
    _directory->Get(
        from, DirectoryKey(to), _options.requestTimeout,
        [self = SharedAs<ClusterNode>(), &from, notOnline,
         payload = relay.SerializeAsString()](AskResult<std::optional<bus::KvEntry>> found) {
            if (!found.Ok()) {
                return from.SendError(
                    kWhisperId, "the player directory is unavailable (" + found.Message() + ")");
            }
            if (!found.Value()) return from.SendError(kWhisperId, notOnline);
            const std::string node = EntryNode(found.Value()->value);
            // Our own entry, yet the player is not here: it has just left.
            if (node == self->_options.node || !self->_bus)
                return from.SendError(kWhisperId, notOnline);
            self->_bus->Request(
                from, WhisperSubject(node), payload, self->_options.requestTimeout,
                [&from, notOnline](AskResult<bus::BusMessage> answer) {
                    if (answer.Ok() && answer.Value().data == "ok") return;
                    if (answer.Ok() || answer.ErrorKind() == AskError::Gone) {
                        return from.SendError(kWhisperId, notOnline);  // left, or node gone
                    }
                    from.SendError(kWhisperId,
                                   "the whisper could not be delivered (" + answer.Message() + ")");
                });
        });
}

void ClusterNode::OnWhisperRelay(bus::BusMessage& message) {
    cluster::WhisperRelay relay;
    if (!relay.ParseFromString(message.data)) {
        _bus->Respond(message, "bad");
        return;
    }
    const auto sessions = _sessions.lock();
    const bool delivered =
        sessions && WhisperService::DeliverLocal(*sessions, relay.from_player_id(), relay.from(),
                                                 relay.to(), relay.msg());
    if (_bus) _bus->Respond(message, delivered ? "ok" : "offline");
}

}  // namespace tavern::game
