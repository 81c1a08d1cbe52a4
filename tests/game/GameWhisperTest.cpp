#include "gameserver/WhisperService.h"

#include <gtest/gtest.h>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

class GameWhisperTest : public GameServerFixture {
protected:
    static void ExpectError(GameTestClient& client) {
        const auto error = client.Expect<Protocol::S_ERROR>(PacketId::S_ERROR);
        ASSERT_TRUE(error);
        EXPECT_EQ(error->request_id(), static_cast<std::uint32_t>(PacketId::C_WHISPER));
        EXPECT_FALSE(error->reason().empty());
    }
};

TEST_P(GameWhisperTest, AWhisperReachesOnlyThePlayerItNames) {
    auto alice = LoggedIn("alice");
    auto bob = LoggedIn("bob");
    auto carol = LoggedIn("carol");
    ASSERT_TRUE(alice->Whisper("bob", "psst, bob"));
    const auto heard = bob->Expect<Protocol::S_WHISPER>(PacketId::S_WHISPER);
    ASSERT_TRUE(heard);
    EXPECT_EQ(heard->from(), "alice");
    EXPECT_EQ(heard->msg(), "psst, bob");
    EXPECT_NE(heard->from_player_id(), 0u);
    EXPECT_TRUE(carol->ExpectSilence());
    EXPECT_TRUE(alice->ExpectSilence());  // nothing comes back when it is delivered
}

TEST_P(GameWhisperTest, AWhisperToANameNobodyHasIsRefusedWithAnError) {
    auto alice = LoggedIn("alice");
    ASSERT_TRUE(alice->Whisper("nobody", "hello?"));
    ExpectError(*alice);
    ASSERT_TRUE(alice->Whisper("", "hello?"));
    ExpectError(*alice);
    ASSERT_TRUE(alice->Whisper("alice", std::string(600, 'x')));
    ExpectError(*alice);  // longer than maxChatBytes
}

TEST_P(GameWhisperTest, AWhisperBeforeLoginIsRefused) {
    auto bob = LoggedIn("bob");
    auto stranger = Connect();
    ASSERT_TRUE(stranger->Whisper("bob", "who am I?"));
    ExpectError(*stranger);
    EXPECT_TRUE(bob->ExpectSilence());
}

INSTANTIATE_TEST_SUITE_P(Backends, GameWhisperTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
