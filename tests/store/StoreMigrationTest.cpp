// The store suite, once per backend (StoreFixture.h): versioned migrations.
#include "store/Store.h"

#include <latch>
#include <thread>

#include "tests/store/StoreFixture.h"

namespace tavern::store::test {
namespace {

TEST_P(StoreTest, RefusesADatabaseWhoseSchemaIsNewerThanItKnows) {
    const int newer = Store::KnownSchemaVersion() + 1;
    _db->Execute("INSERT INTO schema_migrations (version, description) VALUES (" +
                 std::to_string(newer) + ", 'from a newer Tavern')");
    _store.reset();
    try {
        OpenAgain();
        ADD_FAILURE() << "opened a database with a newer schema";
    } catch (const StoreError& e) {
        const std::string message = e.what();
        EXPECT_EQ(e.Kind(), StoreErrorKind::Schema);
        EXPECT_NE(message.find("schema version " + std::to_string(newer) +
                               ", newer than this "
                               "program knows (" +
                               std::to_string(newer - 1) + ")"),
                  std::string::npos)
            << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
    // Nothing was changed by the refusal.
    EXPECT_EQ(_db->QueryValue("SELECT max(version) FROM schema_migrations"), std::to_string(newer));
}

TEST_P(StoreTest, TwoStoresOpeningAFreshDatabaseTogetherMigrateItOnce) {
    for (int round = 0; round < 4; ++round) {
        TestDatabase fresh(GetParam());
        std::latch start(2);
        StoreRef stores[2];
        std::string errors[2];
        std::thread threads[2];
        for (int i = 0; i < 2; ++i) {
            threads[i] = std::thread([&, i] {
                start.arrive_and_wait();
                try {
                    stores[i] = OpenStore(fresh.Url(), Options());
                } catch (const std::exception& e) {
                    errors[i] = e.what();
                }
            });
        }
        for (std::thread& thread : threads) thread.join();
        for (int i = 0; i < 2; ++i) {
            EXPECT_EQ(errors[i], "") << "round " << round << ", store " << i;
            ASSERT_NE(stores[i], nullptr);
            EXPECT_EQ(stores[i]->SchemaVersion(), Store::KnownSchemaVersion());
        }
        EXPECT_EQ(fresh.QueryValue("SELECT count(*) FROM schema_migrations"),
                  std::to_string(Store::KnownSchemaVersion()));
        // Both work on the one schema.
        CreateAccountResult created = stores[0]->CreateAccount("racer", "hash");
        ASSERT_EQ(created.status, CreateStatus::Created);
        EXPECT_EQ(stores[1]->FindAccount("RACER")->playerId, created.account.playerId);
    }
}

}  // namespace
}  // namespace tavern::store::test
