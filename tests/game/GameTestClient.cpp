#include "tests/game/GameTestClient.h"

#include "core/PacketHeader.h"

namespace tavern::test {

std::vector<std::byte> Frame(std::uint16_t id, const std::vector<std::byte>& payload,
                             std::optional<std::uint16_t> size) {
    std::vector<std::byte> bytes(kPacketHeaderSize + payload.size());
    WritePacketHeader(bytes.data(),
                      size.value_or(static_cast<std::uint16_t>(kPacketHeaderSize + payload.size())),
                      id);
    std::copy(payload.begin(), payload.end(), bytes.begin() + kPacketHeaderSize);
    return bytes;
}

std::vector<std::byte> Encode(const google::protobuf::MessageLite& msg) {
    const std::string text = msg.SerializeAsString();
    const auto* begin = reinterpret_cast<const std::byte*>(text.data());
    return {begin, begin + text.size()};
}

bool GameTestClient::Connect(const NetAddress& address) {
    return _raw.Connect(address);
}

bool GameTestClient::Fill(std::size_t size, std::chrono::steady_clock::time_point deadline) {
    while (_buffer.size() < size) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        const auto chunk = _raw.ReceiveExactly(size - _buffer.size(),
                                               std::max(left, std::chrono::milliseconds(1)));
        _buffer.insert(_buffer.end(), chunk.begin(), chunk.end());
        if (chunk.empty() && std::chrono::steady_clock::now() < deadline) return false;  // closed
    }
    return true;
}

std::optional<WirePacket> GameTestClient::Receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!Fill(kPacketHeaderSize, deadline)) return std::nullopt;
    const PacketHeader header = ReadPacketHeader(_buffer.data());
    if (header.size < kPacketHeaderSize) {
        ADD_FAILURE() << _name << ": the server sent a header of size " << header.size;
        return std::nullopt;
    }
    if (!Fill(header.size, deadline)) return std::nullopt;
    WirePacket packet;
    packet.id = header.id;
    packet.payload.assign(_buffer.begin() + kPacketHeaderSize, _buffer.begin() + header.size);
    _buffer.erase(_buffer.begin(), _buffer.begin() + header.size);
    ++_packetsReceived;
    return packet;
}

bool GameTestClient::ExpectSilence(std::chrono::milliseconds window) {
    if (const auto packet = Receive(window)) {
        ADD_FAILURE() << _name << ": expected nothing, got "
                      << Protocol::ToString(static_cast<Protocol::PacketId>(packet->id));
        return false;
    }
    return true;
}

std::optional<Protocol::S_LOGIN> GameTestClient::LoginWith(const std::string& name,
                                                           const std::string& password) {
    _name = name;
    Protocol::C_LOGIN login;
    login.set_name(name);
    login.set_password(password);
    if (!Send(Protocol::PacketId::C_LOGIN, login)) {
        ADD_FAILURE() << name << ": cannot send C_LOGIN";
        return std::nullopt;
    }
    return Expect<Protocol::S_LOGIN>(Protocol::PacketId::S_LOGIN);
}

bool GameTestClient::Move(float x, float y) {
    Protocol::C_MOVE move;
    move.set_x(x);
    move.set_y(y);
    return Send(Protocol::PacketId::C_MOVE, move);
}

std::uint64_t GameTestClient::Login(const std::string& name) {
    const auto answer = LoginWith(name, PasswordFor(name));
    if (!answer) return 0;
    if (!answer->success()) {
        ADD_FAILURE() << name << ": login refused: " << answer->reason();
        return 0;
    }
    return answer->player_id();
}

std::optional<Protocol::S_ENTER_GAME> GameTestClient::Enter(std::uint32_t room) {
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(room);
    if (!Send(Protocol::PacketId::C_ENTER_GAME, enter)) return std::nullopt;
    auto answer = Expect<Protocol::S_ENTER_GAME>(Protocol::PacketId::S_ENTER_GAME);
    if (answer && !answer->success()) {
        ADD_FAILURE() << _name << ": enter refused: " << answer->reason();
        return std::nullopt;
    }
    return answer;
}

bool GameTestClient::Chat(const std::string& text) {
    Protocol::C_CHAT chat;
    chat.set_msg(text);
    return Send(Protocol::PacketId::C_CHAT, chat);
}

bool GameTestClient::Whisper(const std::string& to, const std::string& msg) {
    Protocol::C_WHISPER whisper;
    whisper.set_to(to);
    whisper.set_msg(msg);
    return Send(Protocol::PacketId::C_WHISPER, whisper);
}

}  // namespace tavern::test
