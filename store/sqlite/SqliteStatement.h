#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tavern::store {

// A prepared SQLite statement (RAII). Only on the thread holding its connection's lock.
// Errors throw StoreError (see SqliteStore::Check).
class SqliteStatement {
public:
    SqliteStatement(sqlite3* db, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    // Parameters are numbered from 1. Text and blobs are copied (SQLITE_TRANSIENT).
    SqliteStatement& Bind(int index, std::int64_t value);
    SqliteStatement& Bind(int index, double value);
    SqliteStatement& BindText(int index, std::string_view value);
    SqliteStatement& BindBlob(int index, std::string_view value);

    // Runs to the next row: true if there is one, false when done.
    bool Step();
    // Resets for the next run and clears the bindings. Never throws.
    void Reset() noexcept;

    // Columns of the current row, numbered from 0.
    std::int64_t Int(int column) const;
    double Double(int column) const;
    std::string Text(int column) const;
    std::string Blob(int column) const;

private:
    void Check(int rc) const;

    sqlite3* _db;
    sqlite3_stmt* _stmt = nullptr;
};

// Resets a statement when it leaves scope, whatever happened.
class SqliteReset {
public:
    explicit SqliteReset(SqliteStatement& statement) : _statement(statement) {}
    ~SqliteReset() { _statement.Reset(); }
    SqliteReset(const SqliteReset&) = delete;
    SqliteReset& operator=(const SqliteReset&) = delete;

private:
    SqliteStatement& _statement;
};

}  // namespace tavern::store
