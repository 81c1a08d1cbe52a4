// The store suite, once per backend (StoreFixture.h): logins through Accounts.
#include "store/Accounts.h"

#include <latch>
#include <thread>

#include "tests/store/StoreFixture.h"

namespace tavern::store::test {
namespace {

LoginRequest Request(std::string_view name, std::string_view password, bool allowRegister = true) {
    return LoginRequest{name, password, "127.0.0.1", allowRegister};
}

TEST_P(StoreTest, AFirstLoginCreatesTheAccountAndALaterOneFindsItsSavedPlace) {
    Accounts accounts(*_store, PasswordHasher(PasswordCost::Min));
    LoginOutcome created = accounts.Login(Request("alice", "secret"));
    ASSERT_EQ(created.status, LoginStatus::Created);
    EXPECT_EQ(created.state, (PlayerState{created.account.playerId, 0, 0, 0}));
    _store->SavePlayerStates(std::vector<PlayerState>{{created.account.playerId, 3, 12.5f, -7}});

    _store.reset();  // a restart
    StoreRef reopened = OpenAgain();
    Accounts again(*reopened, PasswordHasher(PasswordCost::Min));
    LoginOutcome login = again.Login(Request("alice", "secret"));
    ASSERT_EQ(login.status, LoginStatus::LoggedIn);
    EXPECT_EQ(login.account.playerId, created.account.playerId);
    EXPECT_EQ(login.state, (PlayerState{created.account.playerId, 3, 12.5f, -7}));
}

TEST_P(StoreTest, AWrongPasswordAndAnUnknownNameGetTheSameRefusal) {
    Accounts accounts(*_store, PasswordHasher(PasswordCost::Min));
    ASSERT_EQ(accounts.Login(Request("alice", "secret")).status, LoginStatus::Created);
    LoginOutcome wrong = accounts.Login(Request("alice", "Secret"));
    EXPECT_EQ(wrong.status, LoginStatus::WrongNameOrPassword);
    EXPECT_FALSE(wrong.Succeeded());
    LoginOutcome unknown = accounts.Login(Request("nobody", "secret", /*allowRegister=*/false));
    EXPECT_EQ(unknown.status, LoginStatus::WrongNameOrPassword);
    EXPECT_EQ(ReasonText(wrong.status), "wrong name or password");
    EXPECT_FALSE(_store->FindAccount("nobody").has_value());
    EXPECT_EQ(accounts.Login(Request("alice", "")).status, LoginStatus::InvalidPassword);
    EXPECT_EQ(accounts.Login(Request("alice", std::string(129, 'p'))).status,
              LoginStatus::InvalidPassword);
}

TEST_P(StoreTest, ANameVariantIsTakenUnlessItsPasswordIsTheAccountsOne) {
    Accounts accounts(*_store, PasswordHasher(PasswordCost::Min));
    LoginOutcome created = accounts.Login(Request("Alice", "secret"));
    ASSERT_EQ(created.status, LoginStatus::Created);
    for (const std::string variant : {"alice", "ALICE", "Al\xE2\x80\x8Bice",
                                      "\xE2\x80\x8E"
                                      "Alice"}) {
        LoginOutcome taken = accounts.Login(Request(variant, "another password"));
        EXPECT_EQ(taken.status, LoginStatus::NameTaken) << variant;
        EXPECT_EQ(ReasonText(taken.status), "name taken");
        // The owner may type it either way.
        LoginOutcome owner = accounts.Login(Request(variant, "secret"));
        EXPECT_EQ(owner.status, LoginStatus::LoggedIn) << variant;
        EXPECT_EQ(owner.account.playerId, created.account.playerId);
        EXPECT_EQ(owner.account.name, "Alice");
    }
    EXPECT_EQ(_db->QueryValue("SELECT count(*) FROM accounts"), "1");
}

TEST_P(StoreTest, TwoFirstLoginsRacingForOneNameMakeOneAccount) {
    Accounts accounts(*_store, PasswordHasher(PasswordCost::Min));
    for (int round = 0; round < 10; ++round) {
        const std::string name = "twin" + std::to_string(round);
        LoginOutcome outcomes[2];
        std::latch start(2);
        std::thread threads[2];
        for (int i = 0; i < 2; ++i)
            threads[i] = std::thread([&, i] {
                start.arrive_and_wait();
                outcomes[i] = accounts.Login(Request(name, "same password"));
            });
        for (std::thread& thread : threads) thread.join();
        ASSERT_TRUE(outcomes[0].Succeeded() && outcomes[1].Succeeded()) << name;
        EXPECT_NE(outcomes[0].status, outcomes[1].status) << name;  // one Created, one LoggedIn
        EXPECT_EQ(outcomes[0].account.playerId, outcomes[1].account.playerId) << name;
    }
    EXPECT_EQ(_db->QueryValue("SELECT count(*) FROM accounts"), "10");
}

TEST_P(StoreTest, FiveFailuresLockTheAccountEvenForItsRightPassword) {
    LoginLimiter limiter;
    Accounts accounts(*_store, PasswordHasher(PasswordCost::Min), &limiter);
    ASSERT_EQ(accounts.Login(Request("alice", "secret")).status, LoginStatus::Created);
    for (int i = 0; i < 5; ++i)
        ASSERT_EQ(accounts.Login(Request("ALICE", "guess" + std::to_string(i))).status,
                  LoginStatus::NameTaken);
    LoginOutcome locked = accounts.Login(Request("alice", "secret"));
    EXPECT_EQ(locked.status, LoginStatus::TooManyAttempts);
    EXPECT_EQ(ReasonText(locked.status), "too many attempts");
    EXPECT_EQ(limiter.Refused(), 1u);
    EXPECT_EQ(limiter.Failures(), 5u);
}

}  // namespace
}  // namespace tavern::store::test
