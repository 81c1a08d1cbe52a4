#include "gameserver/LimitCheck.h"

#include <cstdint>
#include <limits>

#include "ServerPackets.h"
#include "core/PacketHeader.h"

namespace tavern::game {

namespace {

std::size_t WireSize(const google::protobuf::MessageLite& msg) {
    return kPacketHeaderSize + msg.ByteSizeLong();
}

// The largest PlayerInfo a name of `nameBytes` makes (every number at its longest encoding).
void FillLargestInfo(Protocol::PlayerInfo& info, std::size_t nameBytes) {
    info.set_player_id(std::numeric_limits<std::uint64_t>::max());
    info.set_name(std::string(nameBytes, 'n'));
    info.set_x(1.5f);
    info.set_y(1.5f);
}

std::string TooLarge(const std::string& what, std::size_t size, const std::string& limit) {
    return what + " of " + std::to_string(size) + " bytes, over " + limit;
}

}  // namespace

std::string CheckLimits(const ServiceOptions& service, const GameLimits& limits) {
    if (limits.maxNameBytes == 0) return "--max-name must be at least 1";
    if (limits.maxChatBytes == 0) return "--max-chat must be at least 1";
    const std::string maxPacket = "--max-packet " + std::to_string(service.maxPacketSize);
    const std::string wire = "the wire format's " + std::to_string(kMaxWirePacketSize);
    const std::string name = "--max-name " + std::to_string(limits.maxNameBytes);
    const std::string chat = "--max-chat " + std::to_string(limits.maxChatBytes);

    // What clients send.
    Protocol::C_LOGIN login;
    login.set_name(std::string(limits.maxNameBytes, 'n'));
    if (WireSize(login) > service.maxPacketSize)
        return name + " makes " + TooLarge("a C_LOGIN", WireSize(login), maxPacket);
    Protocol::C_CHAT chatIn;
    chatIn.set_msg(std::string(limits.maxChatBytes, 'c'));
    if (WireSize(chatIn) > service.maxPacketSize)
        return chat + " makes " + TooLarge("a C_CHAT", WireSize(chatIn), maxPacket);

    // What the server builds from them.
    Protocol::S_CHAT chatOut;
    chatOut.set_player_id(std::numeric_limits<std::uint64_t>::max());
    chatOut.set_msg(chatIn.msg());
    if (WireSize(chatOut) > kMaxWirePacketSize)
        return chat + " makes " + TooLarge("an S_CHAT", WireSize(chatOut), wire);
    Protocol::S_ENTER_GAME enter;  // the member lists hold at least one player each
    enter.set_success(true);
    FillLargestInfo(*enter.add_players(), limits.maxNameBytes);
    if (WireSize(enter) > kMaxWirePacketSize)
        return name + " makes " + TooLarge("an S_ENTER_GAME of one player", WireSize(enter), wire);
    return {};
}

}  // namespace tavern::game
