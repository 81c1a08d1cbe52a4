#include "store/sqlite/SqliteStatement.h"

#include <sqlite3.h>

#include "store/StoreError.h"
#include "store/sqlite/SqliteStore.h"

namespace tavern::store {

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : _db(db) {
    Check(sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &_stmt, nullptr));
}

SqliteStatement::~SqliteStatement() {
    sqlite3_finalize(_stmt);
}

SqliteStatement& SqliteStatement::Bind(int index, std::int64_t value) {
    Check(sqlite3_bind_int64(_stmt, index, value));
    return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, double value) {
    Check(sqlite3_bind_double(_stmt, index, value));
    return *this;
}

SqliteStatement& SqliteStatement::BindText(int index, std::string_view value) {
    Check(sqlite3_bind_text64(_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
    return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, std::string_view value) {
    // A zero-length blob is still a blob (not NULL): give sqlite a non-null pointer.
    static const char empty = 0;
    Check(sqlite3_bind_blob64(_stmt, index, value.empty() ? &empty : value.data(), value.size(),
                              SQLITE_TRANSIENT));
    return *this;
}

bool SqliteStatement::Step() {
    const int rc = sqlite3_step(_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Check(rc);
    return false;
}

void SqliteStatement::Reset() noexcept {
    sqlite3_reset(_stmt);
    sqlite3_clear_bindings(_stmt);
}

std::int64_t SqliteStatement::Int(int column) const {
    return sqlite3_column_int64(_stmt, column);
}

double SqliteStatement::Double(int column) const {
    return sqlite3_column_double(_stmt, column);
}

std::string SqliteStatement::Text(int column) const {
    const auto* text = sqlite3_column_text(_stmt, column);
    const int size = sqlite3_column_bytes(_stmt, column);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size))
                : std::string();
}

std::string SqliteStatement::Blob(int column) const {
    const void* blob = sqlite3_column_blob(_stmt, column);
    const int size = sqlite3_column_bytes(_stmt, column);
    return blob ? std::string(static_cast<const char*>(blob), static_cast<size_t>(size))
                : std::string();
}

void SqliteStatement::Check(int rc) const {
    SqliteStore::Check(_db, rc);
}

}  // namespace tavern::store
