// The store suite, once per backend (StoreFixture.h): accounts and player state.
#include "store/Store.h"

#include <atomic>
#include <latch>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "store/PasswordHasher.h"
#include "tests/store/StoreFixture.h"

namespace tavern::store::test {
namespace {

const std::string kHash = PasswordHasher(PasswordCost::Min).Hash("password");

TEST_P(StoreTest, CreatesAnAccountThatSurvivesReopeningWithTheSamePlayerId) {
    CreateAccountResult first = _store->CreateAccount("alice", kHash);
    ASSERT_EQ(first.status, CreateStatus::Created);
    EXPECT_GT(first.account.playerId, 0u);
    CreateAccountResult second = _store->CreateAccount("bob", kHash);
    ASSERT_EQ(second.status, CreateStatus::Created);
    EXPECT_NE(second.account.playerId, first.account.playerId);

    _store.reset();  // every connection closed
    StoreRef reopened = OpenAgain();
    std::optional<Account> alice = reopened->FindAccount("alice");
    ASSERT_TRUE(alice.has_value());
    EXPECT_EQ(alice->playerId, first.account.playerId);
    EXPECT_EQ(alice->name, "alice");
    EXPECT_EQ(alice->passwordHash, kHash);
    EXPECT_TRUE(PasswordHasher::Verify(alice->passwordHash, "password"));
    std::optional<Account> byId = reopened->FindAccountById(second.account.playerId);
    ASSERT_TRUE(byId.has_value());
    EXPECT_EQ(byId->name, "bob");
    EXPECT_FALSE(reopened->FindAccount("carol").has_value());
    EXPECT_FALSE(reopened->FindAccountById(second.account.playerId + 100).has_value());
    // A new account after the reopening never reuses an id.
    CreateAccountResult third = reopened->CreateAccount("carol", kHash);
    ASSERT_EQ(third.status, CreateStatus::Created);
    EXPECT_GT(third.account.playerId, second.account.playerId);
}

TEST_P(StoreTest, RefusesANameThatDiffersOnlyInCaseNormalizationOrInvisibleCharacters) {
    ASSERT_EQ(_store->CreateAccount("Jos\xC3\xA9", kHash).status, CreateStatus::Created);
    for (const std::string variant :
         {"jos\xC3\xA9", "JOS\xC3\x89", "Jose\xCC\x81", "Jo\xE2\x80\x8Bs\xC3\xA9",
          "\xE2\x80\x8FJos\xC3\xA9", "Jos\xC3\xA9\xE2\x80\xAC"}) {
        CreateAccountResult result = _store->CreateAccount(variant, kHash);
        EXPECT_EQ(result.status, CreateStatus::NameTaken) << variant;
        std::optional<Account> found = _store->FindAccount(variant);
        ASSERT_TRUE(found.has_value()) << variant;
        EXPECT_EQ(found->name, "Jos\xC3\xA9");  // the name as first registered
    }
    EXPECT_EQ(_store->CreateAccount("Josef", kHash).status, CreateStatus::Created);
    EXPECT_EQ(_db->QueryValue("SELECT count(*) FROM accounts"), "2");
    EXPECT_THROW(_store->CreateAccount("\xE2\x80\x8B", kHash), StoreError);
}

TEST_P(StoreTest, ConcurrentCreationsGetDistinctIdsAndOnlyOneWinsAName) {
    constexpr int kThreads = 6;
    constexpr int kPerThread = 20;
    std::vector<std::vector<PlayerId>> ids(kThreads);
    std::atomic<int> winners{0};
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            // Every thread races for "contested", each with its own spelling of it.
            const std::string contested = t % 2 ? "CONTESTED" : "contested";
            if (_store->CreateAccount(contested, kHash).status == CreateStatus::Created) ++winners;
            for (int i = 0; i < kPerThread; ++i) {
                CreateAccountResult r =
                    _store->CreateAccount("p" + std::to_string(t) + "_" + std::to_string(i), kHash);
                if (r.status == CreateStatus::Created) ids[t].push_back(r.account.playerId);
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(winners.load(), 1);
    std::set<PlayerId> distinct;
    for (const auto& list : ids) {
        EXPECT_EQ(list.size(), static_cast<std::size_t>(kPerThread));
        distinct.insert(list.begin(), list.end());
    }
    EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

// Player ids of `count` new accounts named prefix0, prefix1, ...
std::vector<PlayerId> MakeAccounts(Store& store, const std::string& prefix, int count) {
    std::vector<PlayerId> ids;
    for (int i = 0; i < count; ++i) {
        CreateAccountResult r = store.CreateAccount(prefix + std::to_string(i), kHash);
        EXPECT_EQ(r.status, CreateStatus::Created);
        ids.push_back(r.account.playerId);
    }
    return ids;
}

TEST_P(StoreTest, SavesABatchOfManyPlayersInOneTransaction) {
    constexpr int kPlayers = 2000;
    const std::vector<PlayerId> ids = MakeAccounts(*_store, "mover", kPlayers);
    std::vector<PlayerState> batch;
    for (int i = 0; i < kPlayers; ++i)
        batch.push_back(PlayerState{ids[i], 7, 0.1f * static_cast<float>(i), -1.5f - i});

    // Another connection watching while the batch is written sees none of it or all of it.
    std::atomic<bool> done{false};
    std::vector<std::string> seen;
    std::thread watcher([&] {
        while (!done.load()) {
            seen.push_back(_db->QueryValue("SELECT count(*) FROM player_states WHERE room_id = 7"));
        }
    });
    const std::size_t written = _store->SavePlayerStates(batch);
    done = true;
    watcher.join();
    EXPECT_EQ(written, static_cast<std::size_t>(kPlayers));
    for (const std::string& count : seen)
        EXPECT_TRUE(count == "0" || count == std::to_string(kPlayers)) << count;
    if (GetParam() == Backend::Postgres) {
        // Every row carries the id of the one transaction that wrote it.
        EXPECT_EQ(_db->QueryValue("SELECT count(DISTINCT xmin::text) FROM player_states"), "1");
    }

    StoreRef reopened = OpenAgain();
    for (int i : {0, 1, 999, kPlayers - 1}) {
        std::optional<PlayerState> state = reopened->LoadPlayerState(ids[i]);
        ASSERT_TRUE(state.has_value()) << i;
        EXPECT_EQ(*state, batch[i]) << i;  // floats come back bit for bit
    }
    // The next interval moves everyone again: one more batch overwrites every row.
    for (PlayerState& state : batch) state.roomId = 8, state.x += 1;
    EXPECT_EQ(reopened->SavePlayerStates(batch), static_cast<std::size_t>(kPlayers));
    EXPECT_EQ(_db->QueryValue("SELECT count(*) FROM player_states WHERE room_id = 8"),
              std::to_string(kPlayers));
    EXPECT_EQ(*_store->LoadPlayerState(ids[5]), batch[5]);
}

TEST_P(StoreTest, ABatchKeepsThePlayersLastStateAndSkipsPlayersWithoutAnAccount) {
    const std::vector<PlayerId> ids = MakeAccounts(*_store, "p", 2);
    const PlayerId nobody = ids[1] + 1000;
    const std::vector<PlayerState> batch{
        {ids[0], 1, 1, 1}, {nobody, 3, 3, 3}, {ids[1], 2, 2, 2}, {ids[0], 4, 4.25f, -4.5f}};
    EXPECT_EQ(_store->SavePlayerStates(batch), 2u);
    EXPECT_EQ(*_store->LoadPlayerState(ids[0]), (PlayerState{ids[0], 4, 4.25f, -4.5f}));
    EXPECT_EQ(*_store->LoadPlayerState(ids[1]), (PlayerState{ids[1], 2, 2, 2}));
    EXPECT_FALSE(_store->LoadPlayerState(nobody).has_value());
    EXPECT_EQ(_store->SavePlayerStates({}), 0u);
}

TEST_P(StoreTest, APositionThatIsNotANumberIsSavedAsZeroWithoutFailingTheBatch) {
    const std::vector<PlayerId> ids = MakeAccounts(*_store, "p", 2);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    EXPECT_EQ(_store->SavePlayerStates(
                  std::vector<PlayerState>{{ids[0], 1, nan, inf}, {ids[1], 1, 5, 6}}),
              2u);
    EXPECT_EQ(*_store->LoadPlayerState(ids[0]), (PlayerState{ids[0], 1, 0, 0}));
    EXPECT_EQ(*_store->LoadPlayerState(ids[1]), (PlayerState{ids[1], 1, 5, 6}));
}

TEST_P(StoreTest, LoadsNothingForAPlayerNeverSaved) {
    const std::vector<PlayerId> ids = MakeAccounts(*_store, "p", 1);
    EXPECT_FALSE(_store->LoadPlayerState(ids[0]).has_value());
}

TEST_P(StoreTest, ReportsTheSchemaVersionItKnows) {
    EXPECT_EQ(_store->SchemaVersion(), Store::KnownSchemaVersion());
    EXPECT_EQ(_db->QueryValue("SELECT count(*) FROM schema_migrations"),
              std::to_string(Store::KnownSchemaVersion()));
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         BackendName);

}  // namespace tavern::store::test
