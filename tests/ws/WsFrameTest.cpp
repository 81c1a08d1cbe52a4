#include "core/ws/WsFrame.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/PacketHeader.h"
#include "core/ws/WsCounters.h"
#include "core/ws/WsServerTransport.h"

namespace tavern::test {
namespace {

std::vector<std::byte> Packets(std::initializer_list<std::size_t> sizes) {
    std::vector<std::byte> bytes;
    std::uint16_t id = 1;
    for (const std::size_t size : sizes) {
        const std::size_t at = bytes.size();
        bytes.resize(at + size);
        for (std::size_t i = 4; i < size; ++i) bytes[at + i] = static_cast<std::byte>(i * 7 + id);
        WritePacketHeader(bytes.data() + at, static_cast<std::uint16_t>(size), id++);
    }
    return bytes;
}

TEST(WsFrameTest, HeaderLengthsFollowRfc6455) {
    std::byte header[ws::kMaxFrameHeader];
    EXPECT_EQ(ws::WriteFrameHeader(header, 125), 2u);
    EXPECT_EQ(header[0], std::byte{0x82});
    EXPECT_EQ(header[1], std::byte{125});
    EXPECT_EQ(ws::WriteFrameHeader(header, 126), 4u);
    EXPECT_EQ(header[1], std::byte{126});
    EXPECT_EQ(header[2], std::byte{0});
    EXPECT_EQ(header[3], std::byte{126});
    EXPECT_EQ(ws::WriteFrameHeader(header, 65535), 4u);
    EXPECT_EQ(ws::WriteFrameHeader(header, 65536), 10u);
    EXPECT_EQ(header[1], std::byte{127});
    EXPECT_EQ(header[7], std::byte{1});  // 0x00..00 01 00 00
}

TEST(WsFrameTest, ServerFramesPutOneFrameBeforeEachPacket) {
    const auto buffer = SendBuffer::Copy(Packets({10, 200, 4}));
    const auto frames = ws::ServerFrames(*buffer);
    ASSERT_EQ(frames->Size(), buffer->Size() + 2 + 4 + 2);
    const std::byte* p = frames->Data();
    EXPECT_EQ(p[0], std::byte{0x82});
    EXPECT_EQ(p[1], std::byte{10});
    EXPECT_EQ(std::memcmp(p + 2, buffer->Data(), 10), 0);
    EXPECT_EQ(p[12], std::byte{0x82});
    EXPECT_EQ(p[13], std::byte{126});
    EXPECT_EQ(p[15], std::byte{200});
    EXPECT_EQ(std::memcmp(p + 16, buffer->Data() + 10, 200), 0);
    EXPECT_EQ(p[216], std::byte{0x82});
    EXPECT_EQ(p[217], std::byte{4});
}

TEST(WsFrameTest, ABroadcastIsFramedOnceForEveryWebSocketRecipient) {
    ws::WsServerTransport first(nullptr, nullptr, std::make_shared<ws::WsCounters>(), 8192);
    ws::WsServerTransport second(nullptr, nullptr, std::make_shared<ws::WsCounters>(), 8192);
    const auto broadcast = SendBuffer::Copy(Packets({12, 40}));
    const auto a = first.Encode(broadcast);
    const auto b = second.Encode(broadcast);
    ASSERT_TRUE(a);
    EXPECT_EQ(a, b) << "each recipient got a framed copy of its own";
    EXPECT_EQ(a->Size(), broadcast->Size() + 4);
    // Another buffer gets its own frames.
    const auto other = first.Encode(SendBuffer::Copy(Packets({12, 40})));
    EXPECT_NE(other, a);
}

TEST(WsFrameTest, ClientFramesAreMaskedOnePerPacket) {
    const auto packets = Packets({6, 130});
    const auto frames = ws::MaskedFrames(packets);
    const auto* p = frames->Data();
    ASSERT_EQ(frames->Size(), (2 + 4 + 6) + (4 + 4 + 130));
    EXPECT_EQ(p[0], std::byte{0x82});
    EXPECT_EQ(p[1], std::byte{0x80 | 6});
    std::vector<std::byte> unmasked;
    for (std::size_t i = 0; i < 6; ++i) unmasked.push_back(p[6 + i] ^ p[2 + (i & 3)]);
    p += 12;
    EXPECT_EQ(p[1], std::byte{0x80 | 126});
    for (std::size_t i = 0; i < 130; ++i) unmasked.push_back(p[8 + i] ^ p[4 + (i & 3)]);
    EXPECT_EQ(unmasked, packets);
}

}  // namespace
}  // namespace tavern::test
