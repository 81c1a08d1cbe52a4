// A throwaway PostgreSQL 15 for the login benchmark, started like the tests' (fsync on, so
// commits are as durable as SQLite's): prints a fresh database's URL on the first line of
// stdout, then holds the server until stdin closes, and removes it. Prints why and exits 2 when
// PostgreSQL cannot be started.
#include <cstdio>
#include <iostream>
#include <string>

#include "tests/store/PostgresServer.h"
#include "tests/store/TestDatabase.h"

int main() {
    using namespace tavern::store::test;
    PostgresServer::UseFsync();
    if (PostgresServer::Shared() == nullptr) {
        std::fprintf(stderr, "pg_for_bench: %s\n", PostgresServer::Why().c_str());
        return 2;
    }
    {
        const TestDatabase database(Backend::Postgres);
        std::printf("%s\n", database.Url().c_str());
        std::fflush(stdout);
        std::string line;
        while (std::getline(std::cin, line)) {
        }
    }
    return 0;
}
