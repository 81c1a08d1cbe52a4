#include "gameserver/WhisperService.h"

#include "ServerPackets.h"
#include "gameserver/ClusterLink.h"
#include "gameserver/GameSession.h"
#include "gameserver/SessionManager.h"

namespace tavern::game {

namespace {
constexpr auto kWhisperId = static_cast<std::uint32_t>(Protocol::PacketId::C_WHISPER);
}

void WhisperService::Handle(GameSession& from, const Protocol::C_WHISPER& pkt) {
    const PlayerRef& player = from.GetPlayer();
    const GameContext& context = from.Context();
    if (!player) return from.SendError(kWhisperId, "log in first");
    if (pkt.to().empty()) return from.SendError(kWhisperId, "whisper to whom? the name is empty");
    if (pkt.msg().empty()) return from.SendError(kWhisperId, "the message is empty");
    if (pkt.msg().size() > context.limits.maxChatBytes) {
        return from.SendError(
            kWhisperId,
            "the message is longer than " + std::to_string(context.limits.maxChatBytes) + " bytes");
    }
    if (DeliverLocal(*context.sessions, player->Id(), player->Name(), pkt.to(), pkt.msg())) return;
    if (context.cluster) return context.cluster->Whisper(from, *player, pkt.to(), pkt.msg());
    from.SendError(kWhisperId, "no player named " + pkt.to() + " is online");
}

bool WhisperService::DeliverLocal(SessionManager& sessions, std::uint64_t fromPlayerId,
                                  const std::string& fromName, const std::string& to,
                                  const std::string& msg) {
    const PlayerRef target = sessions.FindPlayerByName(to);
    if (!target) return false;
    const std::shared_ptr<GameSession> session = target->Session();
    if (!session) return false;
    Protocol::S_WHISPER whisper;
    whisper.set_from_player_id(fromPlayerId);
    whisper.set_from(fromName);
    whisper.set_msg(msg);
    session->Send(Protocol::ServerPacketHandler::MakeSendBuffer(whisper));
    return true;
}

}  // namespace tavern::game
