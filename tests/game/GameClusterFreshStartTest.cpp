// Nodes of a cluster starting together on a fresh PostgreSQL database and a fresh nats-server:
// one schema, migrated once, and one player directory. Linux only.
#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ServerPackets.h"
#include "store/Store.h"
#include "tests/game/ClusterNodeProcess.h"
#include "tests/game/GameTestClient.h"
#include "tests/store/PostgresServer.h"
#include "tests/store/TestDatabase.h"
#include "tests/support/NatsServer.h"

namespace tavern::test {
namespace {

TEST(GameClusterFreshStartTest, NodesStartingTogetherOnAFreshDatabaseComeUpWithOneSchema) {
    if (!store::test::PostgresServer::Shared()) {
        if (store::test::PostgresServer::Required())
            FAIL() << "no PostgreSQL (TAVERN_REQUIRE_POSTGRES=1): "
                   << store::test::PostgresServer::Why();
        GTEST_SKIP() << "no PostgreSQL: " << store::test::PostgresServer::Why();
    }
    constexpr int kNodes = 3;
    for (int round = 0; round < 3; ++round) {
        std::string why;
        auto nats = NatsServer::Start(why);  // fresh: the nodes also make the directory bucket
        if (!nats) {
            if (NatsServer::Required()) FAIL() << "no nats-server (TAVERN_REQUIRE_NATS=1): " << why;
            GTEST_SKIP() << "no nats-server: " << why;
        }
        store::test::TestDatabase fresh(store::test::Backend::Postgres);
        std::vector<std::unique_ptr<ClusterNodeProcess>> nodes(kNodes);
        std::latch start(kNodes);
        std::vector<std::thread> threads;
        for (int i = 0; i < kNodes; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();  // every node forks at the same moment
                nodes[i] = std::make_unique<ClusterNodeProcess>(
                    nats->Url(), "node-" + std::to_string(i), fresh.Url());
            });
        }
        for (std::thread& thread : threads) thread.join();
        for (int i = 0; i < kNodes; ++i)
            ASSERT_NE(nodes[i]->Port(), 0)
                << "round " << round << ": node-" << i << " did not start";
        EXPECT_EQ(fresh.QueryValue("SELECT count(*) FROM schema_migrations"),
                  std::to_string(store::Store::KnownSchemaVersion()))
            << "round " << round;
        EXPECT_EQ(fresh.QueryValue("SELECT max(version) FROM schema_migrations"),
                  std::to_string(store::Store::KnownSchemaVersion()));

        // One accounts table: an account made on one node is the same account on every other.
        const std::string name = "fresh" + std::to_string(round);
        std::uint64_t id = 0;
        for (int i = 0; i < kNodes; ++i) {
            GameTestClient client;
            ASSERT_TRUE(client.Connect(nodes[i]->Address()));
            const auto login = client.LoginWith(name, GameTestClient::PasswordFor(name));
            ASSERT_TRUE(login);
            ASSERT_TRUE(login->success()) << "node-" << i << ": " << login->reason();
            EXPECT_EQ(login->created(), i == 0) << "node-" << i;
            if (i == 0) id = login->player_id();
            EXPECT_EQ(login->player_id(), id) << "node-" << i;
        }
    }
}

}  // namespace
}  // namespace tavern::test
