#include "core/PacketSession.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/packet/PacketTestSupport.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;
using PacketTest::PacketId;

constexpr auto Id(PacketId id) {
    return static_cast<std::uint16_t>(id);
}

// Every protocol error over a real socket. One worker: a home worker that spun or blocked on
// the bad client would starve the good client too, and its next round trip would fail.
class PacketErrorTest : public PacketServerTest {
protected:
    std::size_t Workers() const override { return 1; }

    std::shared_ptr<ServerService> StartWithBystander(ServiceOptions options = {}) {
        auto server = StartPacketServer(options);
        EXPECT_TRUE(_good.Connect(server->LocalAddress()));
        // WaitUntil, not WaitForSessionCount: a new session does not wake the latter (core bug,
        // reported), which then sleeps out its whole timeout before it sees the count.
        EXPECT_TRUE(WaitUntil([&] { return server->SessionCount() == 1; }));
        return server;
    }

    enum class Then { StayOpen, HalfClose };

    // The good client is answered; a bad client sends `bytes` (then half-closes, if asked) and
    // is cut off; exactly one protocol error, of `kind`, is counted; the session count is back
    // to the good client alone, and it is still answered.
    void ExpectCutOffAlone(const std::shared_ptr<ServerService>& server,
                           const std::vector<std::byte>& bytes, ProtocolError kind,
                           Then then = Then::StayOpen) {
        SCOPED_TRACE(std::string("expecting: ") + std::string(ToString(kind)));
        const std::uint64_t totalBefore = server->Counters().ProtocolErrorTotal();
        const std::uint64_t kindBefore = Errors(server, kind);
        ASSERT_TRUE(RoundTrip(_good, _seq++));

        RawClient bad;
        ASSERT_TRUE(bad.Connect(server->LocalAddress()));
        ASSERT_TRUE(WaitUntil([&] { return server->SessionCount() == 2; }));
        ASSERT_TRUE(bad.SendAll(bytes));
        if (then == Then::HalfClose) bad.ShutdownWrite();

        EXPECT_TRUE(bad.WaitForClose()) << "the server kept the bad client";
        EXPECT_TRUE(WaitUntil([&] { return Errors(server, kind) == kindBefore + 1; }))
            << "counted " << Errors(server, kind) - kindBefore;
        EXPECT_EQ(server->Counters().ProtocolErrorTotal(), totalBefore + 1);
        EXPECT_TRUE(server->WaitForSessionCount(1, 5s)) << server->SessionCount() << " sessions";
        EXPECT_TRUE(RoundTrip(_good, _seq++));
    }

    RawClient _good;
    std::uint32_t _seq = 1;
};

TEST_P(PacketErrorTest, SizeZeroIsAProtocolErrorNotAnEndlessLoop) {
    auto server = StartWithBystander();
    auto bytes = Header(0, Id(PacketId::C_ECHO));
    Append(bytes, EchoPacket(7, "behind the zero"));
    ExpectCutOffAlone(server, bytes, ProtocolError::HeaderTooSmall);
    EXPECT_EQ(HandlerCalls().echoes.load(), 2u) << "only the good client's packets ran";
}

TEST_P(PacketErrorTest, SizesOneTwoAndThreeAreProtocolErrors) {
    auto server = StartWithBystander();
    for (std::uint16_t size : {1, 2, 3}) {
        SCOPED_TRACE("size " + std::to_string(size));
        auto bytes = Header(size, Id(PacketId::C_ECHO));
        Append(bytes, EchoPacket(7, "behind the bad size"));
        ExpectCutOffAlone(server, bytes, ProtocolError::HeaderTooSmall);
    }
}

TEST_P(PacketErrorTest, SizeOverTheMaximumIsRefusedWithoutWaitingForItsPayload) {
    ServiceOptions options;
    options.maxPacketSize = 1024;
    auto server = StartWithBystander(options);
    // Headers alone: the server must not wait for payload it will never accept.
    for (std::uint16_t size : {1025, 4096, 65535}) {
        SCOPED_TRACE("size " + std::to_string(size));
        ExpectCutOffAlone(server, Header(size, Id(PacketId::C_ECHO)),
                          ProtocolError::PacketTooLarge);
    }
}

TEST_P(PacketErrorTest, PacketAtTheMaximumIsServedAndOneByteMoreIsRefused) {
    ServiceOptions options;
    options.maxPacketSize = 1024;
    auto server = StartWithBystander(options);

    RawClient client;
    ASSERT_TRUE(client.Connect(server->LocalAddress()));
    const auto atMax = EchoPacketOfSize(42, 1024);
    ASSERT_EQ(atMax.size(), 1024u);
    ASSERT_TRUE(client.SendAll(atMax));
    const auto reply = ReadPacket(client);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->size, 1024u);
    EXPECT_EQ(reply->id, Id(PacketId::S_ECHO));
    client.Close();
    ASSERT_TRUE(server->WaitForSessionCount(1, 5s));

    const auto overMax = EchoPacketOfSize(43, 1025);
    ASSERT_EQ(overMax.size(), 1025u);
    ExpectCutOffAlone(server, overMax, ProtocolError::PacketTooLarge);
}

TEST_P(PacketErrorTest, IdNoClientMessageDeclaresIsAProtocolError) {
    auto server = StartWithBystander();
    // 0 and 4: gaps; 6: past the dispatch table; 65535: far past it; S_ECHO: the server's own.
    for (std::uint16_t id : {0, 4, 6, 1000, 65535, int{Id(PacketId::S_ECHO)}}) {
        SCOPED_TRACE("id " + std::to_string(id));
        ExpectCutOffAlone(server, Frame(id, {}), ProtocolError::UnknownPacketId);
    }
    EXPECT_EQ(HandlerCalls().echoes.load(), 12u) << "only the good client's packets ran";
}

TEST_P(PacketErrorTest, PayloadThatDoesNotParseIsAProtocolError) {
    auto server = StartWithBystander();
    const std::vector<std::vector<std::uint8_t>> payloads = {
        {0x12, 0x05, 'a'},  // data: 5 bytes announced, 1 there
        {0x0F},             // field 1 with wire type 7, which does not exist
        {0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01},  // 11-byte varint
        {0x00, 0x00},                                                              // field number 0
    };
    for (const auto& payload : payloads) {
        SCOPED_TRACE("payload of " + std::to_string(payload.size()) + " bytes");
        ExpectCutOffAlone(server, Frame(Id(PacketId::C_ECHO), std::as_bytes(std::span(payload))),
                          ProtocolError::MalformedPayload);
    }
}

TEST_P(PacketErrorTest, PeerClosingInsideAPacketIsATruncatedPacket) {
    auto server = StartWithBystander();
    {
        SCOPED_TRACE("half a header");
        const auto header = Header(100, Id(PacketId::C_ECHO));
        ExpectCutOffAlone(server, {header.begin(), header.begin() + 2},
                          ProtocolError::TruncatedPacket, Then::HalfClose);
    }
    {
        SCOPED_TRACE("a header alone");
        ExpectCutOffAlone(server, Header(100, Id(PacketId::C_ECHO)), ProtocolError::TruncatedPacket,
                          Then::HalfClose);
    }
    {
        SCOPED_TRACE("a header and part of its payload");
        const auto packet = EchoPacket(9, std::string(200, 'p'));
        ExpectCutOffAlone(server, {packet.begin(), packet.begin() + 100},
                          ProtocolError::TruncatedPacket, Then::HalfClose);
    }
    {
        SCOPED_TRACE("a whole packet, then half of the next");
        auto bytes = EchoPacket(10, "whole");
        const auto next = EchoPacket(11, std::string(50, 'n'));
        Append(bytes, std::span(next).first(20));
        ExpectCutOffAlone(server, bytes, ProtocolError::TruncatedPacket, Then::HalfClose);
    }
}

TEST_P(PacketErrorTest, PeerClosingBetweenPacketsIsNotAProtocolError) {
    auto server = StartWithBystander();
    RawClient client;
    ASSERT_TRUE(client.Connect(server->LocalAddress()));
    ASSERT_TRUE(client.SendAll(EchoPacket(5, "last words")));
    client.ShutdownWrite();
    EXPECT_TRUE(ReadEcho(client, 5, "last words"));
    EXPECT_TRUE(client.WaitForClose());
    EXPECT_TRUE(server->WaitForSessionCount(1, 5s));
    EXPECT_EQ(server->Counters().ProtocolErrorTotal(), 0u);
    EXPECT_TRUE(RoundTrip(_good, _seq++));
}

TEST_P(PacketErrorTest, HandlerThatThrowsIsAHandlerException) {
    auto server = StartWithBystander();
    ExpectCutOffAlone(server, Frame(Id(PacketId::C_THROW), {}), ProtocolError::HandlerException);
    EXPECT_EQ(HandlerCalls().throws.load(), 1u);
}

TEST_P(PacketErrorTest, HandlerThatReturnsFalseIsHandlerRejected) {
    auto server = StartWithBystander();
    ExpectCutOffAlone(server, Frame(Id(PacketId::C_REJECT), {}), ProtocolError::HandlerRejected);
    EXPECT_EQ(HandlerCalls().rejects.load(), 1u);
}

TEST_P(PacketErrorTest, NoPacketRunsAfterTheOneThatEndedTheSession) {
    auto server = StartWithBystander();
    for (PacketId fatal : {PacketId::C_REJECT, PacketId::C_THROW}) {
        SCOPED_TRACE(std::string(ToString(fatal)));
        const std::uint64_t echoesBefore = HandlerCalls().echoes.load();
        // The fatal packet and the ten behind it arrive in one send.
        auto bytes = Frame(Id(fatal), {});
        for (std::uint32_t i = 0; i < 10; ++i) Append(bytes, EchoPacket(100 + i, "after"));
        ExpectCutOffAlone(server, bytes,
                          fatal == PacketId::C_REJECT ? ProtocolError::HandlerRejected
                                                      : ProtocolError::HandlerException);
        EXPECT_EQ(HandlerCalls().echoes.load(), echoesBefore + 2) << "only the good client's";
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, PacketErrorTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
