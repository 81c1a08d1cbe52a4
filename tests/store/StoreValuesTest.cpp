// The store suite, once per backend (StoreFixture.h): per-player key-value storage.
#include "store/Store.h"

#include "store/PasswordHasher.h"
#include "tests/store/StoreFixture.h"

namespace tavern::store::test {
namespace {

PlayerId NewPlayer(Store& store, const std::string& name) {
    static const std::string hash = PasswordHasher(PasswordCost::Min).Hash("password");
    CreateAccountResult r = store.CreateAccount(name, hash);
    EXPECT_EQ(r.status, CreateStatus::Created);
    return r.account.playerId;
}

TEST_P(StoreTest, StoresReadsOverwritesAndDeletesAPlayersValues) {
    const PlayerId alice = NewPlayer(*_store, "alice");
    const PlayerId bob = NewPlayer(*_store, "bob");
    const std::string binary("\x00\x01\xFF\x00zz", 6);
    EXPECT_FALSE(_store->GetValue(alice, "inventory").has_value());
    _store->PutValue(alice, "inventory", binary);
    _store->PutValue(alice, "empty", "");
    _store->PutValue(bob, "inventory", "bob's");
    EXPECT_EQ(_store->GetValue(alice, "inventory"), binary);  // bytes, NULs included
    EXPECT_EQ(_store->GetValue(alice, "empty"), std::string());
    EXPECT_EQ(_store->GetValue(bob, "inventory"), "bob's");
    _store->PutValue(alice, "inventory", "sword");
    EXPECT_EQ(_store->GetValue(alice, "inventory"), "sword");
    EXPECT_TRUE(_store->DeleteValue(alice, "inventory"));
    EXPECT_FALSE(_store->DeleteValue(alice, "inventory"));
    EXPECT_FALSE(_store->GetValue(alice, "inventory").has_value());
    EXPECT_EQ(_store->GetValue(bob, "inventory"), "bob's");

    _store.reset();
    StoreRef reopened = OpenAgain();
    EXPECT_EQ(reopened->GetValue(bob, "inventory"), "bob's");
    EXPECT_EQ(reopened->GetValue(alice, "empty"), std::string());
}

TEST_P(StoreTest, RefusesValuesAndKeysOverTheLimits) {
    const PlayerId alice = NewPlayer(*_store, "alice");
    // Options(): values up to 1 KiB, four keys a player; keys up to 128 bytes.
    _store->PutValue(alice, "big", std::string(1024, 'v'));
    try {
        _store->PutValue(alice, "big", std::string(1025, 'v'));
        ADD_FAILURE() << "a value over the limit was stored";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.Kind(), StoreErrorKind::Invalid);
        EXPECT_NE(std::string(e.what()).find("1025"), std::string::npos) << e.what();
    }
    EXPECT_EQ(_store->GetValue(alice, "big")->size(), 1024u);  // the old value stays
    EXPECT_THROW(_store->PutValue(alice, "", "v"), StoreError);
    EXPECT_THROW(_store->PutValue(alice, std::string(129, 'k'), "v"), StoreError);
    _store->PutValue(alice, std::string(128, 'k'), "v");
    _store->PutValue(alice, "c", "v");
    _store->PutValue(alice, "d", "v");  // the fourth key
    try {
        _store->PutValue(alice, "e", "v");
        ADD_FAILURE() << "a fifth key was stored";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.Kind(), StoreErrorKind::Invalid);
    }
    _store->PutValue(alice, "d", "overwritten");  // an existing key is not a new one
    EXPECT_EQ(_store->GetValue(alice, "d"), "overwritten");
    EXPECT_TRUE(_store->DeleteValue(alice, "c"));
    _store->PutValue(alice, "e", "v");  // room again
}

TEST_P(StoreTest, RefusesAValueForAPlayerWithoutAnAccount) {
    const PlayerId alice = NewPlayer(*_store, "alice");
    try {
        _store->PutValue(alice + 1000, "k", "v");
        ADD_FAILURE() << "stored a value for nobody";
    } catch (const StoreError& e) {
        EXPECT_EQ(e.Kind(), StoreErrorKind::Invalid);
    }
    EXPECT_FALSE(_store->GetValue(alice + 1000, "k").has_value());
}

}  // namespace
}  // namespace tavern::store::test
