// PostgreSQL going away and coming back under a running store (PostgreSQL only: SQLite is a
// file in the process).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "store/OpenStore.h"
#include "store/PasswordHasher.h"
#include "tests/store/PostgresServer.h"
#include "tests/store/TestDatabase.h"

namespace tavern::store::test {
namespace {

// Expects `call` to throw StoreError(Unavailable) with a one-line "database unavailable" message.
template <typename F>
void ExpectUnavailable(F&& call, const char* what) {
    try {
        call();
        ADD_FAILURE() << what << " succeeded with the server down";
    } catch (const StoreError& e) {
        const std::string message = e.what();
        EXPECT_EQ(e.Kind(), StoreErrorKind::Unavailable) << what << ": " << message;
        EXPECT_NE(message.find("database unavailable"), std::string::npos)
            << what << ": " << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << what << ": " << message;
    }
}

TEST(PostgresOutageTest, CallsFailClearlyWhileTheServerIsDownAndSucceedOnceItIsBack) {
    PostgresServer* server = PostgresServer::Shared();
    if (server == nullptr) {
        if (PostgresServer::Required())
            FAIL() << "PostgreSQL is required (TAVERN_REQUIRE_POSTGRES=1) but unavailable: "
                   << PostgresServer::Why();
        GTEST_SKIP() << "PostgreSQL unavailable: " << PostgresServer::Why();
    }
    TestDatabase db(Backend::Postgres);
    StoreOptions options;
    options.poolSize = 4;
    StoreRef store = OpenStore(db.Url(), options);
    const std::string hash = PasswordHasher(PasswordCost::Min).Hash("password");
    const CreateAccountResult alice = store->CreateAccount("alice", hash);
    ASSERT_EQ(alice.status, CreateStatus::Created);
    const PlayerId id = alice.account.playerId;
    // Fill the pool: four calls at once leave four idle connections, all to be lost below.
    std::vector<std::thread> callers;
    for (int i = 0; i < 4; ++i)
        callers.emplace_back([&] {
            for (int j = 0; j < 20; ++j) store->FindAccount("alice");
        });
    for (std::thread& caller : callers) caller.join();

    server->Stop();
    const std::vector<PlayerState> states{{id, 4, 1, 2}};
    ExpectUnavailable([&] { store->FindAccount("alice"); }, "FindAccount");
    ExpectUnavailable([&] { store->CreateAccount("bob", hash); }, "CreateAccount");
    ExpectUnavailable([&] { store->SavePlayerStates(states); }, "SavePlayerStates");
    ExpectUnavailable([&] { store->PutValue(id, "k", "v"); }, "PutValue");
    ExpectUnavailable([&] { store->LoadPlayerState(id); }, "LoadPlayerState");
    ExpectUnavailable([&] { OpenStore(db.Url()); }, "OpenStore");

    server->Start();
    // The first call after the restart succeeds: no stale connection is handed out twice.
    EXPECT_EQ(store->SavePlayerStates(states), 1u);
    EXPECT_EQ(store->LoadPlayerState(id), (PlayerState{id, 4, 1, 2}));
    EXPECT_EQ(store->CreateAccount("bob", hash).status, CreateStatus::Created);
    store->PutValue(id, "k", "v");
    EXPECT_EQ(store->GetValue(id, "k"), "v");
    // Calls on every pooled connection work again.
    std::atomic<int> failures{0};
    callers.clear();
    for (int i = 0; i < 4; ++i)
        callers.emplace_back([&] {
            for (int j = 0; j < 20; ++j) {
                try {
                    if (!store->FindAccount("alice")) ++failures;
                } catch (const StoreError&) {
                    ++failures;
                }
            }
        });
    for (std::thread& caller : callers) caller.join();
    EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace tavern::store::test
