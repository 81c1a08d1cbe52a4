#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace tavern::game {

// Accounts and saved state (gameserver --db ...). An empty dbUrl runs the game without them:
// any name logs in and nothing is saved (the in-process tests that are not about accounts, and
// builds without the store).
struct PersistenceOptions {
    std::string dbUrl;                         // "sqlite:PATH" or "postgresql://..."
    std::string passwordCost = "interactive";  // interactive | moderate | min
    bool allowRegister = true;                 // false: --no-register
    std::chrono::milliseconds saveInterval{1000};
    std::size_t loginFailuresPerAddress = 20;  // per minute
    std::size_t executorThreads = 2;           // store calls and password hashing
    std::size_t executorQueue = 256;           // waiting jobs before "service unavailable"
};

}  // namespace tavern::game
