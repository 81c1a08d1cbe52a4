#pragma once

#include <memory>
#include <string>

#include "store/Store.h"
#include "store/postgres/PgConnectionPool.h"

namespace tavern::store {

// The production store: PostgreSQL through plain libpq (PQexecParams: every value a bound
// parameter), with a small connection pool. A batch of player states is one INSERT ... SELECT
// FROM unnest(arrays) ... ON CONFLICT statement: one round trip and one transaction for the
// whole batch. A call that finds its connection lost (the server restarted) drops every idle
// connection and tries once more on a new one; while the server is down, calls throw
// StoreError(Unavailable) at once (a refused connection). See Store for the call contract.
class PostgresStore final : public Store {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Connects and migrates; throws StoreError with a one-line message.
    static std::shared_ptr<PostgresStore> Open(const std::string& url, const StoreOptions& options);
    PostgresStore(PrivateTag, const std::string& url, const StoreOptions& options);

    std::string_view Kind() const override { return "postgresql"; }
    int SchemaVersion() override;
    CreateAccountResult CreateAccount(std::string_view name,
                                      std::string_view passwordHash) override;
    std::optional<Account> FindAccount(std::string_view name) override;
    std::optional<Account> FindAccountById(PlayerId playerId) override;
    std::size_t SavePlayerStates(std::span<const PlayerState> states) override;
    std::optional<PlayerState> LoadPlayerState(PlayerId playerId) override;
    std::optional<std::string> GetValue(PlayerId playerId, std::string_view key) override;
    void PutValue(PlayerId playerId, std::string_view key, std::string_view value) override;
    bool DeleteValue(PlayerId playerId, std::string_view key) override;

private:
    // Runs body(connection, attempt) on a leased connection; on a lost connection, once more.
    template <typename F>
    auto WithConnection(F&& body);
    void Migrate(PgConnection& connection);
    std::optional<Account> FindByCanonical(PgConnection& connection, const std::string& key);

    const std::string _url;  // redacted, for messages
    PgConnectionPool _pool;
};

}  // namespace tavern::store
