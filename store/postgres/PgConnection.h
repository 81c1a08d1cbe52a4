#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

struct pg_conn;
struct pg_result;

namespace tavern::store {

// A query result (RAII over PGresult). Values are text unless the query asked for binary.
class PgResult {
public:
    explicit PgResult(pg_result* result) : _result(result) {}
    ~PgResult();
    PgResult(PgResult&& other) noexcept : _result(other._result) { other._result = nullptr; }
    PgResult& operator=(PgResult&&) = delete;
    PgResult(const PgResult&) = delete;

    int Rows() const;
    std::string_view Get(int row, int column) const;
    // Rows an INSERT / UPDATE / DELETE touched.
    std::size_t Affected() const;

private:
    pg_result* _result;
};

// A bound parameter: text by default, raw bytes with `binary` (bytea).
struct PgParam {
    std::string_view value;
    bool binary = false;
};

// One libpq connection. Used by one thread at a time (the pool hands it out). Every query
// binds its parameters (PQexecParams); only fixed SQL goes through Exec. Errors throw
// StoreError: Unavailable when the connection is lost or the server refuses connections now,
// Failed for other errors, each with the server's first message line.
class PgConnection {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Connects; throws StoreError(Unavailable). `url` is a libpq URI; `timeout` is used unless
    // the URI sets connect_timeout itself.
    static std::unique_ptr<PgConnection> Connect(const std::string& url,
                                                 std::chrono::seconds timeout);
    PgConnection(PrivateTag, pg_conn* conn) : _conn(conn) {}
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // Fixed SQL with no parameters (may hold several statements). By the lease's holder.
    PgResult Exec(const char* sql);
    // By the lease's holder.
    PgResult Query(const char* sql, std::initializer_list<PgParam> params,
                   bool binaryResult = false);
    // Whether the connection is lost (the server went away): it must not be reused. By the
    // lease's holder, or the pool when it gets the connection back.
    bool Broken() const;

private:
    PgResult Check(pg_result* result);

    pg_conn* _conn;
};

// BEGIN on construction; ROLLBACK on destruction unless Commit() ran.
class PgTransaction {
public:
    explicit PgTransaction(PgConnection& connection);
    ~PgTransaction();
    PgTransaction(const PgTransaction&) = delete;
    PgTransaction& operator=(const PgTransaction&) = delete;
    void Commit();

private:
    PgConnection& _connection;
    bool _done = false;
};

// libpq's message without its trailing newline and hint lines: one line for a log.
std::string FirstLine(std::string_view message);

}  // namespace tavern::store
