#include "gameserver/BroadcastBatch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

// A tick long enough that a test can act while a chat line is still waiting in it.
class GameLongTickTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.limits.broadcastTick = std::chrono::milliseconds(300);
        return options;
    }
    static void WaitInsideTheTick() { std::this_thread::sleep_for(std::chrono::milliseconds(60)); }
};

TEST_P(GameLongTickTest, MoverGetsTheRestOfItsTickButNotItsOwnMove) {
    auto alice = Connect();
    const auto aliceId = alice->Login("alice");
    ASSERT_TRUE(alice->Enter(1));
    auto bob = InRoom("bob", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);

    Protocol::C_MOVE move;
    move.set_x(5);
    ASSERT_TRUE(alice->Send(PacketId::C_MOVE, move));
    ASSERT_TRUE(alice->Chat("after my move"));
    ASSERT_TRUE(bob->Chat("bob too"));

    // Bob gets the whole tick; bob's own line may land before or after alice's two, which
    // keep their order.
    std::vector<std::string> bobSaw;
    for (int i = 0; i < 3; ++i) {
        const auto packet = bob->Receive();
        ASSERT_TRUE(packet);
        if (packet->id == static_cast<std::uint16_t>(PacketId::S_MOVE)) {
            Protocol::S_MOVE seen;
            ASSERT_TRUE(seen.ParseFromArray(packet->payload.data(),
                                            static_cast<int>(packet->payload.size())));
            EXPECT_EQ(seen.player_id(), aliceId);
            bobSaw.push_back("move");
        } else {
            ASSERT_EQ(packet->id, static_cast<std::uint16_t>(PacketId::S_CHAT));
            Protocol::S_CHAT chat;
            ASSERT_TRUE(chat.ParseFromArray(packet->payload.data(),
                                            static_cast<int>(packet->payload.size())));
            bobSaw.push_back(chat.msg());
        }
    }
    const auto at = [&](const std::string& what) {
        return std::find(bobSaw.begin(), bobSaw.end(), what) - bobSaw.begin();
    };
    EXPECT_LT(at("move"), at("after my move"));
    EXPECT_LT(at("bob too"), 3);
    const std::multiset<std::string> bobLines{"after my move", "bob too"};
    // Alice: the same tick without her own S_MOVE.
    std::multiset<std::string> aliceLines;
    for (int i = 0; i < 2; ++i) {
        const auto chat = alice->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(chat);
        aliceLines.insert(chat->msg());
    }
    EXPECT_EQ(aliceLines, bobLines);
    EXPECT_TRUE(alice->ExpectSilence());
}

TEST_P(GameLongTickTest, NewcomerDoesNotGetWhatWasSaidBeforeItCame) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(alice->Chat("before carol"));
    WaitInsideTheTick();
    auto carol = Connect();
    const auto carolId = carol->Login("carol");
    ASSERT_TRUE(carol->Enter(1));
    EXPECT_TRUE(carol->ExpectSilence(std::chrono::milliseconds(500)));
    // The others get the line first, then carol's arrival: the entry flushed the tick.
    for (GameTestClient* client : {alice.get(), bob.get()}) {
        const auto chat = client->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(chat) << client->Name();
        EXPECT_EQ(chat->msg(), "before carol");
        const auto spawn = client->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
        ASSERT_TRUE(spawn) << client->Name();
        EXPECT_EQ(spawn->players(0).player_id(), carolId);
    }
}

TEST_P(GameLongTickTest, LeaverGetsWhatWasSaidWhileItWasThereBeforeItsLeaveAnswer) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(alice->Chat("goodbye bob"));
    WaitInsideTheTick();
    ASSERT_TRUE(bob->Send(PacketId::C_LEAVE_GAME, Protocol::C_LEAVE_GAME{}));
    const auto chat = bob->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->msg(), "goodbye bob");
    EXPECT_TRUE(bob->Expect<Protocol::S_LEAVE_GAME>(PacketId::S_LEAVE_GAME));
    EXPECT_TRUE(alice->Expect<Protocol::S_CHAT>(PacketId::S_CHAT));
    EXPECT_TRUE(alice->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN));
}

INSTANTIATE_TEST_SUITE_P(Backends, GameLongTickTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

// No tick: every chat line and move goes out the moment the room handles it.
class GameImmediateBroadcastTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.limits.broadcastTick = std::chrono::milliseconds::zero();
        return options;
    }
};

TEST_P(GameImmediateBroadcastTest, ChatReachesEveryoneOnceAndMovesSkipTheMover) {
    auto alice = Connect();
    const auto aliceId = alice->Login("alice");
    ASSERT_TRUE(alice->Enter(1));
    auto bob = InRoom("bob", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(alice->Chat("now"));
    for (GameTestClient* client : {alice.get(), bob.get()}) {
        const auto chat = client->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(chat) << client->Name();
        EXPECT_EQ(chat->player_id(), aliceId);
    }
    Protocol::C_MOVE move;
    move.set_y(2);
    ASSERT_TRUE(alice->Send(PacketId::C_MOVE, move));
    EXPECT_TRUE(bob->Expect<Protocol::S_MOVE>(PacketId::S_MOVE));
    EXPECT_TRUE(alice->ExpectSilence());
    EXPECT_TRUE(bob->ExpectSilence());
    EXPECT_EQ(server->Stats().roomPacketsOut, 2u + 1u + 1u) << "spawn, two chats, one move";
}

TEST_P(GameImmediateBroadcastTest, LinesFromOneSenderKeepTheirOrder) {
    auto alice = InRoom("alice", 1);
    auto bob = InRoom("bob", 1);
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(alice->Chat(std::to_string(i)));
    for (int i = 0; i < 100; ++i) {
        const auto chat = bob->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(chat);
        ASSERT_EQ(chat->msg(), std::to_string(i));
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, GameImmediateBroadcastTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
