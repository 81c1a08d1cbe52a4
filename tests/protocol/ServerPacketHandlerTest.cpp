#include "TestServerPackets.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "TestHandlers.h"
#include "TestSession.h"

namespace {

using tavern::ProtocolError;
using tavern::test::TestSession;
using namespace TavernTest;

using Handler = ServerPacketHandler;

std::vector<std::byte> Encode(const google::protobuf::MessageLite& msg) {
    const std::string bytes = msg.SerializeAsString();
    const auto* begin = reinterpret_cast<const std::byte*>(bytes.data());
    return {begin, begin + bytes.size()};
}

class ServerPacketHandlerTest : public ::testing::Test {
protected:
    void SetUp() override { ResetCalls(); }

    // Sends `id` with an empty payload and expects the invalid path: no handler ran and exactly
    // one UnknownPacketId was counted.
    void ExpectInvalid(std::uint16_t id) {
        SCOPED_TRACE("id " + std::to_string(id));
        auto session = TestSession::Make();
        EXPECT_FALSE(Handler::IsHandledId(id));
        EXPECT_FALSE(Handler::HandlePacket(*session, id, {}));
        EXPECT_EQ(Calls().total, 0);
        EXPECT_EQ(TestSession::Errors(session, ProtocolError::UnknownPacketId), 1u);
        EXPECT_EQ(TestSession::TotalErrors(session), 1u);
        EXPECT_NE(session->DisconnectReason().find("packet id " + std::to_string(id)),
                  std::string::npos)
            << session->DisconnectReason();
    }
};

TEST_F(ServerPacketHandlerTest, IdsAreTheOnesTheProtoFilesDeclare) {
    static_assert(static_cast<std::uint16_t>(PacketId::C_HELLO) == 1);
    static_assert(static_cast<std::uint16_t>(PacketId::S_HELLO) == 2);
    static_assert(static_cast<std::uint16_t>(PacketId::C_REJECT_ME) == 3);
    static_assert(static_cast<std::uint16_t>(PacketId::S_BLOB) == 4);
    static_assert(static_cast<std::uint16_t>(PacketId::S_NOTICE) == 9);
    static_assert(static_cast<std::uint16_t>(PacketId::C_EXTRA) == 12);
    static_assert(static_cast<std::uint16_t>(PacketId::C_LATE) == 40);
    EXPECT_EQ(ToString(PacketId::C_EXTRA), "C_EXTRA");
    EXPECT_EQ(ToString(static_cast<PacketId>(5)), "");
}

TEST_F(ServerPacketHandlerTest, TableEndsAtTheHighestClientPacketId) {
    static_assert(Handler::kMaxHandledId == 40);
}

TEST_F(ServerPacketHandlerTest, HandlesExactlyTheClientPackets) {
    std::vector<std::uint16_t> handled;
    for (std::uint32_t id = 0; id <= 0xFFFF; ++id) {
        if (Handler::IsHandledId(static_cast<std::uint16_t>(id)))
            handled.push_back(static_cast<std::uint16_t>(id));
    }
    EXPECT_EQ(handled, (std::vector<std::uint16_t>{1, 3, 12, 40}));
}

TEST_F(ServerPacketHandlerTest, RunsTheHandlerWithTheParsedMessage) {
    auto session = TestSession::Make();
    C_HELLO hello;
    hello.set_name("alice");
    const auto payload = Encode(hello);

    EXPECT_TRUE(Handler::HandlePacket(*session, 1, payload));
    EXPECT_EQ(Calls().total, 1);
    EXPECT_EQ(Calls().lastPacket, "C_HELLO");
    EXPECT_EQ(Calls().hello.name(), "alice");
    EXPECT_EQ(Calls().session, session.get());
    EXPECT_EQ(TestSession::TotalErrors(session), 0u);
    EXPECT_TRUE(session->DisconnectReason().empty());
}

TEST_F(ServerPacketHandlerTest, RunsTheHandlerOfThePacketAtTheTablesLastSlot) {
    auto session = TestSession::Make();
    C_LATE late;
    late.set_value(4040);
    EXPECT_TRUE(Handler::HandlePacket(*session, 40, Encode(late)));
    EXPECT_EQ(Calls().lastPacket, "C_LATE");
    EXPECT_EQ(Calls().late.value(), 4040u);
    // C_LATE's handler is a member of the session type (TestSession::Handle_C_LATE), called on
    // the very session, with no downcast anywhere.
    EXPECT_EQ(session->memberCalls, 1);
    EXPECT_EQ(Calls().session, session.get());
}

TEST_F(ServerPacketHandlerTest, HandlesPacketsFromEveryProtoFileOfTheRun) {
    auto session = TestSession::Make();
    C_EXTRA extra;
    extra.add_values(7);
    extra.add_values(8);
    EXPECT_TRUE(Handler::HandlePacket(*session, 12, Encode(extra)));
    EXPECT_EQ(Calls().lastPacket, "C_EXTRA");
    ASSERT_EQ(Calls().extra.values_size(), 2);
    EXPECT_EQ(Calls().extra.values(1), 8u);
}

TEST_F(ServerPacketHandlerTest, AnEmptyPayloadIsTheDefaultMessage) {
    auto session = TestSession::Make();
    EXPECT_TRUE(Handler::HandlePacket(*session, 1, {}));
    EXPECT_EQ(Calls().lastPacket, "C_HELLO");
    EXPECT_EQ(Calls().hello.name(), "");
}

TEST_F(ServerPacketHandlerTest, IdZeroTakesTheInvalidPath) {
    ExpectInvalid(0);
}

TEST_F(ServerPacketHandlerTest, AServerPacketIdTakesTheInvalidPath) {
    ExpectInvalid(2);
}

TEST_F(ServerPacketHandlerTest, AnUndeclaredIdInsideTheTableTakesTheInvalidPath) {
    ExpectInvalid(5);
}

TEST_F(ServerPacketHandlerTest, TheIdJustPastTheTablesEndTakesTheInvalidPath) {
    ExpectInvalid(Handler::kMaxHandledId + 1);
}

TEST_F(ServerPacketHandlerTest, Id65535TakesTheInvalidPath) {
    ExpectInvalid(65535);
}

TEST_F(ServerPacketHandlerTest, AMalformedPayloadCountsMalformedPayload) {
    auto session = TestSession::Make();
    // Field 1 (name), length-delimited, claims 16 bytes but only 1 follows.
    const std::byte payload[] = {std::byte{0x0A}, std::byte{0x10}, std::byte{'a'}};

    EXPECT_FALSE(Handler::HandlePacket(*session, 1, payload));
    EXPECT_EQ(Calls().total, 0);
    EXPECT_EQ(TestSession::Errors(session, ProtocolError::MalformedPayload), 1u);
    EXPECT_EQ(TestSession::TotalErrors(session), 1u);
    EXPECT_NE(session->DisconnectReason().find("C_HELLO"), std::string::npos)
        << session->DisconnectReason();
}

TEST_F(ServerPacketHandlerTest, AHandlerReturningFalseCountsHandlerRejected) {
    auto session = TestSession::Make();

    EXPECT_FALSE(Handler::HandlePacket(*session, 3, {}));
    EXPECT_EQ(Calls().lastPacket, "C_REJECT_ME");
    EXPECT_EQ(TestSession::Errors(session, ProtocolError::HandlerRejected), 1u);
    EXPECT_EQ(TestSession::TotalErrors(session), 1u);
    EXPECT_NE(session->DisconnectReason().find("(C_REJECT_ME)"), std::string::npos)
        << session->DisconnectReason();
}

TEST_F(ServerPacketHandlerTest, MakeSendBufferWritesTheHeaderAndAPayloadThatParsesBack) {
    S_NOTICE notice;
    notice.set_text("server restarts in 5 minutes");
    notice.mutable_item()->set_label("clock");
    const tavern::SendBufferRef buffer = Handler::MakeSendBuffer(notice);

    ASSERT_GE(buffer->Size(), tavern::kPacketHeaderSize);
    const std::byte* bytes = buffer->Data();
    EXPECT_EQ(
        std::to_integer<std::size_t>(bytes[0]) | (std::to_integer<std::size_t>(bytes[1]) << 8),
        buffer->Size());
    EXPECT_EQ(std::to_integer<int>(bytes[2]) | (std::to_integer<int>(bytes[3]) << 8), 9);

    S_NOTICE parsed;
    ASSERT_TRUE(parsed.ParseFromArray(bytes + 4, static_cast<int>(buffer->Size() - 4)));
    EXPECT_EQ(parsed.text(), "server restarts in 5 minutes");
    EXPECT_EQ(parsed.item().label(), "clock");
}

TEST_F(ServerPacketHandlerTest, MakeSendBufferThrowsForAPacketOver65535Bytes) {
    S_BLOB blob;
    blob.set_data(std::string(65536, 'x'));
    EXPECT_THROW(Handler::MakeSendBuffer(blob), std::length_error);
}

}  // namespace
