#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/OpenStore.h"
#include "tests/store/PostgresServer.h"
#include "tests/store/TestDatabase.h"

namespace tavern::store::test {

// The one store suite, run against each backend: TEST_P(StoreTest, ...) runs once with
// SQLite and once with PostgreSQL. Each test gets a fresh database and a store opened on it.
// Without PostgreSQL the PostgreSQL runs skip with the reason, unless TAVERN_REQUIRE_POSTGRES=1
// (CI), where they fail.
class StoreTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::Postgres && PostgresServer::Shared() == nullptr) {
            if (PostgresServer::Required())
                FAIL() << "PostgreSQL is required (TAVERN_REQUIRE_POSTGRES=1) but unavailable: "
                       << PostgresServer::Why();
            GTEST_SKIP() << "PostgreSQL unavailable: " << PostgresServer::Why()
                         << " (TAVERN_REQUIRE_POSTGRES=1 makes this a failure)";
        }
        _db = std::make_unique<TestDatabase>(GetParam());
        _store = OpenStore(_db->Url(), Options());
    }

    static StoreOptions Options() {
        StoreOptions options;
        options.maxValueBytes = 1024;
        options.maxKeysPerPlayer = 4;
        return options;
    }

    // A second store on the same database (as after a restart).
    StoreRef OpenAgain() const { return OpenStore(_db->Url(), Options()); }

    std::unique_ptr<TestDatabase> _db;
    StoreRef _store;
};

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

}  // namespace tavern::store::test
