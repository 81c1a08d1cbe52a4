#pragma once

#include <cstdint>
#include <string>

namespace Protocol {
class C_WHISPER;
}

namespace tavern::game {

class GameSession;
class SessionManager;

// C_WHISPER: a private line to one player by name. A player on this node gets S_WHISPER straight
// from the sender's job (Session::Send is safe from any thread); one on another node through
// the cluster (ClusterLink::Whisper); anyone else is "not online" (S_ERROR).
class WhisperService {
public:
    // On `from`'s job queue.
    static void Handle(GameSession& from, const Protocol::C_WHISPER& pkt);
    // Safe from any thread: sends S_WHISPER to the player named `to` if it is logged in on this
    // node; false if it is not.
    static bool DeliverLocal(SessionManager& sessions, std::uint64_t fromPlayerId,
                             const std::string& fromName, const std::string& to,
                             const std::string& msg);
};

}  // namespace tavern::game
