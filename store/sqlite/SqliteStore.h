#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "store/Store.h"

struct sqlite3;

namespace tavern::store {

class SqliteStatement;

// The embedded store: one SQLite file in WAL mode, one connection that does every read and
// write, one call at a time (a mutex). Commits are durable (synchronous=FULL) when a call
// returns. Another process may open the same file; writers then wait up to
// StoreOptions::connectTimeout for each other. See Store for the call contract.
class SqliteStore final : public Store {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Opens (creating if missing) and migrates; throws StoreError with a one-line message.
    static std::shared_ptr<SqliteStore> Open(const std::string& path, const StoreOptions& options);
    SqliteStore(PrivateTag, const std::string& path, const StoreOptions& options);
    ~SqliteStore() override;

    std::string_view Kind() const override { return "sqlite"; }
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

    // Throws StoreError for an SQLite error code (anything but OK / ROW / DONE), with the
    // connection's message. Busy, locked, I/O and open errors are Unavailable.
    static void Check(sqlite3* db, int rc);

private:
    struct Statements;

    // Under _mutex.
    void Exec(const char* sql);
    void SetWalMode(std::chrono::seconds timeout);
    void Migrate();
    int CurrentVersion();
    std::optional<Account> ReadAccount(SqliteStatement& statement);
    template <typename F>
    auto InTransaction(F&& body);

    const std::string _path;
    std::mutex _mutex;
    sqlite3* _db = nullptr;
    std::unique_ptr<Statements> _statements;
};

}  // namespace tavern::store
