#include "tests/store/TestDatabase.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "tests/store/PostgresServer.h"

namespace tavern::store::test {

namespace {

std::string SqliteQuery(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    std::string value, error;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        error = sqlite3_errmsg(db);
    } else {
        sqlite3_busy_timeout(db, 10000);
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
            error = sqlite3_errmsg(db);
        } else {
            int rc = sqlite3_step(stmt);
            if (rc == SQLITE_ROW) {
                const auto* text = sqlite3_column_text(stmt, 0);
                if (text) value = reinterpret_cast<const char*>(text);
                while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
            }
            if (rc != SQLITE_DONE) error = sqlite3_errmsg(db);
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    if (!error.empty()) throw std::runtime_error(sql + ": " + error);
    return value;
}

std::string PostgresQuery(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    std::string value, error;
    if (PQstatus(conn) != CONNECTION_OK) {
        error = PQerrorMessage(conn);
    } else {
        PGresult* result = PQexec(conn, sql.c_str());
        const ExecStatusType status = PQresultStatus(result);
        if (status == PGRES_TUPLES_OK && PQntuples(result) > 0)
            value = PQgetvalue(result, 0, 0);
        else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            error = PQresultErrorMessage(result);
        PQclear(result);
    }
    PQfinish(conn);
    if (!error.empty()) throw std::runtime_error(sql + ": " + error);
    return value;
}

}  // namespace

TestDatabase::TestDatabase(Backend backend) : _backend(backend) {
    if (backend == Backend::Postgres) {
        _url = PostgresServer::Shared()->CreateDatabase();
        return;
    }
    std::string folder = (std::filesystem::temp_directory_path() / "tavern-store-XXXXXX").string();
    if (::mkdtemp(folder.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    _folder = folder;
    _url = "sqlite:" + _folder + "/tavern.db";
}

TestDatabase::~TestDatabase() {
    std::error_code ignored;
    if (!_folder.empty()) std::filesystem::remove_all(_folder, ignored);
}

void TestDatabase::Execute(const std::string& sql) const {
    QueryValue(sql);
}

std::string TestDatabase::QueryValue(const std::string& sql) const {
    if (_backend == Backend::Sqlite) return SqliteQuery(_url.substr(7), sql);
    return PostgresQuery(_url, sql);
}

}  // namespace tavern::store::test
