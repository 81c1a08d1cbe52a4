#include "tests/ws/WsPlayer.h"

#include "core/PacketHeader.h"

namespace tavern::test {

using Protocol::PacketId;

bool WsPlayer::Connect(const NetAddress& address) {
    if (!_ws.Connect(address)) {
        ADD_FAILURE() << "cannot connect to " << address.ToString();
        return false;
    }
    if (!_ws.Upgrade()) {
        ADD_FAILURE() << "the WebSocket upgrade was refused";
        return false;
    }
    return true;
}

std::optional<WirePacket> WsPlayer::Receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto frame = _ws.ReadFrame(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()));
        if (!frame) return std::nullopt;
        if (frame->opcode != 0x2) continue;  // a pong or the like
        EXPECT_TRUE(frame->fin) << "the server fragments its messages";
        const auto& bytes = frame->payload;
        if (bytes.size() < kPacketHeaderSize ||
            ReadPacketHeader(bytes.data()).size != bytes.size()) {
            ADD_FAILURE() << _name << ": a message that is not exactly one packet";
            return std::nullopt;
        }
        WirePacket packet;
        packet.id = ReadPacketHeader(bytes.data()).id;
        packet.payload.assign(bytes.begin() + kPacketHeaderSize, bytes.end());
        return packet;
    }
    return std::nullopt;
}

std::uint64_t WsPlayer::Login(const std::string& name) {
    _name = name;
    Protocol::C_LOGIN login;
    login.set_name(name);
    login.set_password(GameTestClient::PasswordFor(name));
    if (!Send(PacketId::C_LOGIN, login)) return 0;
    const auto answer = Expect<Protocol::S_LOGIN>(PacketId::S_LOGIN);
    if (!answer || !answer->success()) return 0;
    return answer->player_id();
}

bool WsPlayer::Enter(std::uint32_t room) {
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(room);
    if (!Send(PacketId::C_ENTER_GAME, enter)) return false;
    const auto answer = Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME);
    return answer && answer->success();
}

bool WsPlayer::Chat(const std::string& text) {
    Protocol::C_CHAT chat;
    chat.set_msg(text);
    return Send(PacketId::C_CHAT, chat);
}

bool WsPlayer::Move(float x, float y) {
    Protocol::C_MOVE move;
    move.set_x(x);
    move.set_y(y);
    return Send(PacketId::C_MOVE, move);
}

}  // namespace tavern::test
