#include "gameserver/GameServer.h"

#include <gtest/gtest.h>

#include "core/ProtocolError.h"
#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

// A client that breaks the wire format is cut off alone: the server logs why, counts it, and
// despawns its player; everyone else keeps playing.
class GameHostileInputTest : public GameServerFixture {
protected:
    void ExpectOnlyTheSenderIsCut(const std::vector<std::byte>& bytes, ProtocolError kind) {
        auto alice = InRoom("alice", 1);
        auto bob = InRoom("bob", 1);
        alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
        auto mallory = Connect();
        const auto malloryId = mallory->Login("mallory");
        ASSERT_TRUE(mallory->Enter(1));
        alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
        bob->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);

        mallory->SendRaw(bytes);  // may fail part-way: the server is allowed to close at once
        EXPECT_TRUE(mallory->WaitForClose()) << "the server kept a client that broke the format";
        for (GameTestClient* other : {alice.get(), bob.get()}) {
            const auto despawn = other->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
            ASSERT_TRUE(despawn) << other->Name();
            EXPECT_EQ(despawn->player_ids(0), malloryId);
        }
        const auto& errors = server->Service().Counters().protocolErrors;
        EXPECT_EQ(errors[static_cast<std::size_t>(kind)].load(), 1u) << ToString(kind);
        EXPECT_EQ(server->Stats().protocolErrors, 1u);

        // The others carry on.
        ASSERT_TRUE(bob->Chat("still here?"));
        for (GameTestClient* other : {alice.get(), bob.get()}) {
            const auto chat = other->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
            ASSERT_TRUE(chat) << other->Name();
            EXPECT_EQ(chat->msg(), "still here?");
        }
        EXPECT_TRUE(WaitUntil([&] { return server->Sessions().SessionCount() == 2; }));
        EXPECT_EQ(server->Sessions().FindPlayer(malloryId), nullptr);
    }
};

TEST_P(GameHostileInputTest, HeaderSizeBelowFourDisconnectsOnlyThatClient) {
    ExpectOnlyTheSenderIsCut(Frame(1, {}, 2), ProtocolError::HeaderTooSmall);
}

TEST_P(GameHostileInputTest, HeaderSizeZeroDisconnectsOnlyThatClient) {
    ExpectOnlyTheSenderIsCut(Frame(0, {}, 0), ProtocolError::HeaderTooSmall);
}

TEST_P(GameHostileInputTest, UnknownPacketIdDisconnectsOnlyThatClient) {
    ExpectOnlyTheSenderIsCut(Frame(999, {}), ProtocolError::UnknownPacketId);
}

TEST_P(GameHostileInputTest, ServerPacketIdFromAClientDisconnectsOnlyThatClient) {
    ExpectOnlyTheSenderIsCut(Frame(static_cast<std::uint16_t>(PacketId::S_CHAT), {}),
                             ProtocolError::UnknownPacketId);
}

TEST_P(GameHostileInputTest, MalformedPayloadDisconnectsOnlyThatClient) {
    // Field 1 (msg) claims 5 bytes and has 1.
    const std::vector<std::byte> payload{std::byte{0x0A}, std::byte{0x05}, std::byte{'a'}};
    ExpectOnlyTheSenderIsCut(Frame(static_cast<std::uint16_t>(PacketId::C_CHAT), payload),
                             ProtocolError::MalformedPayload);
}

TEST_P(GameHostileInputTest, OversizePacketDisconnectsOnlyThatClient) {
    // The server takes packets of up to 1024 bytes; this header announces 2000.
    ExpectOnlyTheSenderIsCut(Frame(static_cast<std::uint16_t>(PacketId::C_CHAT),
                                   std::vector<std::byte>(1996, std::byte{'z'})),
                             ProtocolError::PacketTooLarge);
}

TEST_P(GameHostileInputTest, OversizeHeaderAloneDisconnectsWithoutWaitingForTheBody) {
    ExpectOnlyTheSenderIsCut(Frame(static_cast<std::uint16_t>(PacketId::C_CHAT), {}, 60000),
                             ProtocolError::PacketTooLarge);
}

TEST_P(GameHostileInputTest, FloodOfValidPacketsDisconnectsOnlyThatClient) {
    // The game's default rate limit: 200 packets a second with one second's burst.
    ASSERT_EQ(server->Service().Options().maxPacketsPerSecond, 200u);
    auto alice = InRoom("alice", 1);
    auto mallory = Connect();
    const auto malloryId = mallory->Login("mallory");
    ASSERT_TRUE(mallory->Enter(1));
    alice->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);

    // 1,000 well-formed pings at once: far past the burst.
    Protocol::C_PING ping;
    ping.set_client_time(1);
    std::vector<std::byte> flood;
    const auto one = Frame(static_cast<std::uint16_t>(PacketId::C_PING),
                           [&] {
                               std::vector<std::byte> bytes(ping.ByteSizeLong());
                               ping.SerializeToArray(bytes.data(), static_cast<int>(bytes.size()));
                               return bytes;
                           }());
    for (int i = 0; i < 1000; ++i) flood.insert(flood.end(), one.begin(), one.end());
    mallory->SendRaw(flood);
    EXPECT_TRUE(mallory->WaitForClose()) << "the server kept a flooding client";
    const auto despawn = alice->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
    ASSERT_TRUE(despawn);
    EXPECT_EQ(despawn->player_ids(0), malloryId);
    EXPECT_EQ(server->Service().Counters().rateLimited.load(), 1u);
    EXPECT_EQ(server->Stats().protocolErrors, 0u);  // a flood is not a malformed stream

    ASSERT_TRUE(alice->Chat("still here"));
    const auto chat = alice->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->msg(), "still here");
}

INSTANTIATE_TEST_SUITE_P(Backends, GameHostileInputTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
