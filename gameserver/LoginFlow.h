#pragma once

#include <memory>
#include <string>

namespace tavern::game {

class GameSession;
struct GameContext;

// A password login against the store: Accounts::Login runs on the AccountService's blocking
// executor through Ask, and the answer comes back as a job on the session. A login to an
// account that is online takes over: the old session gets S_KICKED and is closed, its player
// leaves its room, and the new login goes on with the state that player had.
class LoginFlow {
public:
    // On `session`'s job queue; the context has an AccountService. Ends with the session's
    // FinishLogin or RefuseLogin, on its job queue.
    static void Start(GameSession& session, const std::shared_ptr<const GameContext>& context,
                      std::string name, std::string password);
};

}  // namespace tavern::game
