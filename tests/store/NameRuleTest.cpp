#include "store/NameRule.h"

#include <gtest/gtest.h>

namespace tavern::store {
namespace {

std::string Key(std::string_view name) {
    std::optional<std::string> key = NameRule::Canonicalize(name);
    EXPECT_TRUE(key.has_value()) << name;
    return key.value_or("");
}

TEST(NameRuleTest, NamesDifferingOnlyInLetterCaseShareAKey) {
    EXPECT_EQ(Key("alice"), Key("ALICE"));
    EXPECT_EQ(Key("alice"), Key("AlIcE"));
    EXPECT_EQ(Key("strasse"), Key("STRASSE"));
    EXPECT_EQ(Key("straße"), Key("STRASSE"));  // full case folding: ß -> ss
    EXPECT_EQ(Key("ΣΊΣΥΦΟΣ"), Key("σίσυφος"));
    EXPECT_NE(Key("alice"), Key("alicia"));
}

TEST(NameRuleTest, ComposedAndDecomposedSpellingsShareAKey) {
    const std::string nfc = "Jos\xC3\xA9";   // é as U+00E9
    const std::string nfd = "Jose\xCC\x81";  // e + U+0301 COMBINING ACUTE ACCENT
    ASSERT_NE(nfc, nfd);
    EXPECT_EQ(Key(nfc), Key(nfd));
    EXPECT_EQ(Key(nfc), Key("JOSE\xCC\x81"));
    EXPECT_NE(Key(nfc), Key("Jose"));
    // Hangul: a precomposed syllable and its jamo.
    EXPECT_EQ(Key("\xEA\xB0\x80"), Key("\xE1\x84\x80\xE1\x85\xA1"));
}

TEST(NameRuleTest, InvisibleCharactersAreIgnored) {
    EXPECT_EQ(Key("alice"), Key("al\xE2\x80\x8B"
                                "ice"));  // U+200B ZERO WIDTH SPACE
    EXPECT_EQ(Key("alice"), Key("ali\xE2\x80\x8D"
                                "ce"));  // U+200D ZERO WIDTH JOINER
    EXPECT_EQ(Key("alice"), Key("\xE2\x80\x8F"
                                "alice"));  // U+200F RIGHT-TO-LEFT MARK
    EXPECT_EQ(Key("alice"), Key("\xE2\x80\xAE"
                                "alice"));              // U+202E RIGHT-TO-LEFT OVERRIDE
    EXPECT_EQ(Key("alice"), Key("alice\xE2\x81\xA6"));  // U+2066 LEFT-TO-RIGHT ISOLATE
    EXPECT_EQ(Key("alice"), Key("\xEF\xBB\xBF"
                                "alice"));  // U+FEFF BYTE ORDER MARK
    EXPECT_EQ(Key("alice"), Key("al\xC2\xAD"
                                "ice"));  // U+00AD SOFT HYPHEN
    EXPECT_EQ(Key("alice"), Key("A\xE2\x80\x8C"
                                "LI\xE2\x80\x8B"
                                "CE"));
}

TEST(NameRuleTest, CompatibilityFormsAndWhiteSpaceShareAKey) {
    EXPECT_EQ(Key("alice"), Key("\xEF\xBC\xA1\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85"));
    EXPECT_EQ(Key("alice bob"), Key("  Alice \xC2\xA0  Bob "));  // NBSP, runs, both ends
    EXPECT_NE(Key("alice bob"), Key("alicebob"));
}

TEST(NameRuleTest, RefusesInvalidUtf8ControlCharactersAndInvisibleOnlyNames) {
    EXPECT_FALSE(NameRule::Canonicalize("\xC3\x28").has_value());      // invalid sequence
    EXPECT_FALSE(NameRule::Canonicalize("\xED\xA0\x80").has_value());  // a surrogate
    EXPECT_FALSE(NameRule::Canonicalize("").has_value());
    EXPECT_FALSE(NameRule::Canonicalize("\xE2\x80\x8B\xE2\x80\x8F").has_value());
    EXPECT_FALSE(NameRule::Canonicalize("   ").has_value());
    EXPECT_FALSE(NameRule::Canonicalize(std::string("ali\0ce", 6)).has_value());
    EXPECT_FALSE(NameRule::Canonicalize("ali\nce").has_value());
    EXPECT_FALSE(NameRule::Canonicalize("ali\x1B"
                                        "ce")
                     .has_value());
}

}  // namespace
}  // namespace tavern::store
