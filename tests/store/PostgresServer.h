#pragma once

#include <memory>
#include <string>

namespace tavern::store::test {

// A throwaway PostgreSQL 15 server for the tests: initdb into a temporary folder, then pg_ctl
// start on a free loopback port with its socket in that folder (no system directory touched).
// PostgreSQL refuses to run as root, so as root it runs as the system user "tavern-pg" (made
// here, once, if missing) through runuser, and the folder belongs to that user. Stopped and
// removed by the destructor. One per test process, shared by every PostgreSQL test.
// TAVERN_PG_BINDIR overrides where initdb and pg_ctl are (default /usr/lib/postgresql/15/bin).
class PostgresServer {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // The process-wide server, started on first use; nullptr if PostgreSQL is not installed or
    // would not start (Why() says why). Stopped at exit.
    static PostgresServer* Shared();
    static const std::string& Why();
    // Whether a PostgreSQL test must fail rather than skip when there is no server
    // (TAVERN_REQUIRE_POSTGRES=1: CI sets it).
    static bool Required();
    // Before the first Shared(): run with fsync on (a benchmark), not off (the tests).
    static void UseFsync();

    explicit PostgresServer(PrivateTag) {}
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    // A new, empty database on this server; returns its URL (postgresql://...).
    std::string CreateDatabase();
    std::string Url(const std::string& database) const;
    // pg_ctl stop (fast) and start, on the same folder and port. Throw std::runtime_error.
    void Stop();
    void Start();
    // Runs SQL on `database` (a test's back door: raw changes the store would refuse).
    void Execute(const std::string& database, const std::string& sql) const;

private:
    void Init();
    // Runs a PostgreSQL program (bin/NAME) as the server's user; its output goes to the log.
    int Run(const std::string& program, const std::string& args) const;

    std::string _bin;     // /usr/lib/postgresql/15/bin
    std::string _folder;  // the temporary folder: data/, the socket, server.log
    std::string _user;    // "tavern-pg" as root; empty otherwise (run as ourselves)
    int _port = 0;
    int _databases = 0;
    bool _running = false;
};

}  // namespace tavern::store::test
