#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/StoreError.h"
#include "store/StoreTypes.h"

namespace tavern::store {

class Store;
using StoreRef = std::shared_ptr<Store>;

// Accounts, saved player state and a small per-player key-value storage, behind one interface
// with two implementations: SqliteStore (the embedded default) and PostgresStore (production).
// Open one with OpenStore(url).
//
// Every call is synchronous: it does a database round trip (or waits for a connection or the
// writer lock), so it belongs on a blocking executor's thread, never on an I/O worker. Every
// call is safe from any thread, concurrently. Failures throw StoreError (see its kinds);
// expected answers (a name taken, nothing saved yet) are return values.
class Store {
public:
    virtual ~Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // The schema version this program knows (the last migration). Any thread.
    static int KnownSchemaVersion();

    // "sqlite" or "postgresql". Safe from any thread.
    virtual std::string_view Kind() const = 0;
    // The schema version of the database (after the migrations applied at open). Any thread;
    // blocks.
    virtual int SchemaVersion() = 0;

    // Creates an account under `name` (valid UTF-8) with a hash from PasswordHasher. The
    // canonical name (NameRule) is the unique key: NameTaken if an account has it already.
    // The player id is assigned here and never changes. Durable when it returns Created.
    // Any thread; blocks (each method below too).
    virtual CreateAccountResult CreateAccount(std::string_view name,
                                              std::string_view passwordHash) = 0;
    // The account whose canonical name equals `name`'s, if any.
    virtual std::optional<Account> FindAccount(std::string_view name) = 0;
    virtual std::optional<Account> FindAccountById(PlayerId playerId) = 0;

    // Writes every state in ONE transaction (all or none). A player id given twice keeps its
    // last state; ids with no account are skipped; a coordinate that is not finite is saved
    // as 0. Returns the number of players written.
    virtual std::size_t SavePlayerStates(std::span<const PlayerState> states) = 0;
    // The last saved state, or nullopt if the player was never saved.
    virtual std::optional<PlayerState> LoadPlayerState(PlayerId playerId) = 0;

    // Per-player key-value storage for a game's own data. Put throws StoreError(Invalid) for a
    // key or value over the limits (StoreOptions), a new key past maxKeysPerPlayer, or a player
    // with no account. Delete returns whether the key existed.
    virtual std::optional<std::string> GetValue(PlayerId playerId, std::string_view key) = 0;
    virtual void PutValue(PlayerId playerId, std::string_view key, std::string_view value) = 0;
    virtual bool DeleteValue(PlayerId playerId, std::string_view key) = 0;

protected:
    explicit Store(StoreOptions options) : _options(options) {}

    // Throws StoreError(Invalid) for a key or value outside the limits.
    void CheckKeyValue(std::string_view key, std::string_view value) const;
    // Throws StoreError(Invalid) for a name that has no canonical form; returns the form.
    static std::string CanonicalOrThrow(std::string_view name);
    // The states to write: one per player id (the last one given), in the order first seen.
    static std::vector<PlayerState> LastPerPlayer(std::span<const PlayerState> states);

    const StoreOptions _options;
};

}  // namespace tavern::store
