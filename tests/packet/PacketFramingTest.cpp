#include "core/PacketSession.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/packet/PacketTestSupport.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;

// How the byte stream is cut into packets, whatever the receives look like.
class PacketFramingTest : public PacketServerTest {
protected:
    // Sends `bytes` and waits until the server has received all it was sent so far, so that
    // the next send lands in a receive of its own.
    testing::AssertionResult SendAsOwnReceive(RawClient& client, std::span<const std::byte> bytes) {
        _sent += bytes.size();
        if (!client.SendAll(bytes.data(), bytes.size()))
            return testing::AssertionFailure() << "send failed at byte " << _sent;
        if (!WaitUntil([&] { return _server->Counters().bytesIn.load() >= _sent; }, 5s))
            return testing::AssertionFailure()
                   << "server stuck at byte " << _server->Counters().bytesIn.load() << " of "
                   << _sent;
        return testing::AssertionSuccess();
    }

    std::shared_ptr<ServerService> _server;
    std::size_t _sent = 0;
};

TEST_P(PacketFramingTest, EveryByteInAReceiveOfItsOwnStillMakesWholePacketsOnce) {
    _server = StartPacketServer();
    RawClient client;
    ASSERT_TRUE(client.Connect(_server->LocalAddress()));
    // Two packets back to back: the cut between them falls inside a byte-by-byte stream too.
    auto stream = EchoPacket(1, "first packet, one byte at a time");
    Append(stream, EchoPacket(2, "second"));
    for (std::size_t i = 0; i < stream.size(); ++i)
        ASSERT_TRUE(SendAsOwnReceive(client, std::span(stream).subspan(i, 1))) << "byte " << i;
    EXPECT_TRUE(ReadEcho(client, 1, "first packet, one byte at a time"));
    EXPECT_TRUE(ReadEcho(client, 2, "second"));
    EXPECT_EQ(HandlerCalls().echoes.load(), 2u);
    EXPECT_EQ(_server->Counters().packetsIn.load(), 2u);
    EXPECT_EQ(_server->Counters().ProtocolErrorTotal(), 0u);
}

TEST_P(PacketFramingTest, EveryTwoWaySplitOfTwoPacketsArrivesWholeAndOnce) {
    _server = StartPacketServer();
    RawClient client;
    ASSERT_TRUE(client.Connect(_server->LocalAddress()));
    // Cuts inside the first header, its payload, at the boundary, inside the second packet.
    const std::string first = "split me anywhere";
    const std::string second = "and me";
    std::uint32_t seq = 1;  // 1..~70: every seq encodes in one byte, so every pair has one length
    const std::size_t length = EchoPacket(1, first).size() + EchoPacket(2, second).size();
    for (std::size_t cut = 1; cut < length; ++cut) {
        auto stream = EchoPacket(seq, first);
        Append(stream, EchoPacket(seq + 1, second));
        ASSERT_EQ(stream.size(), length);
        ASSERT_TRUE(SendAsOwnReceive(client, std::span(stream).first(cut))) << "cut " << cut;
        ASSERT_TRUE(SendAsOwnReceive(client, std::span(stream).subspan(cut))) << "cut " << cut;
        ASSERT_TRUE(ReadEcho(client, seq, first)) << "cut " << cut;
        ASSERT_TRUE(ReadEcho(client, seq + 1, second)) << "cut " << cut;
        seq += 2;
    }
    // Once each: nothing more than the pairs was handled, and nothing more is on its way.
    EXPECT_EQ(HandlerCalls().echoes.load(), seq - 1);
    EXPECT_EQ(_server->Counters().packetsIn.load(), seq - 1);
    EXPECT_TRUE(RoundTrip(client, 999999));
}

TEST_P(PacketFramingTest, OneThousandPacketsInOneSendAreAllAnsweredInOrder) {
    _server = StartPacketServer();
    RawClient client;
    ASSERT_TRUE(client.Connect(_server->LocalAddress()));
    constexpr std::uint32_t kPackets = 1000;
    auto data = [](std::uint32_t seq) {
        return std::string(seq % 97, static_cast<char>('a' + seq % 26));
    };
    std::vector<std::byte> stream;
    for (std::uint32_t seq = 0; seq < kPackets; ++seq) Append(stream, EchoPacket(seq, data(seq)));
    ASSERT_TRUE(client.SendAll(stream));
    for (std::uint32_t seq = 0; seq < kPackets; ++seq)
        ASSERT_TRUE(ReadEcho(client, seq, data(seq)));
    EXPECT_EQ(HandlerCalls().echoes.load(), kPackets);
    EXPECT_EQ(_server->Counters().packetsIn.load(), kPackets);
}

TEST_P(PacketFramingTest, LargestPacketTheWireAllowsRoundTrips) {
    _server = StartPacketServer();  // maxPacketSize: 65535 by default
    ASSERT_EQ(_server->Options().maxPacketSize, 65535u);
    RawClient client;
    ASSERT_TRUE(client.Connect(_server->LocalAddress()));
    const auto packet = EchoPacketOfSize(77, 65535);
    ASSERT_EQ(packet.size(), 65535u);
    ASSERT_TRUE(client.SendAll(packet));
    const auto reply = ReadPacket(client);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->size, 65535u);
    EXPECT_EQ(reply->id, static_cast<std::uint16_t>(PacketTest::PacketId::S_ECHO));
    // Same fields, same encoding: the echo's payload is the request's.
    EXPECT_TRUE(
        std::equal(reply->payload.begin(), reply->payload.end(), packet.begin() + 4, packet.end()));
    EXPECT_EQ(_server->Counters().ProtocolErrorTotal(), 0u);
}

TEST_P(PacketFramingTest, ClientsInterleavingHalfPacketsEachGetTheirOwnAnswer) {
    _server = StartPacketServer();
    constexpr std::uint32_t kClients = 20;
    std::vector<RawClient> clients(kClients);
    std::vector<std::vector<std::byte>> packets;
    for (std::uint32_t i = 0; i < kClients; ++i) {
        ASSERT_TRUE(clients[i].Connect(_server->LocalAddress()));
        packets.push_back(EchoPacket(i, "client " + std::to_string(i)));
    }
    // Every client's first half, then every client's second half: 20 tails held at once.
    for (std::uint32_t i = 0; i < kClients; ++i)
        ASSERT_TRUE(SendAsOwnReceive(clients[i], std::span(packets[i]).first(5 + i % 7)));
    for (std::uint32_t i = 0; i < kClients; ++i)
        ASSERT_TRUE(clients[i].SendAll(std::span(packets[i]).subspan(5 + i % 7).data(),
                                       packets[i].size() - (5 + i % 7)));
    for (std::uint32_t i = 0; i < kClients; ++i)
        EXPECT_TRUE(ReadEcho(clients[i], i, "client " + std::to_string(i)));
    EXPECT_EQ(HandlerCalls().echoes.load(), kClients);
}

INSTANTIATE_TEST_SUITE_P(Backends, PacketFramingTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
