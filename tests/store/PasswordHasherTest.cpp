#include "store/PasswordHasher.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace tavern::store {
namespace {

TEST(PasswordHasherTest, VerifiesTheRightPasswordAndRefusesAWrongOne) {
    PasswordHasher hasher(PasswordCost::Min);
    const std::string hash = hasher.Hash("correct horse");
    EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
    EXPECT_TRUE(PasswordHasher::Verify(hash, "correct horse"));
    EXPECT_FALSE(PasswordHasher::Verify(hash, "correct horsE"));
    EXPECT_FALSE(PasswordHasher::Verify(hash, "correct horse "));
    EXPECT_FALSE(PasswordHasher::Verify("not a hash", "correct horse"));
    EXPECT_FALSE(PasswordHasher::Verify("", "correct horse"));
}

TEST(PasswordHasherTest, SaltsEveryHash) {
    PasswordHasher hasher(PasswordCost::Min);
    EXPECT_NE(hasher.Hash("same"), hasher.Hash("same"));
}

TEST(PasswordHasherTest, InteractiveCostIsArgon2idOver64MiBAndVerifiesUnderAnyHasher) {
    PasswordHasher interactive(PasswordCost::Interactive);
    const std::string hash = interactive.Hash("secret");
    EXPECT_NE(hash.find("m=65536,t=2"), std::string::npos) << hash;
    EXPECT_TRUE(PasswordHasher::Verify(hash, "secret"));
    EXPECT_FALSE(interactive.NeedsRehash(hash));
    EXPECT_TRUE(PasswordHasher(PasswordCost::Min).NeedsRehash(hash));
}

TEST(PasswordHasherTest, APasswordIsOneTo128Bytes) {
    PasswordHasher hasher(PasswordCost::Min);
    EXPECT_FALSE(PasswordHasher::IsValidPassword(""));
    EXPECT_TRUE(PasswordHasher::IsValidPassword("x"));
    EXPECT_TRUE(PasswordHasher::IsValidPassword(std::string(128, 'x')));
    EXPECT_FALSE(PasswordHasher::IsValidPassword(std::string(129, 'x')));
    EXPECT_THROW(hasher.Hash(""), std::invalid_argument);
    EXPECT_THROW(hasher.Hash(std::string(129, 'x')), std::invalid_argument);
    const std::string hash = hasher.Hash(std::string(128, 'x'));
    EXPECT_TRUE(PasswordHasher::Verify(hash, std::string(128, 'x')));
    EXPECT_FALSE(PasswordHasher::Verify(hash, std::string(129, 'x')));
}

TEST(PasswordHasherTest, ParsesTheThreeCostNames) {
    EXPECT_EQ(ParsePasswordCost("interactive"), PasswordCost::Interactive);
    EXPECT_EQ(ParsePasswordCost("moderate"), PasswordCost::Moderate);
    EXPECT_EQ(ParsePasswordCost("min"), PasswordCost::Min);
    EXPECT_FALSE(ParsePasswordCost("sensitive").has_value());
    EXPECT_FALSE(ParsePasswordCost("").has_value());
    EXPECT_EQ(ToString(PasswordCost::Moderate), "moderate");
}

}  // namespace
}  // namespace tavern::store
