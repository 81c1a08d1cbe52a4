// A crowded room flushes its broadcast tick to one group of members at a time, a group every
// tick / groups: every member still gets every packet once, in order, and the mover none of its
// own moves, while the fan-out is spread over the tick.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using Clock = std::chrono::steady_clock;

constexpr auto kTick = std::chrono::milliseconds(300);
constexpr int kMembers = 7;  // groups of 2, at most 8: three groups (slots 0-1, 2-3, 4-6)

class GameBroadcastGroupTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.limits.broadcastTick = kTick;
        options.limits.broadcastGroupSize = 2;
        options.limits.broadcastGroups = 8;
        return options;
    }
};

TEST_P(GameBroadcastGroupTest, EveryGroupGetsTheTickOnceAndTheGroupsAreSpreadOverIt) {
    std::vector<std::unique_ptr<GameTestClient>> members;
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < kMembers; ++i) {
        auto client = Connect();
        ids.push_back(client->Login("m" + std::to_string(i)));
        ASSERT_TRUE(client->Enter(4));
        // Everyone already here sees the newcomer: read it now, so that only the tick is left.
        for (auto& earlier : members)
            ASSERT_TRUE(earlier->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN)) << earlier->Name();
        members.push_back(std::move(client));
    }

    Protocol::C_MOVE move;
    move.set_x(3);
    ASSERT_TRUE(members[0]->Send(PacketId::C_MOVE, move));
    ASSERT_TRUE(members[0]->Chat("a1"));
    ASSERT_TRUE(members[0]->Chat("a2"));
    ASSERT_TRUE(members[5]->Chat("f1"));
    const auto sent = Clock::now();

    // Read in slot order: the first group's turn comes first, so the read times are the arrival
    // times of each group's share (a later group's read blocks until its share comes).
    std::vector<Clock::duration> arrived;
    for (int i = 0; i < kMembers; ++i) {
        GameTestClient& client = *members[i];
        std::vector<std::string> lines;
        int moves = 0;
        Clock::duration first{};
        while (lines.size() < 3) {
            const auto packet = client.Receive(std::chrono::seconds(3));
            ASSERT_TRUE(packet) << client.Name() << " got " << lines.size() << " lines";
            if (lines.empty() && moves == 0) first = Clock::now() - sent;
            if (packet->id == static_cast<std::uint16_t>(PacketId::S_MOVE)) {
                Protocol::S_MOVE seen;
                ASSERT_TRUE(seen.ParseFromArray(packet->payload.data(),
                                                static_cast<int>(packet->payload.size())));
                EXPECT_EQ(seen.player_id(), ids[0]);
                ++moves;
                continue;
            }
            ASSERT_EQ(packet->id, static_cast<std::uint16_t>(PacketId::S_CHAT)) << client.Name();
            Protocol::S_CHAT chat;
            ASSERT_TRUE(chat.ParseFromArray(packet->payload.data(),
                                            static_cast<int>(packet->payload.size())));
            lines.push_back(chat.msg());
        }
        // Each sender's lines in the order said; the mover never sees its own move.
        const auto at = [&](const std::string& line) {
            return std::find(lines.begin(), lines.end(), line) - lines.begin();
        };
        EXPECT_LT(at("a1"), at("a2")) << client.Name();
        EXPECT_LT(at("f1"), 3) << client.Name();
        EXPECT_EQ(moves, i == 0 ? 0 : 1) << client.Name();
        arrived.push_back(first);
    }
    for (auto& client : members) EXPECT_TRUE(client->ExpectSilence()) << client->Name();

    // Three groups, one every tick / 3: the last group's share comes about two intervals after
    // the first's, and every share within a tick (plus scheduling slack) of being said.
    const auto [earliest, latest] = std::minmax_element(arrived.begin(), arrived.end());
    EXPECT_GE(*latest - *earliest, kTick / 3) << "the groups were flushed together";
    EXPECT_LE(*latest, kTick + std::chrono::milliseconds(250));
}

INSTANTIATE_TEST_SUITE_P(Backends, GameBroadcastGroupTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
