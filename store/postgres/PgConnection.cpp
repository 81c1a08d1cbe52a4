#include "store/postgres/PgConnection.h"

#include <libpq-fe.h>

#include <vector>

#include "store/StoreError.h"

namespace tavern::store {

namespace {

// "relation already exists, skipping" and the like: not for the program's stderr.
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

// SQLSTATE classes that mean "the database is not there right now": 08 connection exception,
// 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 53 insufficient resources.
bool IsUnavailable(std::string_view state) {
    return state.starts_with("08") || state.starts_with("57P") || state.starts_with("53");
}

}  // namespace

std::string FirstLine(std::string_view message) {
    const std::size_t end = message.find('\n');
    std::string line(message.substr(0, end));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    return line.empty() ? std::string("unknown error") : line;
}

PgResult::~PgResult() {
    PQclear(_result);
}

int PgResult::Rows() const {
    return PQntuples(_result);
}

std::string_view PgResult::Get(int row, int column) const {
    return std::string_view(PQgetvalue(_result, row, column),
                            static_cast<std::size_t>(PQgetlength(_result, row, column)));
}

std::size_t PgResult::Affected() const {
    const char* tuples = PQcmdTuples(_result);
    return tuples && *tuples ? std::stoul(tuples) : 0;
}

std::unique_ptr<PgConnection> PgConnection::Connect(const std::string& url,
                                                    std::chrono::seconds timeout) {
    // Keywords are applied in order and the URI (dbname, expanded) comes last, so what the URI
    // says wins over these defaults.
    const std::string seconds = std::to_string(timeout.count());
    const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                          nullptr};
    const char* values[] = {seconds.c_str(), "tavern", "UTF8", url.c_str(), nullptr};
    pg_conn* conn = PQconnectdbParams(keys, values, 1);
    if (conn == nullptr) throw std::bad_alloc();
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = FirstLine(PQerrorMessage(conn));
        PQfinish(conn);
        throw StoreError(StoreErrorKind::Unavailable, "database unavailable: " + message);
    }
    PQsetNoticeProcessor(conn, &IgnoreNotice, nullptr);
    return std::make_unique<PgConnection>(PrivateTag{}, conn);
}

PgConnection::~PgConnection() {
    PQfinish(_conn);
}

bool PgConnection::Broken() const {
    return PQstatus(_conn) != CONNECTION_OK;
}

PgResult PgConnection::Exec(const char* sql) {
    return Check(PQexec(_conn, sql));
}

PgResult PgConnection::Query(const char* sql, std::initializer_list<PgParam> params,
                             bool binaryResult) {
    // A text parameter goes to libpq as a C string: each is copied to be NUL-terminated, and
    // one holding a NUL (which PostgreSQL text cannot store) is refused, never cut short.
    std::vector<std::string> texts;
    texts.reserve(params.size());
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    for (const PgParam& param : params) {
        if (param.binary) {
            values.push_back(param.value.data());
        } else {
            if (param.value.find('\0') != std::string_view::npos)
                throw StoreError(StoreErrorKind::Invalid, "text with a NUL byte cannot be stored");
            values.push_back(texts.emplace_back(param.value).c_str());
        }
        lengths.push_back(static_cast<int>(param.value.size()));
        formats.push_back(param.binary ? 1 : 0);
    }
    return Check(PQexecParams(_conn, sql, static_cast<int>(values.size()), nullptr, values.data(),
                              lengths.data(), formats.data(), binaryResult ? 1 : 0));
}

PgResult PgConnection::Check(pg_result* raw) {
    PgResult result(raw);
    const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
    const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    const std::string message = FirstLine(
        raw && *PQresultErrorMessage(raw) ? PQresultErrorMessage(raw) : PQerrorMessage(_conn));
    if (Broken() || state == nullptr || IsUnavailable(state))
        throw StoreError(StoreErrorKind::Unavailable, "database unavailable: " + message);
    throw StoreError(StoreErrorKind::Failed, "postgresql: " + message);
}

PgTransaction::PgTransaction(PgConnection& connection) : _connection(connection) {
    _connection.Exec("BEGIN");
}

PgTransaction::~PgTransaction() {
    if (_done || _connection.Broken()) return;
    try {
        _connection.Exec("ROLLBACK");
    } catch (...) {  // the connection is dropped by the pool if it broke meanwhile
    }
}

void PgTransaction::Commit() {
    _connection.Exec("COMMIT");
    _done = true;
}

}  // namespace tavern::store
