#include "tests/game/ResumingTestClient.h"

namespace tavern::test {

using Protocol::PacketId;

bool ResumingTestClient::Login(const NetAddress& address, const std::string& name) {
    _client = std::make_unique<GameTestClient>();
    _name = name;
    if (!_client->Connect(address)) {
        ADD_FAILURE() << name << ": cannot connect";
        return false;
    }
    const auto answer = _client->LoginWith(name, GameTestClient::PasswordFor(name));
    if (!answer || !answer->success()) {
        ADD_FAILURE() << name << ": login refused";
        return false;
    }
    EXPECT_GE(answer->resume_token().size(), 32u) << "at least 128 bits";
    _token = answer->resume_token();
    _playerId = answer->player_id();
    _base = _client->PacketsReceived();
    _carried = 0;
    _sent.clear();
    return true;
}

bool ResumingTestClient::Chat(const std::string& text) {
    Protocol::C_CHAT chat;
    chat.set_msg(text);
    return Send(PacketId::C_CHAT, chat);
}

bool ResumingTestClient::Enter(std::uint32_t room) {
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(room);
    if (!Send(PacketId::C_ENTER_GAME, enter)) return false;
    const auto answer = _client->Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME);
    return answer && answer->success();
}

std::optional<Protocol::S_LOGIN> ResumingTestClient::SendResume(GameTestClient& client,
                                                                const std::string& token,
                                                                std::uint64_t received) {
    Protocol::C_LOGIN login;
    login.set_resume_token(token);
    login.set_received(received);
    if (!client.Send(PacketId::C_LOGIN, login)) {
        ADD_FAILURE() << "cannot send the resume's C_LOGIN";
        return std::nullopt;
    }
    return client.Expect<Protocol::S_LOGIN>(PacketId::S_LOGIN);
}

std::optional<Protocol::S_LOGIN> ResumingTestClient::Resume(const NetAddress& address) {
    const std::uint64_t received = Received();
    auto next = std::make_unique<GameTestClient>();
    if (!next->Connect(address)) {
        ADD_FAILURE() << _name << ": cannot connect again";
        return std::nullopt;
    }
    auto answer = SendResume(*next, _token, received);
    if (!answer || !answer->success()) return answer;
    _previous = std::move(_client);
    _client = std::move(next);
    _carried = received;
    _base = _client->PacketsReceived();  // the resume's S_LOGIN is not counted
    _token = answer->resume_token();
    _resent = 0;
    for (std::uint64_t i = answer->received(); i < _sent.size(); ++i, ++_resent)
        _client->SendRaw(_sent[i]);
    return answer;
}

}  // namespace tavern::test
