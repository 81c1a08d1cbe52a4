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

std::vector<std::byte> Concat(const std::vector<IoSlice>& slices) {
    std::vector<std::byte> out;
    for (const IoSlice& slice : slices) {
        const auto* data = static_cast<const std::byte*>(slice.iov_base);
        out.insert(out.end(), data, data + slice.iov_len);
    }
    return out;
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

TEST(WsFrameTest, ServerSlicesPutOneFrameHeaderBeforeEachPacketOfTheSharedBuffer) {
    ws::WsServerTransport transport(nullptr, std::make_shared<ws::WsCounters>(), 8192);
    const auto buffer = SendBuffer::Copy(Packets({10, 200, 4}));
    std::vector<IoSlice> slices;
    transport.BeginSlices();
    const std::size_t wire = transport.AppendSlices(*buffer, 0, slices);
    ASSERT_EQ(slices.size(), 6u);
    EXPECT_EQ(wire, buffer->Size() + 2 + 4 + 2);
    // The packets are not copied: their slices point into the buffer.
    EXPECT_EQ(static_cast<const std::byte*>(slices[1].iov_base), buffer->Data());
    EXPECT_EQ(static_cast<const std::byte*>(slices[3].iov_base), buffer->Data() + 10);
    const auto bytes = Concat(slices);
    ASSERT_EQ(bytes.size(), wire);
    EXPECT_EQ(bytes[0], std::byte{0x82});
    EXPECT_EQ(bytes[1], std::byte{10});
    EXPECT_EQ(bytes[12], std::byte{0x82});
    EXPECT_EQ(bytes[13], std::byte{126});
}

TEST(WsFrameTest, ServerSlicesResumeAPartialSendAtAnyByte) {
    ws::WsServerTransport transport(nullptr, std::make_shared<ws::WsCounters>(), 8192);
    const auto buffer = SendBuffer::Copy(Packets({10, 300, 4, 7}));
    std::vector<IoSlice> slices;
    transport.BeginSlices();
    const std::size_t wire = transport.AppendSlices(*buffer, 0, slices);
    const auto whole = Concat(slices);
    for (std::size_t offset = 0; offset < wire; ++offset) {
        slices.clear();
        transport.BeginSlices();
        EXPECT_EQ(transport.AppendSlices(*buffer, offset, slices), wire);
        const auto rest = Concat(slices);
        ASSERT_EQ(rest, std::vector<std::byte>(whole.begin() + static_cast<std::ptrdiff_t>(offset),
                                               whole.end()))
            << "resuming at byte " << offset;
    }
}

TEST(WsFrameTest, ServerSlicesStopAtTheGatherLimitAndStillMeasureTheWholeBuffer) {
    ws::WsServerTransport transport(nullptr, std::make_shared<ws::WsCounters>(), 8192);
    std::vector<std::byte> many;
    for (int i = 0; i < 600; ++i) {
        const auto one = Packets({8});
        many.insert(many.end(), one.begin(), one.end());
    }
    const auto buffer = SendBuffer::Copy(many);
    std::vector<IoSlice> slices;
    transport.BeginSlices();
    EXPECT_EQ(transport.AppendSlices(*buffer, 0, slices), 600u * (8 + 2));
    EXPECT_EQ(slices.size(), kMaxIoSlices);
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
