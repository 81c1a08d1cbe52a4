#include "tests/store/PostgresServer.h"

#include "tests/support/FreePort.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace tavern::store::test {

namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";
constexpr const char* kUser = "tavern-pg";

std::string g_why;
bool g_fsync = false;

// The dedicated system user PostgreSQL runs as when the tests run as root (it refuses root).
// Idempotent: scripts/install-deps.sh makes it too.
passwd* EnsureUser() {
    if (passwd* user = ::getpwnam(kUser)) return user;
    std::system(
        "useradd --system --no-create-home --home-dir /nonexistent "
        "--shell /usr/sbin/nologin tavern-pg > /dev/null 2>&1");
    return ::getpwnam(kUser);
}

}  // namespace

PostgresServer* PostgresServer::Shared() {
    static std::unique_ptr<PostgresServer> server = [] {
        auto s = std::make_unique<PostgresServer>(PrivateTag{});
        try {
            s->Init();
            return s;
        } catch (const std::exception& e) {
            g_why = e.what();
            return std::unique_ptr<PostgresServer>();
        }
    }();
    return server.get();
}

const std::string& PostgresServer::Why() {
    return g_why;
}

void PostgresServer::UseFsync() { g_fsync = true; }

bool PostgresServer::Required() {
    const char* value = std::getenv("TAVERN_REQUIRE_POSTGRES");
    return value != nullptr && std::string(value) == "1";
}

void PostgresServer::Init() {
    // TAVERN_PG_BINDIR: another installation's bin/ (or a missing one, to see the skip).
    const char* bin = std::getenv("TAVERN_PG_BINDIR");
    _bin = bin != nullptr && *bin != 0 ? bin : kBin;
    if (!std::filesystem::exists(_bin + "/initdb") || !std::filesystem::exists(_bin + "/pg_ctl"))
        throw std::runtime_error("PostgreSQL 15 is not installed (no " + _bin +
                                 "/initdb; apt-get install postgresql)");
    // Under /tmp, not $TMPDIR: the server's user must be able to reach it.
    std::string folder = "/tmp/tavern-pg-XXXXXX";
    if (::mkdtemp(folder.data()) == nullptr)
        throw std::runtime_error("cannot make a temporary folder for PostgreSQL");
    _folder = folder;
    if (::geteuid() == 0) {
        passwd* user = EnsureUser();
        if (user == nullptr)
            throw std::runtime_error("cannot create the system user tavern-pg for PostgreSQL");
        _user = kUser;
        if (::chown(_folder.c_str(), user->pw_uid, user->pw_gid) != 0)
            throw std::runtime_error("cannot give " + _folder + " to tavern-pg");
    }
    if (Run("initdb", "-D " + _folder +
                          "/data -U postgres -A trust -E UTF8 --locale=C "
                          "--no-sync") != 0)
        throw std::runtime_error("initdb failed; see " + _folder + "/tools.log");
    for (int attempt = 0; attempt < 3 && !_running; ++attempt) {
        _port = tavern::test::FreeLoopbackPort();
        try {
            Start();
        } catch (const std::runtime_error&) {
            if (attempt == 2) throw;  // another process took the port between probe and start
        }
    }
}

PostgresServer::~PostgresServer() {
    if (_running) {
        try {
            Stop();
        } catch (...) {
        }
    }
    std::error_code ignored;
    if (!_folder.empty()) std::filesystem::remove_all(_folder, ignored);
}

int PostgresServer::Run(const std::string& program, const std::string& args) const {
    // From the folder (the server's user may not be able to read the test's working folder).
    std::string command = "cd " + _folder + " && ";
    if (!_user.empty()) command += "runuser -u " + _user + " -- ";
    command += _bin + "/" + program + " " + args + " >> " + _folder + "/tools.log 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void PostgresServer::Start() {
    // fsync off for the tests: durability against power loss is not what they look at.
    const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(_port) +
                                " -k " + _folder + (g_fsync ? "" : " -c fsync=off") +
                                " -c max_connections=60";
    if (Run("pg_ctl", "-D " + _folder + "/data -l " + _folder + "/server.log -w -t 60 -o '" +
                          options + "' start") != 0)
        throw std::runtime_error("pg_ctl start failed; see " + _folder + "/server.log");
    _running = true;
}

void PostgresServer::Stop() {
    if (Run("pg_ctl", "-D " + _folder + "/data -m fast -w -t 60 stop") != 0)
        throw std::runtime_error("pg_ctl stop failed; see " + _folder + "/tools.log");
    _running = false;
}

std::string PostgresServer::Url(const std::string& database) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(_port) + "/" + database;
}

std::string PostgresServer::CreateDatabase() {
    const std::string name = "store_test_" + std::to_string(++_databases);
    Execute("postgres", "CREATE DATABASE " + name);
    return Url(name);
}

void PostgresServer::Execute(const std::string& database, const std::string& sql) const {
    PGconn* conn = PQconnectdb(Url(database).c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
        error = PQerrorMessage(conn);
    } else {
        PGresult* result = PQexec(conn, sql.c_str());
        const ExecStatusType status = PQresultStatus(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            error = PQresultErrorMessage(result);
        PQclear(result);
    }
    PQfinish(conn);
    if (!error.empty()) throw std::runtime_error(sql + ": " + error);
}

}  // namespace tavern::store::test
