#include "gameserver/MemberList.h"

#include <algorithm>

#include "ServerPackets.h"

namespace tavern::game {

using Protocol::ServerPacketHandler;

namespace {

// A repeated message field's share of its packet: tag, length, the message.
std::size_t FieldBytes(const google::protobuf::MessageLite& msg) {
    const std::size_t size = msg.ByteSizeLong();
    return 1 + google::protobuf::io::CodedOutputStream::VarintSize64(size) + size;
}

}  // namespace

std::vector<SendBufferRef> MemberListPackets(std::span<const PlayerRef> members,
                                             std::size_t playersPerPacket,
                                             std::size_t maxPacketBytes) {
    const std::size_t perPacket = std::max<std::size_t>(playersPerPacket, 1);
    // Room for the header and S_ENTER_GAME's own fields (success; no reason on success).
    const std::size_t budget = maxPacketBytes - kPacketHeaderSize - 8;
    std::vector<SendBufferRef> packets;
    Protocol::S_ENTER_GAME enter;
    enter.set_success(true);
    Protocol::S_SPAWN spawn;
    bool first = true;
    std::size_t bytes = 0;
    std::size_t count = 0;
    const auto finish = [&] {
        if (first) {
            packets.push_back(ServerPacketHandler::MakeSendBuffer(enter));
            first = false;
        } else {
            packets.push_back(ServerPacketHandler::MakeSendBuffer(spawn));
            spawn.clear_players();
        }
        bytes = 0;
        count = 0;
    };
    Protocol::PlayerInfo info;
    for (const PlayerRef& member : members) {
        member->FillInfo(info);
        const std::size_t size = FieldBytes(info);
        if (count > 0 && (bytes + size > budget || count == perPacket)) finish();
        (first ? enter.add_players() : spawn.add_players())->Swap(&info);
        bytes += size;
        ++count;
    }
    if (first || count > 0) finish();  // S_ENTER_GAME goes out even for an empty room
    return packets;
}

}  // namespace tavern::game
