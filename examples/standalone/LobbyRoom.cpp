#include "LobbyRoom.h"

#include "LobbyServerPackets.h"

namespace lobby {

void LobbyRoom::Join(tavern::PacketSessionRef session, std::string name) {
    _members[session->Id()] = Member{session, std::move(name)};
    S_JOINED joined;
    joined.set_members(static_cast<std::uint32_t>(_members.size()));
    session->Send(ServerPacketHandler::MakeSendBuffer(joined));
}

void LobbyRoom::Say(std::uint64_t sessionId, std::string text) {
    const auto speaker = _members.find(sessionId);
    if (speaker == _members.end()) return;
    S_SAID said;
    said.set_name(speaker->second.name);
    said.set_text(std::move(text));
    const auto buffer = ServerPacketHandler::MakeSendBuffer(said);  // one buffer for everyone
    for (const auto& [id, member] : _members)
        if (auto session = member.session.lock()) session->Send(buffer);
}

}  // namespace lobby
