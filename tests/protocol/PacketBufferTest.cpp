#include "protocol/PacketBuffer.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "TestPackets.pb.h"
#include "core/PacketHeader.h"

namespace {

using TavernTest::S_BLOB;
using TavernTest::S_HELLO;

// S_BLOB { bytes data = 1 } with n >= 16384 bytes encodes as tag (1) + length (3) + n.
constexpr std::size_t kBlobOverhead = 4;
constexpr std::size_t kLargestBlob =
    tavern::kMaxWirePacketSize - tavern::kPacketHeaderSize - kBlobOverhead;

S_BLOB BlobOf(std::size_t bytes) {
    S_BLOB blob;
    blob.set_data(std::string(bytes, 'x'));
    return blob;
}

std::string ThrownMessage(std::size_t blobBytes) {
    try {
        tavern::MakePacketBuffer(4, BlobOf(blobBytes));
    } catch (const std::length_error& error) {
        return error.what();
    }
    return "no exception";
}

TEST(PacketBufferTest, WritesLittleEndianSizeIncludingTheHeaderThenTheId) {
    S_HELLO hello;
    hello.set_token(0x1234);
    const tavern::SendBufferRef buffer = tavern::MakePacketBuffer(0x0102, hello);

    ASSERT_EQ(buffer->Size(), 4 + hello.ByteSizeLong());
    const std::byte* bytes = buffer->Data();
    EXPECT_EQ(std::to_integer<std::size_t>(bytes[0]), buffer->Size() & 0xFF);
    EXPECT_EQ(std::to_integer<std::size_t>(bytes[1]), buffer->Size() >> 8);
    EXPECT_EQ(std::to_integer<int>(bytes[2]), 0x02);
    EXPECT_EQ(std::to_integer<int>(bytes[3]), 0x01);
}

TEST(PacketBufferTest, PayloadParsesBackIntoAnEqualMessage) {
    S_HELLO hello;
    hello.set_token(77);
    auto* item = hello.add_items();
    item->set_kind(3);
    item->set_label("sword");
    const tavern::SendBufferRef buffer = tavern::MakePacketBuffer(2, hello);

    S_HELLO parsed;
    ASSERT_TRUE(tavern::ParsePayload(parsed, buffer->Bytes().subspan(tavern::kPacketHeaderSize)));
    EXPECT_EQ(parsed.token(), 77u);
    ASSERT_EQ(parsed.items_size(), 1);
    EXPECT_EQ(parsed.items(0).label(), "sword");
}

TEST(PacketBufferTest, AnEmptyMessageIsJustTheHeader) {
    const tavern::SendBufferRef buffer = tavern::MakePacketBuffer(9, S_HELLO{});
    ASSERT_EQ(buffer->Size(), tavern::kPacketHeaderSize);
    const tavern::PacketHeader header = tavern::ReadPacketHeader(buffer->Data());
    EXPECT_EQ(header.size, 4);
    EXPECT_EQ(header.id, 9);
}

TEST(PacketBufferTest, AcceptsAPacketOfExactly65535Bytes) {
    const tavern::SendBufferRef buffer = tavern::MakePacketBuffer(4, BlobOf(kLargestBlob));
    ASSERT_EQ(buffer->Size(), 65535u);
    EXPECT_EQ(tavern::ReadPacketHeader(buffer->Data()).size, 65535);
    S_BLOB parsed;
    ASSERT_TRUE(tavern::ParsePayload(parsed, buffer->Bytes().subspan(tavern::kPacketHeaderSize)));
    EXPECT_EQ(parsed.data().size(), kLargestBlob);
}

TEST(PacketBufferTest, ThrowsLengthErrorOneBytePastTheLimit) {
    EXPECT_THROW(tavern::MakePacketBuffer(4, BlobOf(kLargestBlob + 1)), std::length_error);
}

TEST(PacketBufferTest, LengthErrorNamesTheMessageItsSizeAndTheLimit) {
    const std::string what = ThrownMessage(kLargestBlob + 1);
    EXPECT_NE(what.find("TavernTest.S_BLOB"), std::string::npos) << what;
    EXPECT_NE(what.find("65536"), std::string::npos) << what;
    EXPECT_NE(what.find("65535"), std::string::npos) << what;
}

TEST(PacketBufferTest, NeverTruncatesASizeTo16Bits) {
    // 65536 + 100 bytes would wrap to a small, valid-looking size if truncated.
    const std::string what = ThrownMessage(65536 + 100);
    EXPECT_NE(what.find(std::to_string(65536 + 100 + kBlobOverhead + 4)), std::string::npos)
        << what;
}

TEST(PacketBufferTest, ParsePayloadRejectsBytesThatAreNotTheMessage) {
    // Field 2 (items), length-delimited, claims 16 bytes but only 1 follows.
    const std::byte bytes[] = {std::byte{0x12}, std::byte{0x10}, std::byte{0x01}};
    S_HELLO parsed;
    EXPECT_FALSE(tavern::ParsePayload(parsed, bytes));
}

TEST(PacketBufferTest, ParsePayloadAcceptsAnEmptyPayloadAsTheDefaultMessage) {
    S_HELLO parsed;
    parsed.set_token(5);
    EXPECT_TRUE(tavern::ParsePayload(parsed, {}));
    EXPECT_EQ(parsed.token(), 0u);
}

}  // namespace
