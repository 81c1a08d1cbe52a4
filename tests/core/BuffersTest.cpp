#include "core/RecvBuffer.h"

#include <gtest/gtest.h>

#include "core/NetAddress.h"
#include "core/SendBuffer.h"
#include "tests/support/RawClient.h"

namespace tavern::test {
namespace {

TEST(RecvBufferTest, HoldsTheTailAcrossAppendsAndGivesLargeStorageBack) {
    RecvBuffer buffer;
    EXPECT_EQ(buffer.Capacity(), 0u);
    const auto bytes = Pattern(10000);
    buffer.Append({bytes.data(), 3});
    buffer.Append({bytes.data() + 3, 9997});
    ASSERT_EQ(buffer.Size(), 10000u);
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), buffer.Readable().begin()));
    buffer.Consume(4000);
    EXPECT_EQ(buffer.Readable()[0], bytes[4000]);
    buffer.Consume(6000);
    EXPECT_TRUE(buffer.Empty());
    EXPECT_EQ(buffer.Capacity(), 0u) << "an idle session must not keep a large buffer";
}

TEST(RecvBufferTest, CompactsInsteadOfGrowingWhenTheFrontIsConsumed) {
    RecvBuffer buffer;
    const auto bytes = Pattern(3000);
    buffer.Append(bytes);
    buffer.Consume(2990);
    const std::size_t capacity = buffer.Capacity();
    buffer.Append({bytes.data(), 2000});
    EXPECT_EQ(buffer.Capacity(), capacity);
    EXPECT_EQ(buffer.Size(), 2010u);
    EXPECT_EQ(buffer.Readable()[10], bytes[0]);
}

TEST(SendBufferTest, SmallBuffersShareAChunkAndLargeOnesGetTheirOwn) {
    auto a = SendBuffer::Make(100);
    auto b = SendBuffer::Make(100);
    EXPECT_EQ(a->Data() + 112, b->Data()) << "carved one after the other, 16-byte aligned";
    auto big = SendBuffer::Make(1 << 20);
    EXPECT_EQ(big->Size(), 1u << 20);
    const auto bytes = Pattern(70000);
    auto copy = SendBuffer::Copy(bytes);
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), copy->Bytes().begin()));
}

TEST(NetAddressTest, ParsesAndPrintsV4AndV6) {
    auto v4 = NetAddress::Parse("127.0.0.1", 7777);
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->ToString(), "127.0.0.1:7777");
    auto v6 = NetAddress::Parse("::1", 80);
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->ToString(), "[::1]:80");
    EXPECT_FALSE(NetAddress::Parse("localhost", 1));
}

}  // namespace
}  // namespace tavern::test
