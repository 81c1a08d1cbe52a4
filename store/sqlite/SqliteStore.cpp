#include "store/sqlite/SqliteStore.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "store/Migrations.h"
#include "store/sqlite/SqliteStatement.h"

namespace tavern::store {

// Every statement the store runs, prepared once at open.
struct SqliteStore::Statements {
    explicit Statements(sqlite3* db)
        : insertAccount(db,
                        "INSERT INTO accounts (name, canonical_name, password_hash) "
                        "VALUES (?1, ?2, ?3) ON CONFLICT (canonical_name) DO NOTHING"),
          findAccount(db,
                      "SELECT player_id, name, canonical_name, password_hash FROM accounts "
                      "WHERE canonical_name = ?1"),
          findAccountById(db,
                          "SELECT player_id, name, canonical_name, password_hash FROM accounts "
                          "WHERE player_id = ?1"),
          saveState(db,
                    "INSERT INTO player_states (player_id, room_id, x, y) "
                    "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS "
                    "(SELECT 1 FROM accounts WHERE player_id = ?1) "
                    "ON CONFLICT (player_id) DO UPDATE SET room_id = excluded.room_id, "
                    "x = excluded.x, y = excluded.y, saved_at = excluded.saved_at"),
          loadState(db, "SELECT room_id, x, y FROM player_states WHERE player_id = ?1"),
          getValue(db, "SELECT value FROM player_values WHERE player_id = ?1 AND key = ?2"),
          countValues(db,
                      "SELECT count(*), count(*) FILTER (WHERE key = ?2) FROM player_values "
                      "WHERE player_id = ?1"),
          putValue(db,
                   "INSERT INTO player_values (player_id, key, value) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT (player_id, key) DO UPDATE SET value = excluded.value"),
          deleteValue(db, "DELETE FROM player_values WHERE player_id = ?1 AND key = ?2"),
          accountExists(db, "SELECT 1 FROM accounts WHERE player_id = ?1") {}

    SqliteStatement insertAccount;
    SqliteStatement findAccount;
    SqliteStatement findAccountById;
    SqliteStatement saveState;
    SqliteStatement loadState;
    SqliteStatement getValue;
    SqliteStatement countValues;
    SqliteStatement putValue;
    SqliteStatement deleteValue;
    SqliteStatement accountExists;
};

namespace {

std::int64_t ToSql(PlayerId id) {
    return static_cast<std::int64_t>(id);
}

}  // namespace

std::shared_ptr<SqliteStore> SqliteStore::Open(const std::string& path,
                                               const StoreOptions& options) {
    try {
        return std::make_shared<SqliteStore>(PrivateTag{}, path, options);
    } catch (const StoreError& e) {
        if (e.Kind() == StoreErrorKind::Schema) throw;
        throw StoreError(e.Kind(), "cannot open database sqlite:" + path + ": " + e.what());
    }
}

SqliteStore::SqliteStore(PrivateTag, const std::string& path, const StoreOptions& options)
    : Store(options), _path(path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = _db ? sqlite3_errmsg(_db) : sqlite3_errstr(rc);
        sqlite3_close_v2(_db);
        throw StoreError(StoreErrorKind::Unavailable, "sqlite: " + message);
    }
    try {
        sqlite3_extended_result_codes(_db, 1);
        sqlite3_busy_timeout(_db, static_cast<int>(options.connectTimeout.count() * 1000));
        // WAL: readers in other processes never block the writer. FULL: a commit is on disk
        // when the call returns (the account row before S_LOGIN says it was created).
        SetWalMode(options.connectTimeout);
        Exec("PRAGMA synchronous = FULL");
        Exec("PRAGMA foreign_keys = ON");
        Migrate();
        _statements = std::make_unique<Statements>(_db);
    } catch (...) {
        _statements.reset();
        sqlite3_close_v2(_db);
        throw;
    }
}

SqliteStore::~SqliteStore() {
    _statements.reset();
    sqlite3_close_v2(_db);
}

void SqliteStore::Check(sqlite3* db, int rc) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_FULL:
        case SQLITE_READONLY:
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
            throw StoreError(StoreErrorKind::Unavailable, "sqlite: " + message);
        default:
            throw StoreError(StoreErrorKind::Failed, "sqlite: " + message);
    }
}

void SqliteStore::SetWalMode(std::chrono::seconds timeout) {
    // Switching a new file to WAL takes an exclusive lock and, when another process is doing
    // the same, fails with SQLITE_BUSY at once instead of calling the busy handler: retry.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const int rc = sqlite3_exec(_db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
        if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
            return Check(_db, rc);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void SqliteStore::Exec(const char* sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(_db, sql, nullptr, nullptr, &error);
    if (error) sqlite3_free(error);  // the same text as sqlite3_errmsg, which Check reads
    Check(_db, rc);
}

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT (the write lock from the start, so two writers
// never deadlock upgrading a read lock); rolls back if it throws. Under _mutex.
template <typename F>
auto SqliteStore::InTransaction(F&& body) {
    Exec("BEGIN IMMEDIATE");
    try {
        auto result = body();
        Exec("COMMIT");
        return result;
    } catch (...) {
        sqlite3_exec(_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

int SqliteStore::CurrentVersion() {
    SqliteStatement version(_db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    version.Step();
    return static_cast<int>(version.Int(0));
}

void SqliteStore::Migrate() {
    // The write lock first: a second process opening the same new file waits here, then finds
    // the migrations done.
    InTransaction([&] {
        Exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "description TEXT NOT NULL, applied_at INTEGER NOT NULL "
            "DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)))");
        const int current = CurrentVersion();
        if (current > KnownSchemaVersion())
            throw StoreError(StoreErrorKind::Schema,
                             "database sqlite:" + _path + " has schema version " +
                                 std::to_string(current) + ", newer than this program knows (" +
                                 std::to_string(KnownSchemaVersion()) +
                                 "): refusing to use it; run a newer Tavern");
        for (const Migration& migration : AllMigrations()) {
            if (migration.version <= current) continue;
            Exec(std::string(migration.sqlite).c_str());
            SqliteStatement record(_db,
                                   "INSERT INTO schema_migrations (version, description) "
                                   "VALUES (?1, ?2)");
            record.Bind(1, std::int64_t{migration.version}).BindText(2, migration.description);
            record.Step();
            spdlog::info("store: sqlite:{} migrated to schema version {} ({})", _path,
                         migration.version, migration.description);
        }
        return 0;
    });
}

int SqliteStore::SchemaVersion() {
    std::lock_guard lock(_mutex);
    return CurrentVersion();
}

std::optional<Account> SqliteStore::ReadAccount(SqliteStatement& statement) {
    SqliteReset reset(statement);
    if (!statement.Step()) return std::nullopt;
    return Account{static_cast<PlayerId>(statement.Int(0)), statement.Text(1), statement.Text(2),
                   statement.Text(3)};
}

CreateAccountResult SqliteStore::CreateAccount(std::string_view name,
                                               std::string_view passwordHash) {
    const std::string canonical = CanonicalOrThrow(name);
    std::lock_guard lock(_mutex);
    SqliteStatement& insert = _statements->insertAccount;
    SqliteReset reset(insert);
    insert.BindText(1, name).BindText(2, canonical).BindText(3, passwordHash);
    insert.Step();  // one statement in autocommit: its own durable transaction
    if (sqlite3_changes(_db) == 0) return CreateAccountResult{CreateStatus::NameTaken, {}};
    const auto id = static_cast<PlayerId>(sqlite3_last_insert_rowid(_db));
    return CreateAccountResult{CreateStatus::Created, Account{id, std::string(name), canonical,
                                                              std::string(passwordHash)}};
}

std::optional<Account> SqliteStore::FindAccount(std::string_view name) {
    const std::string canonical = CanonicalOrThrow(name);
    std::lock_guard lock(_mutex);
    _statements->findAccount.BindText(1, canonical);
    return ReadAccount(_statements->findAccount);
}

std::optional<Account> SqliteStore::FindAccountById(PlayerId playerId) {
    std::lock_guard lock(_mutex);
    _statements->findAccountById.Bind(1, ToSql(playerId));
    return ReadAccount(_statements->findAccountById);
}

std::size_t SqliteStore::SavePlayerStates(std::span<const PlayerState> states) {
    const std::vector<PlayerState> batch = LastPerPlayer(states);
    if (batch.empty()) return 0;
    std::lock_guard lock(_mutex);
    return InTransaction([&] {
        std::size_t written = 0;
        SqliteStatement& save = _statements->saveState;
        for (const PlayerState& state : batch) {
            SqliteReset reset(save);
            save.Bind(1, ToSql(state.playerId))
                .Bind(2, std::int64_t{state.roomId})
                .Bind(3, double{state.x})
                .Bind(4, double{state.y});
            save.Step();
            written += static_cast<std::size_t>(sqlite3_changes(_db));
        }
        return written;
    });
}

std::optional<PlayerState> SqliteStore::LoadPlayerState(PlayerId playerId) {
    std::lock_guard lock(_mutex);
    SqliteStatement& load = _statements->loadState;
    SqliteReset reset(load);
    load.Bind(1, ToSql(playerId));
    if (!load.Step()) return std::nullopt;
    return PlayerState{playerId, static_cast<std::uint32_t>(load.Int(0)),
                       static_cast<float>(load.Double(1)), static_cast<float>(load.Double(2))};
}

std::optional<std::string> SqliteStore::GetValue(PlayerId playerId, std::string_view key) {
    std::lock_guard lock(_mutex);
    SqliteStatement& get = _statements->getValue;
    SqliteReset reset(get);
    get.Bind(1, ToSql(playerId)).BindText(2, key);
    if (!get.Step()) return std::nullopt;
    return get.Blob(0);
}

void SqliteStore::PutValue(PlayerId playerId, std::string_view key, std::string_view value) {
    CheckKeyValue(key, value);
    std::lock_guard lock(_mutex);
    InTransaction([&] {
        {
            SqliteStatement& exists = _statements->accountExists;
            SqliteReset reset(exists);
            exists.Bind(1, ToSql(playerId));
            if (!exists.Step())
                throw StoreError(StoreErrorKind::Invalid,
                                 "no account has player id " + std::to_string(playerId));
        }
        {
            SqliteStatement& count = _statements->countValues;
            SqliteReset reset(count);
            count.Bind(1, ToSql(playerId)).BindText(2, key);
            count.Step();
            const bool isNew = count.Int(1) == 0;
            if (isNew && static_cast<std::size_t>(count.Int(0)) >= _options.maxKeysPerPlayer)
                throw StoreError(StoreErrorKind::Invalid,
                                 "player " + std::to_string(playerId) + " already has " +
                                     std::to_string(_options.maxKeysPerPlayer) + " keys");
        }
        SqliteStatement& put = _statements->putValue;
        SqliteReset reset(put);
        put.Bind(1, ToSql(playerId)).BindText(2, key).BindBlob(3, value);
        put.Step();
        return 0;
    });
}

bool SqliteStore::DeleteValue(PlayerId playerId, std::string_view key) {
    std::lock_guard lock(_mutex);
    SqliteStatement& del = _statements->deleteValue;
    SqliteReset reset(del);
    del.Bind(1, ToSql(playerId)).BindText(2, key);
    del.Step();
    return sqlite3_changes(_db) > 0;
}

}  // namespace tavern::store
