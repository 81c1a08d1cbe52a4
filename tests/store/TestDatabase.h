#pragma once

#include <ostream>
#include <string>

namespace tavern::store::test {

enum class Backend { Sqlite, Postgres };

inline void PrintTo(Backend backend, std::ostream* out) {
    *out << (backend == Backend::Sqlite ? "sqlite" : "postgresql");
}

// A fresh, empty database for one test: a SQLite file in its own temporary folder (removed
// afterwards), or a new database on the shared test PostgreSQL server (PostgresServer).
class TestDatabase {
public:
    // For Postgres, PostgresServer::Shared() must be running.
    explicit TestDatabase(Backend backend);
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& Url() const { return _url; }
    // Raw SQL, around the store (what the store itself would refuse to do).
    void Execute(const std::string& sql) const;
    // The first column of the first row, as text ("" when there is no row).
    std::string QueryValue(const std::string& sql) const;

private:
    Backend _backend;
    std::string _folder;  // SQLite only
    std::string _url;
};

}  // namespace tavern::store::test
