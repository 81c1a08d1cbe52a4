#include "gameserver/LimitCheck.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

game::GameServerOptions WithLimits(std::size_t maxPacket, std::size_t maxChat,
                                   std::size_t maxName) {
    game::GameServerOptions options;
    options.address = NetAddress::Loopback(0);
    options.service.maxPacketSize = maxPacket;
    options.limits.maxChatBytes = maxChat;
    options.limits.maxNameBytes = maxName;
    return options;
}

// Before the fix, `--max-packet 65535 --max-chat 65535` started, and a full-size C_CHAT got
// no answer at all (its S_CHAT would have been 65,537 bytes); `--max-chat 2000` with the
// default 1,024-byte packets started too, and cut every client that used its limit.
TEST(LimitCheckTest, ALimitWhosePacketsCannotFitIsAStartErrorNamingBothFlags) {
    const auto chat = game::CheckLimits(WithLimits(65535, 65535, 32).service,
                                        WithLimits(65535, 65535, 32).limits);
    EXPECT_NE(chat.find("--max-chat 65535"), std::string::npos) << chat;
    EXPECT_NE(chat.find("--max-packet 65535"), std::string::npos) << chat;
    const auto name =
        game::CheckLimits(WithLimits(1024, 512, 2000).service, WithLimits(1024, 512, 2000).limits);
    EXPECT_NE(name.find("--max-name 2000"), std::string::npos) << name;
    EXPECT_NE(name.find("--max-packet 1024"), std::string::npos) << name;
    EXPECT_EQ(game::CheckLimits(WithLimits(1024, 512, 32).service,
                                WithLimits(1024, 512, 32).limits),
              "");
    game::GameServer server(WithLimits(65535, 65535, 32));
    EXPECT_EQ(server.Start(), std::make_error_code(std::errc::invalid_argument));
}

class GameLimitFitTest : public BackendTest {};

// Every combination of a grid of packet, chat and name limits that the server accepts at start
// must serve its own extremes: the longest name logs in and is listed to an entrant, the
// longest line is chatted back to everyone. Before the fix, (65535, 65535, *) was accepted
// and its longest chat line went unanswered.
TEST_P(GameLimitFitTest, EveryAcceptedLimitCombinationProducesOnlyPacketsThatFit) {
    int accepted = 0;
    for (const std::size_t maxPacket : {std::size_t{1024}, std::size_t{65535}}) {
        for (const std::size_t maxChat : {512u, 1000u, 65000u, 65535u}) {
            for (const std::size_t maxName : {32u, 1000u, 65000u}) {
                const auto options = WithLimits(maxPacket, maxChat, maxName);
                const bool ok = game::CheckLimits(options.service, options.limits).empty();
                game::GameServer server(options, core);
                ASSERT_EQ(!server.Start(), ok);
                if (!ok) continue;
                ++accepted;
                SCOPED_TRACE(testing::Message() << "max packet " << maxPacket << ", chat "
                                                << maxChat << ", name " << maxName);
                GameTestClient first, second;
                ASSERT_TRUE(first.Connect(server.LocalAddress()));
                ASSERT_TRUE(second.Connect(server.LocalAddress()));
                ASSERT_NE(first.Login(std::string(maxName, 'a')), 0u);
                ASSERT_NE(second.Login(std::string(maxName, 'b')), 0u);
                ASSERT_TRUE(first.Enter(1));
                const auto listed = second.Enter(1);
                ASSERT_TRUE(listed);
                ASSERT_EQ(listed->players_size(), 1);
                EXPECT_EQ(listed->players(0).name(), std::string(maxName, 'a'));
                ASSERT_TRUE(first.Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
                ASSERT_TRUE(first.Chat(std::string(maxChat, 'c')));
                for (GameTestClient* client : {&first, &second}) {
                    const auto chat = client->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
                    ASSERT_TRUE(chat);
                    EXPECT_EQ(chat->msg().size(), maxChat);
                }
                first.Close();
                second.Close();
                server.Stop();
            }
        }
    }
    EXPECT_GE(accepted, 6);
}

class GameLongNameRoomTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.limits.maxNameBytes = 255;
        return options;
    }
};

// 300 players with 255-byte names enter one room. Before the fix the member list was split by
// count (400 a packet), so from the 250th entrant on it passed 64 KiB: the room threw, the
// entrant got no S_ENTER_GAME at all, and its chat then got "not in room 1". Now every entrant
// is answered, and the last one is told of all 299 others in packets that fit.
TEST_P(GameLongNameRoomTest, MemberListsAreSplitByEncodedSize) {
    std::vector<std::unique_ptr<GameTestClient>> clients;
    for (int i = 0; i < 299; ++i) {
        std::string name(255, 'p');
        name.replace(0, std::to_string(i).size(), std::to_string(i));
        clients.push_back(InRoom(name, 1));
        ASSERT_FALSE(HasFailure()) << "entrant " << i + 1;
    }
    auto last = LoggedIn(std::string(255, 'z'));
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(1);
    ASSERT_TRUE(last->Send(PacketId::C_ENTER_GAME, enter));
    const auto answer = last->Expect<Protocol::S_ENTER_GAME>(PacketId::S_ENTER_GAME);
    ASSERT_TRUE(answer);
    ASSERT_TRUE(answer->success());
    int listed = answer->players_size();
    while (listed < 299) {
        const auto more = last->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
        ASSERT_TRUE(more) << listed << " of 299 listed";
        listed += more->players_size();
    }
    EXPECT_EQ(listed, 299);
    EXPECT_LT(answer->players_size(), 299);  // it did need more than one packet
    EXPECT_EQ(server->Stats().protocolErrors, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, GameLimitFitTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);
INSTANTIATE_TEST_SUITE_P(Backends, GameLongNameRoomTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
