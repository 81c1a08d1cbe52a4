#include "TestClientPackets.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "TestHandlers.h"
#include "TestSession.h"

namespace {

using tavern::ProtocolError;
using tavern::test::TestSession;
using namespace TavernTest;

using Handler = ClientPacketHandler;

std::vector<std::byte> Encode(const google::protobuf::MessageLite& msg) {
    const std::string bytes = msg.SerializeAsString();
    const auto* begin = reinterpret_cast<const std::byte*>(bytes.data());
    return {begin, begin + bytes.size()};
}

class ClientPacketHandlerTest : public ::testing::Test {
protected:
    void SetUp() override { ResetCalls(); }
};

TEST_F(ClientPacketHandlerTest, HandlesExactlyTheServerPackets) {
    static_assert(Handler::kMaxHandledId == 9);
    std::vector<std::uint16_t> handled;
    for (std::uint32_t id = 0; id <= 0xFFFF; ++id) {
        if (Handler::IsHandledId(static_cast<std::uint16_t>(id)))
            handled.push_back(static_cast<std::uint16_t>(id));
    }
    EXPECT_EQ(handled, (std::vector<std::uint16_t>{2, 4, 9}));
}

TEST_F(ClientPacketHandlerTest, RunsTheHandlerWithTheParsedMessage) {
    tavern::PacketSessionRef session = TestSession::Make();
    S_HELLO hello;
    hello.set_token(99);
    hello.add_items()->set_label("shield");

    EXPECT_TRUE(Handler::HandlePacket(*session, 2, Encode(hello)));
    EXPECT_EQ(Calls().lastPacket, "S_HELLO");
    EXPECT_EQ(Calls().serverHello.token(), 99u);
    ASSERT_EQ(Calls().serverHello.items_size(), 1);
    EXPECT_EQ(Calls().serverHello.items(0).label(), "shield");
    EXPECT_EQ(TestSession::TotalErrors(session), 0u);
}

TEST_F(ClientPacketHandlerTest, AClientPacketIdTakesTheInvalidPath) {
    tavern::PacketSessionRef session = TestSession::Make();
    EXPECT_FALSE(Handler::HandlePacket(*session, 1, {}));   // C_HELLO: the server's to handle
    EXPECT_FALSE(Handler::HandlePacket(*session, 40, {}));  // C_LATE: past this table's end
    EXPECT_EQ(Calls().total, 0);
    EXPECT_EQ(TestSession::Errors(session, ProtocolError::UnknownPacketId), 2u);
}

TEST_F(ClientPacketHandlerTest, MakeSendBufferFramesClientPackets) {
    C_EXTRA extra;
    extra.add_values(1);
    const tavern::SendBufferRef buffer = Handler::MakeSendBuffer(extra);

    const tavern::PacketHeader header = tavern::ReadPacketHeader(buffer->Data());
    EXPECT_EQ(header.size, buffer->Size());
    EXPECT_EQ(header.id, 12);
    C_EXTRA parsed;
    ASSERT_TRUE(tavern::ParsePayload(parsed, buffer->Bytes().subspan(tavern::kPacketHeaderSize)));
    ASSERT_EQ(parsed.values_size(), 1);
    EXPECT_EQ(parsed.values(0), 1u);
}

TEST_F(ClientPacketHandlerTest, SharesOneIdEnumWithTheServerSide) {
    // TestHandlers.h includes both sides' headers; the guarded enum is defined once.
    static_assert(static_cast<std::uint16_t>(PacketId::C_LATE) == 40);
    EXPECT_TRUE(ServerPacketHandler::IsHandledId(static_cast<std::uint16_t>(PacketId::C_LATE)));
    EXPECT_FALSE(Handler::IsHandledId(static_cast<std::uint16_t>(PacketId::C_LATE)));
}

}  // namespace
