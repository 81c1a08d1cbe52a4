#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/game/GameTestClient.h"

namespace tavern::test {

// A GameTestClient that keeps what a resume needs, the way a real client does: its resume
// token, the count of server packets received since the login (continued across resumes),
// and every packet it sent since the login, in order (to send again what the server had not
// handled).
class ResumingTestClient {
public:
    // Connects and logs in as `name`; reports a failure and returns false if refused.
    bool Login(const NetAddress& address, const std::string& name);

    // Sends a counted packet (kept for a resume).
    template <class Message>
    bool Send(Protocol::PacketId id, const Message& msg) {
        _sent.push_back(Frame(static_cast<std::uint16_t>(id), Encode(msg)));
        return _client->SendRaw(_sent.back());
    }
    bool Chat(const std::string& text);
    // C_ENTER_GAME and a successful S_ENTER_GAME.
    bool Enter(std::uint32_t room);

    // Resumes on a new connection. The S_LOGIN as it came (nullopt: none, reported); on a
    // successful resume the packets after its `received` are sent again.
    std::optional<Protocol::S_LOGIN> Resume(const NetAddress& address);
    // The C_LOGIN of a resume with `token` and `received`, on `client`; its S_LOGIN.
    static std::optional<Protocol::S_LOGIN> SendResume(GameTestClient& client,
                                                       const std::string& token,
                                                       std::uint64_t received);

    GameTestClient& Client() { return *_client; }
    // The connection before the last resume, left open by this side.
    GameTestClient& Previous() { return *_previous; }
    const std::string& Token() const { return _token; }
    std::uint64_t PlayerId() const { return _playerId; }
    // Server packets received since the login.
    std::uint64_t Received() const { return _carried + _client->PacketsReceived() - _base; }
    std::uint64_t SentCount() const { return _sent.size(); }
    // Packets sent again by the last resume.
    std::uint64_t Resent() const { return _resent; }

private:
    std::unique_ptr<GameTestClient> _client;
    std::unique_ptr<GameTestClient> _previous;
    std::string _name;
    std::string _token;
    std::uint64_t _playerId = 0;
    std::uint64_t _base = 0;     // _client->PacketsReceived() when this connection's count began
    std::uint64_t _carried = 0;  // received on earlier connections
    std::uint64_t _resent = 0;
    std::vector<std::vector<std::byte>> _sent;
};

}  // namespace tavern::test
