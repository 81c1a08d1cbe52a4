#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/store/PostgresServer.h"
#include "tests/support/NatsServer.h"

namespace tavern::test {

// What every test of gameserver nodes as a cluster starts from: a nats-server of the test's own
// and a fresh database on the shared PostgreSQL test cluster. Skips without either, and fails
// when CI requires them (TAVERN_REQUIRE_NATS, TAVERN_REQUIRE_POSTGRES). A fixture that adds to
// SetUp calls ClusterTestFixture::SetUp() first and returns if IsSkipped() or HasFatalFailure().
class ClusterTestFixture : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why;
        nats = NatsServer::Start(why);
        if (!nats) {
            if (NatsServer::Required()) FAIL() << "no nats-server (TAVERN_REQUIRE_NATS=1): " << why;
            GTEST_SKIP() << "no nats-server: " << why;
        }
        postgres = store::test::PostgresServer::Shared();
        if (!postgres) {
            if (store::test::PostgresServer::Required())
                FAIL() << "no PostgreSQL (TAVERN_REQUIRE_POSTGRES=1): "
                       << store::test::PostgresServer::Why();
            GTEST_SKIP() << "no PostgreSQL: " << store::test::PostgresServer::Why();
        }
        db = postgres->CreateDatabase();
    }

    std::unique_ptr<NatsServer> nats;
    store::test::PostgresServer* postgres = nullptr;
    std::string db;  // its URL
};

}  // namespace tavern::test
