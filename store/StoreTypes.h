#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tavern::store {

using PlayerId = std::uint64_t;

// An account as stored. `name` is the name as first registered (what others see);
// `canonicalName` is its key under the name rule (NameRule), unique in the database.
struct Account {
    PlayerId playerId = 0;
    std::string name;
    std::string canonicalName;
    std::string passwordHash;  // libsodium's crypto_pwhash_str format (PasswordHasher)
};

// Where a player was when it was last saved. Room 0: none.
struct PlayerState {
    PlayerId playerId = 0;
    std::uint32_t roomId = 0;
    float x = 0;
    float y = 0;

    friend bool operator==(const PlayerState&, const PlayerState&) = default;
};

enum class CreateStatus {
    Created,
    NameTaken,  // an account with the same canonical name exists
};

struct CreateAccountResult {
    CreateStatus status = CreateStatus::NameTaken;
    Account account;  // the new account when Created, empty otherwise
};

// Limits and connection settings, the same for every implementation.
struct StoreOptions {
    // Per-player key-value storage: a key is 1..maxKeyBytes bytes, a value 0..maxValueBytes,
    // and a player holds at most maxKeysPerPlayer keys.
    std::size_t maxKeyBytes = 128;
    std::size_t maxValueBytes = 16 * 1024;
    std::size_t maxKeysPerPlayer = 64;
    // PostgreSQL: connections kept open, and how long a call waits for one before it fails.
    std::size_t poolSize = 4;
    std::chrono::milliseconds acquireTimeout{5000};
    // Seconds a PostgreSQL connection attempt may take (libpq's connect_timeout, unless the
    // URL sets its own). SQLite: how long a writer waits for another process's lock.
    std::chrono::seconds connectTimeout{5};
};

}  // namespace tavern::store
