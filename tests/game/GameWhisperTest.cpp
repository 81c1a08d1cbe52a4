#include "gameserver/WhisperService.h"

#include <gtest/gtest.h>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

class GameWhisperTest : public GameServerFixture {
protected:
    static bool Whisper(GameTestClient& client, const std::string& to, const std::string& msg) {
        Protocol::C_WHISPER whisper;
        whisper.set_to(to);
        whisper.set_msg(msg);
        return client.Send(PacketId::C_WHISPER, whisper);
    }
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
    ASSERT_TRUE(Whisper(*alice, "bob", "psst, bob"));
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
    ASSERT_TRUE(Whisper(*alice, "nobody", "hello?"));
    ExpectError(*alice);
    ASSERT_TRUE(Whisper(*alice, "", "hello?"));
    ExpectError(*alice);
    ASSERT_TRUE(Whisper(*alice, "alice", std::string(600, 'x')));
    ExpectError(*alice);  // longer than maxChatBytes
}

TEST_P(GameWhisperTest, AWhisperBeforeLoginIsRefused) {
    auto bob = LoggedIn("bob");
    auto stranger = Connect();
    ASSERT_TRUE(Whisper(*stranger, "bob", "who am I?"));
    ExpectError(*stranger);
    EXPECT_TRUE(bob->ExpectSilence());
}

INSTANTIATE_TEST_SUITE_P(Backends, GameWhisperTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
