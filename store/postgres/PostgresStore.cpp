#include "store/postgres/PostgresStore.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "store/Migrations.h"
#include "store/OpenStore.h"

namespace tavern::store {

namespace {

// pg_advisory_xact_lock key for migrations: every process migrating this database queues here.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7377546100015)";

std::string Number(std::uint64_t value) {
    return std::to_string(value);
}

// Shortest text that reads back as the same float.
void AppendFloat(std::string& out, float value) {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, end);
}

template <typename T>
T Parse(std::string_view text) {
    T value{};
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

Account ToAccount(const PgResult& result) {
    return Account{Parse<PlayerId>(result.Get(0, 0)), std::string(result.Get(0, 1)),
                   std::string(result.Get(0, 2)), std::string(result.Get(0, 3))};
}

}  // namespace

std::shared_ptr<PostgresStore> PostgresStore::Open(const std::string& url,
                                                   const StoreOptions& options) {
    try {
        return std::make_shared<PostgresStore>(PrivateTag{}, url, options);
    } catch (const StoreError& e) {
        if (e.Kind() == StoreErrorKind::Schema) throw;
        throw StoreError(e.Kind(), "cannot open database " + RedactUrl(url) + ": " + e.what());
    }
}

PostgresStore::PostgresStore(PrivateTag, const std::string& url, const StoreOptions& options)
    : Store(options),
      _url(RedactUrl(url)),
      _pool(url, options.poolSize, options.acquireTimeout, options.connectTimeout) {
    PgConnectionPool::Lease lease = _pool.Acquire();
    Migrate(*lease);
}

template <typename F>
auto PostgresStore::WithConnection(F&& body) {
    for (int attempt = 0;; ++attempt) {
        PgConnectionPool::Lease lease = _pool.Acquire();
        try {
            return body(*lease, attempt);
        } catch (const StoreError&) {
            if (!lease->Broken() || attempt > 0) throw;
            lease.Discard();
            _pool.DropIdle();
            spdlog::warn("store: lost the connection to {}; trying once more on a new one", _url);
        }
    }
}

void PostgresStore::Migrate(PgConnection& connection) {
    PgTransaction transaction(connection);
    // A transaction-level advisory lock: a second process starting on the same fresh database
    // waits here until the first has committed, then finds the migrations done.
    connection.Exec(kMigrationLock);
    connection.Exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    const int current = Parse<int>(
        connection.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Get(0, 0));
    if (current > KnownSchemaVersion())
        throw StoreError(StoreErrorKind::Schema, "database " + _url + " has schema version " +
                                                     std::to_string(current) +
                                                     ", newer than this program knows (" +
                                                     std::to_string(KnownSchemaVersion()) +
                                                     "): refusing to use it; run a newer Tavern");
    for (const Migration& migration : AllMigrations()) {
        if (migration.version <= current) continue;
        connection.Exec(std::string(migration.postgres).c_str());
        connection.Query("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
                         {{std::to_string(migration.version)}, {migration.description}});
        spdlog::info("store: {} migrated to schema version {} ({})", _url, migration.version,
                     migration.description);
    }
    transaction.Commit();
}

int PostgresStore::SchemaVersion() {
    return WithConnection([](PgConnection& c, int) {
        return Parse<int>(
            c.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Get(0, 0));
    });
}

std::optional<Account> PostgresStore::FindByCanonical(PgConnection& connection,
                                                      const std::string& key) {
    PgResult result = connection.Query(
        "SELECT player_id, name, canonical_name, password_hash FROM accounts "
        "WHERE canonical_name = $1",
        {{key}});
    if (result.Rows() == 0) return std::nullopt;
    return ToAccount(result);
}

CreateAccountResult PostgresStore::CreateAccount(std::string_view name,
                                                 std::string_view passwordHash) {
    const std::string canonical = CanonicalOrThrow(name);
    return WithConnection([&](PgConnection& c, int attempt) {
        PgResult result = c.Query(
            "INSERT INTO accounts (name, canonical_name, password_hash) VALUES ($1, $2, $3) "
            "ON CONFLICT (canonical_name) DO NOTHING RETURNING player_id",
            {{name}, {canonical}, {passwordHash}});
        if (result.Rows() == 1)
            return CreateAccountResult{CreateStatus::Created,
                                       Account{Parse<PlayerId>(result.Get(0, 0)), std::string(name),
                                               canonical, std::string(passwordHash)}};
        // A retry after a lost connection may find the row its first attempt committed: the
        // hash (salted, so unique) says it is ours.
        if (attempt > 0) {
            std::optional<Account> ours = FindByCanonical(c, canonical);
            if (ours && ours->passwordHash == passwordHash)
                return CreateAccountResult{CreateStatus::Created, std::move(*ours)};
        }
        return CreateAccountResult{CreateStatus::NameTaken, {}};
    });
}

std::optional<Account> PostgresStore::FindAccount(std::string_view name) {
    const std::string canonical = CanonicalOrThrow(name);
    return WithConnection([&](PgConnection& c, int) { return FindByCanonical(c, canonical); });
}

std::optional<Account> PostgresStore::FindAccountById(PlayerId playerId) {
    return WithConnection([&](PgConnection& c, int) -> std::optional<Account> {
        PgResult result = c.Query(
            "SELECT player_id, name, canonical_name, password_hash FROM accounts "
            "WHERE player_id = $1",
            {{Number(playerId)}});
        if (result.Rows() == 0) return std::nullopt;
        return ToAccount(result);
    });
}

std::size_t PostgresStore::SavePlayerStates(std::span<const PlayerState> states) {
    const std::vector<PlayerState> batch = LastPerPlayer(states);
    if (batch.empty()) return 0;
    // Four array literals ({1,2,3}), bound as four parameters: one statement for the batch.
    std::string ids = "{", rooms = "{", xs = "{", ys = "{";
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const char* comma = i == 0 ? "" : ",";
        ids += comma + Number(batch[i].playerId);
        rooms += comma + Number(batch[i].roomId);
        xs += comma;
        AppendFloat(xs, batch[i].x);
        ys += comma;
        AppendFloat(ys, batch[i].y);
    }
    ids += '}', rooms += '}', xs += '}', ys += '}';
    return WithConnection([&](PgConnection& c, int) {
        return c
            .Query(
                "INSERT INTO player_states (player_id, room_id, x, y) "
                "SELECT u.player_id, u.room_id, u.x, u.y "
                "FROM unnest($1::bigint[], $2::bigint[], $3::real[], $4::real[]) "
                "AS u (player_id, room_id, x, y) "
                "WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.player_id = u.player_id) "
                "ON CONFLICT (player_id) DO UPDATE SET room_id = EXCLUDED.room_id, "
                "x = EXCLUDED.x, y = EXCLUDED.y, saved_at = now()",
                {{ids}, {rooms}, {xs}, {ys}})
            .Affected();
    });
}

std::optional<PlayerState> PostgresStore::LoadPlayerState(PlayerId playerId) {
    return WithConnection([&](PgConnection& c, int) -> std::optional<PlayerState> {
        PgResult result = c.Query("SELECT room_id, x, y FROM player_states WHERE player_id = $1",
                                  {{Number(playerId)}});
        if (result.Rows() == 0) return std::nullopt;
        return PlayerState{playerId, Parse<std::uint32_t>(result.Get(0, 0)),
                           Parse<float>(result.Get(0, 1)), Parse<float>(result.Get(0, 2))};
    });
}

std::optional<std::string> PostgresStore::GetValue(PlayerId playerId, std::string_view key) {
    return WithConnection([&](PgConnection& c, int) -> std::optional<std::string> {
        PgResult result =
            c.Query("SELECT value FROM player_values WHERE player_id = $1 AND key = $2",
                    {{Number(playerId)}, {key}}, /*binaryResult=*/true);
        if (result.Rows() == 0) return std::nullopt;
        return std::string(result.Get(0, 0));
    });
}

void PostgresStore::PutValue(PlayerId playerId, std::string_view key, std::string_view value) {
    CheckKeyValue(key, value);
    const std::string id = Number(playerId);
    WithConnection([&](PgConnection& c, int) {
        PgTransaction transaction(c);
        // The account row's lock orders concurrent puts for one player, so the key count holds.
        if (c.Query("SELECT 1 FROM accounts WHERE player_id = $1 FOR UPDATE", {{id}}).Rows() == 0)
            throw StoreError(StoreErrorKind::Invalid, "no account has player id " + id);
        PgResult count = c.Query(
            "SELECT count(*), count(*) FILTER (WHERE key = $2) FROM player_values "
            "WHERE player_id = $1",
            {{id}, {key}});
        const bool isNew = Parse<std::size_t>(count.Get(0, 1)) == 0;
        if (isNew && Parse<std::size_t>(count.Get(0, 0)) >= _options.maxKeysPerPlayer)
            throw StoreError(StoreErrorKind::Invalid,
                             "player " + id + " already has " +
                                 std::to_string(_options.maxKeysPerPlayer) + " keys");
        c.Query(
            "INSERT INTO player_values (player_id, key, value) VALUES ($1, $2, $3) "
            "ON CONFLICT (player_id, key) DO UPDATE SET value = EXCLUDED.value",
            {{id}, {key}, {value, /*binary=*/true}});
        transaction.Commit();
        return 0;
    });
}

bool PostgresStore::DeleteValue(PlayerId playerId, std::string_view key) {
    return WithConnection([&](PgConnection& c, int) {
        return c.Query("DELETE FROM player_values WHERE player_id = $1 AND key = $2",
                       {{Number(playerId)}, {key}})
                   .Affected() > 0;
    });
}

}  // namespace tavern::store
