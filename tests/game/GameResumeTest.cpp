#include "gameserver/ResumeRegistry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/game/GameServerFixture.h"
#include "tests/game/ResumingTestClient.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using namespace std::chrono_literals;

// Seamless reconnect over real sockets: a player whose connection drops comes back with its
// resume token, and every packet arrives once, in order, both ways.
class GameResumeTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.limits.resumeWindow = 30s;
        return options;
    }

    bool WaitUntilAway(std::size_t count) {
        return WaitUntil([&] { return server->Resumes().AwayCount() == count; });
    }

    // Reads S_CHAT lines until `count` arrived (anything else is a failure); their texts.
    static std::vector<std::string> ReadLines(GameTestClient& client, std::size_t count) {
        std::vector<std::string> lines;
        while (lines.size() < count) {
            const auto chat = client.Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
            if (!chat) break;
            lines.push_back(chat->msg());
        }
        return lines;
    }

    // alice, bob and carol in room 1, everyone's spawns read.
    void ThreeInRoom() {
        ASSERT_TRUE(alice.Login(server->LocalAddress(), "alice"));
        ASSERT_TRUE(alice.Enter(1));
        bob = InRoom("bob", 1);
        ASSERT_TRUE(alice.Client().Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
        carol = InRoom("carol", 1);
        ASSERT_TRUE(alice.Client().Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
        ASSERT_TRUE(bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
    }

    ResumingTestClient alice;
    std::unique_ptr<GameTestClient> bob;
    std::unique_ptr<GameTestClient> carol;
};

TEST_P(GameResumeTest, LinesSaidDuringAResetArriveOnceInOrderAfterTheResume) {
    ThreeInRoom();
    ASSERT_TRUE(alice.Chat("before"));
    for (GameTestClient* client : {&alice.Client(), bob.get(), carol.get()})
        EXPECT_EQ(ReadLines(*client, 1), std::vector<std::string>{"before"}) << client->Name();
    EXPECT_TRUE(alice.Client().ExpectSilence());

    alice.Client().Reset();
    ASSERT_TRUE(WaitUntilAway(1));
    std::vector<std::string> gap;
    for (int i = 1; i <= 5; ++i) {
        gap.push_back("gap " + std::to_string(i));
        ASSERT_TRUE(bob->Chat(gap.back()));
    }
    // Others see the lines and nothing of alice's drop: no S_DESPAWN.
    EXPECT_EQ(ReadLines(*bob, 5), gap);
    EXPECT_EQ(ReadLines(*carol, 5), gap);
    EXPECT_TRUE(bob->ExpectSilence(300ms));
    EXPECT_TRUE(carol->ExpectSilence(300ms));

    const auto answer = alice.Resume(server->LocalAddress());
    ASSERT_TRUE(answer);
    ASSERT_TRUE(answer->success()) << answer->reason();
    EXPECT_TRUE(answer->resumed());
    EXPECT_EQ(answer->player_id(), alice.PlayerId());
    EXPECT_EQ(answer->received(), 2u) << "C_ENTER_GAME and C_CHAT were handled";
    EXPECT_NE(answer->resume_token(), "") << "a fresh token for the next resume";
    EXPECT_EQ(alice.Resent(), 0u);
    EXPECT_EQ(ReadLines(alice.Client(), 5), gap) << "the gap, once, in order";
    EXPECT_TRUE(alice.Client().ExpectSilence());
    EXPECT_EQ(server->Resumes().AwayCount(), 0u);

    // Live again, and still nobody saw a despawn.
    ASSERT_TRUE(alice.Chat("back"));
    for (GameTestClient* client : {&alice.Client(), bob.get(), carol.get()})
        EXPECT_EQ(ReadLines(*client, 1), std::vector<std::string>{"back"}) << client->Name();
    EXPECT_TRUE(bob->ExpectSilence());
    EXPECT_TRUE(carol->ExpectSilence());
    EXPECT_EQ(server->Resumes().Counters().resumed.load(), 1u);
}

TEST_P(GameResumeTest, OwnPacketsInFlightAtTheDropAreHandledOnce) {
    ThreeInRoom();
    std::vector<std::string> own;
    for (int i = 1; i <= 3; ++i) {
        own.push_back("own " + std::to_string(i));
        ASSERT_TRUE(alice.Chat(own.back()));
    }
    alice.Client().Reset();  // the server may have read none, some or all of them
    ASSERT_TRUE(WaitUntilAway(1));

    const auto answer = alice.Resume(server->LocalAddress());
    ASSERT_TRUE(answer);
    ASSERT_TRUE(answer->success()) << answer->reason();
    EXPECT_LE(answer->received(), alice.SentCount());
    EXPECT_EQ(answer->received() + alice.Resent(), alice.SentCount());
    // Whatever the server had handled before the drop and what was sent again: each once.
    EXPECT_EQ(ReadLines(*bob, 3), own);
    EXPECT_EQ(ReadLines(alice.Client(), 3), own);
    EXPECT_TRUE(bob->ExpectSilence(300ms));
    EXPECT_TRUE(alice.Client().ExpectSilence(300ms));
}

TEST_P(GameResumeTest, AUsedOrForgedTokenIsRefusedAndTheConnectionStaysOpen) {
    ThreeInRoom();
    const std::string first = alice.Token();
    alice.Client().Reset();
    ASSERT_TRUE(WaitUntilAway(1));
    const auto answer = alice.Resume(server->LocalAddress());
    ASSERT_TRUE(answer && answer->success());

    for (const std::string& token : {first, std::string(32, 'f'), std::string("x")}) {
        GameTestClient mallory;
        ASSERT_TRUE(mallory.Connect(server->LocalAddress()));
        const auto refused = ResumingTestClient::SendResume(mallory, token, 0);
        ASSERT_TRUE(refused);
        EXPECT_FALSE(refused->success());
        EXPECT_EQ(refused->reason(), "resume expired");
        EXPECT_FALSE(refused->resumed());
        // Still open: a name login works on the same connection.
        EXPECT_NE(mallory.Login("mallory"), 0u);
    }
    EXPECT_EQ(server->Resumes().Counters().refused.load(), 3u);
    EXPECT_TRUE(bob->ExpectSilence()) << "alice never left";
}

TEST_P(GameResumeTest, AResumeRacingTheOldOpenConnectionTakesItOver) {
    ThreeInRoom();
    // The old connection is still open (a silently dead Wi-Fi link): the resume does not wait
    // for it to time out.
    const auto answer = alice.Resume(server->LocalAddress());
    ASSERT_TRUE(answer);
    ASSERT_TRUE(answer->success()) << answer->reason();
    EXPECT_TRUE(answer->resumed());
    EXPECT_EQ(answer->received(), 1u) << "C_ENTER_GAME";
    EXPECT_TRUE(alice.Previous().WaitForClose()) << "the server closed the old connection";

    ASSERT_TRUE(bob->Chat("after"));
    EXPECT_EQ(ReadLines(alice.Client(), 1), std::vector<std::string>{"after"});
    EXPECT_EQ(ReadLines(*bob, 1), std::vector<std::string>{"after"});
    EXPECT_TRUE(bob->ExpectSilence()) << "no despawn, no spawn";
    EXPECT_TRUE(carol->Expect<Protocol::S_CHAT>(PacketId::S_CHAT));
    EXPECT_TRUE(carol->ExpectSilence());
    EXPECT_EQ(server->Resumes().AwayCount(), 0u);
    EXPECT_EQ(server->Sessions().PlayerCount(), 3u);
}

// The window ends, or the replay buffer overflows: the player leaves for good.
class GameResumeEndTest : public GameResumeTest {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameResumeTest::Options();
        const std::string test = testing::UnitTest::GetInstance()->current_test_info()->name();
        if (test.find("Window") != std::string::npos) options.limits.resumeWindow = 1s;
        if (test.find("Overflow") != std::string::npos) options.limits.resumeBuffer = 4096;
        return options;
    }

    // Reads (chat lines allowed) until an S_DESPAWN of `playerId`; false if none came.
    static bool ReadUntilDespawn(GameTestClient& client, std::uint64_t playerId) {
        while (const auto packet = client.Receive(10s)) {
            if (packet->id == static_cast<std::uint16_t>(PacketId::S_CHAT)) continue;
            EXPECT_EQ(packet->id, static_cast<std::uint16_t>(PacketId::S_DESPAWN));
            Protocol::S_DESPAWN despawn;
            despawn.ParseFromArray(packet->payload.data(),
                                   static_cast<int>(packet->payload.size()));
            return despawn.player_ids_size() == 1 && despawn.player_ids(0) == playerId;
        }
        return false;
    }
};

TEST_P(GameResumeEndTest, AnExpiredWindowEndsInDespawnAndTheResumeIsRefused) {
    ThreeInRoom();
    alice.Client().Reset();
    ASSERT_TRUE(WaitUntilAway(1));
    EXPECT_TRUE(ReadUntilDespawn(*bob, alice.PlayerId()));
    EXPECT_TRUE(ReadUntilDespawn(*carol, alice.PlayerId()));
    EXPECT_EQ(server->Resumes().AwayCount(), 0u);
    EXPECT_EQ(server->Resumes().Counters().windowEnded.load(), 1u);

    const auto answer = alice.Resume(server->LocalAddress());
    ASSERT_TRUE(answer);
    EXPECT_FALSE(answer->success());
    EXPECT_EQ(answer->reason(), "resume expired");
    EXPECT_TRUE(WaitUntil([&] { return server->Sessions().PlayerCount() == 2; }));
}

TEST_P(GameResumeEndTest, AnOverflowingReplayBufferEndsInDespawn) {
    ThreeInRoom();
    alice.Client().Reset();
    ASSERT_TRUE(WaitUntilAway(1));
    // About 60 x 120 bytes for alice to keep, past the 4 KiB bound.
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(bob->Chat(std::string(100, 'x') + std::to_string(i)));
    EXPECT_TRUE(ReadUntilDespawn(*carol, alice.PlayerId()));
    EXPECT_EQ(server->Resumes().AwayCount(), 0u);
    EXPECT_EQ(server->Resumes().Counters().overflowed.load(), 1u);
    const auto answer = alice.Resume(server->LocalAddress());
    ASSERT_TRUE(answer);
    EXPECT_FALSE(answer->success());
}

INSTANTIATE_TEST_SUITE_P(Backends, GameResumeEndTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

INSTANTIATE_TEST_SUITE_P(Backends, GameResumeTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
