#include "core/ws/WebSocket.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "core/ProtocolError.h"
#include "tests/ws/WsGameFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

// Each bad input gets its HTTP status or close code, ends that connection only, and is
// counted; a TCP and a WebSocket player in a room carry on through all of it.
class WsBadInputTest : public WsGameFixture {
protected:
    void SetUp() override {
        WsGameFixture::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        StartBystanders();
    }

    // An upgraded connection whose player is logged in (not in a room).
    std::unique_ptr<WsPlayer> Upgraded(const std::string& name) {
        auto player = std::make_unique<WsPlayer>();
        EXPECT_TRUE(player->Connect(WsAddress()));
        EXPECT_NE(player->Login(name), 0u);
        return player;
    }

    void ExpectRefused(const std::string& request, int status) {
        auto client = RawWs();
        const HttpAnswer answer = client->Request(request);
        EXPECT_EQ(answer.status, status) << answer.head;
        EXPECT_TRUE(client->Raw().WaitForClose()) << "the refused connection stayed open";
    }

    void ExpectCloseCode(WsPlayer& player, std::uint16_t code) {
        EXPECT_EQ(player.Ws().ReadUntilCloseFrame(), code);
        EXPECT_TRUE(player.Ws().Raw().WaitForClose());
    }

    // A protocol error cuts the connection with a reset, no close frame. Wine may report the
    // reset as an end of stream (see the IOCP backend in the README, and CutTest); elsewhere
    // it must be a reset.
    static void ExpectReset(WsPlayer& player) {
        const CloseSeen seen = player.Ws().Raw().ReadUntilClosed(std::chrono::seconds(5));
        if (UnderWine() && seen == CloseSeen::EndOfStream) return;
        EXPECT_EQ(seen, CloseSeen::Reset) << "the client saw " << ToString(seen);
    }
};

std::vector<std::byte> Bytes(const std::string& text) {
    std::vector<std::byte> out(text.size());
    std::memcpy(out.data(), text.data(), text.size());
    return out;
}

TEST_P(WsBadInputTest, GetOfWsWithoutAnUpgradeIs400) {
    ExpectRefused("GET /ws HTTP/1.1\r\nHost: localhost\r\n\r\n", 400);
    EXPECT_EQ(WsCounts().badRequests.load(), 1u);
    ExpectBystandersCarryOn();
}

TEST_P(WsBadInputTest, MissingOrMalformedKeyIs400) {
    ExpectRefused("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n",
                  400);
    ExpectRefused(WsTestClient::UpgradeRequest("/ws", "13", "c2hvcnQ="), 400);
    ExpectRefused(WsTestClient::UpgradeRequest("/ws", "13", "not base64 at all, clearly"), 400);
    EXPECT_EQ(WsCounts().badRequests.load(), 3u);
    ExpectBystandersCarryOn();
}

TEST_P(WsBadInputTest, VersionOtherThan13Is426NamingVersion13) {
    auto client = RawWs();
    const HttpAnswer answer = client->Request(WsTestClient::UpgradeRequest("/ws", "8"));
    EXPECT_EQ(answer.status, 426);
    EXPECT_NE(answer.head.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
    EXPECT_TRUE(client->Raw().WaitForClose());
    EXPECT_EQ(WsCounts().badVersions.load(), 1u);
    ExpectBystandersCarryOn();
}

TEST_P(WsBadInputTest, HeadPastTheLimitIs431) {
    const std::string padding = "X-Padding: " + std::string(9000, 'a') + "\r\n";
    ExpectRefused("GET /ws HTTP/1.1\r\nHost: x\r\n" + padding + "\r\n", 431);
    // Without its blank line: refused as soon as the limit is passed, not left waiting.
    ExpectRefused("GET / HTTP/1.1\r\n" + padding, 431);
    EXPECT_EQ(WsCounts().headersTooLarge.load(), 2u);
    ExpectBystandersCarryOn();
}

TEST_P(WsBadInputTest, UnmaskedClientFrameIsClosedWith1002) {
    auto bad = Upgraded("umberto");
    Protocol::C_CHAT chat;
    chat.set_msg("not masked");
    ASSERT_TRUE(bad->Ws().SendFrame(0x2, Frame(static_cast<std::uint16_t>(PacketId::C_CHAT),
                                                Encode(chat)),
                                    true, false));
    ExpectCloseCode(*bad, 1002);
    EXPECT_EQ(WsCounts().protocolCloses.load(), 1u);
    ExpectBystandersCarryOn();
}

TEST_P(WsBadInputTest, TextFrameIsClosedWith1003) {
    auto bad = Upgraded("tex");
    ASSERT_TRUE(bad->Ws().SendFrame(0x1, Bytes("{\"type\":\"chat\"}")));
    ExpectCloseCode(*bad, 1003);
    EXPECT_EQ(WsCounts().textCloses.load(), 1u);
    ExpectBystandersCarryOn();
}

TEST_P(WsBadInputTest, MessageOverThePacketLimitIsClosedWith1009) {
    auto bad = Upgraded("bigmouth");
    const std::size_t limit = server->WsService()->Options().maxPacketSize;
    Protocol::C_CHAT chat;
    chat.set_msg(std::string(limit, 'x'));
    ASSERT_TRUE(bad->Ws().SendPacket(Frame(static_cast<std::uint16_t>(PacketId::C_CHAT),
                                           Encode(chat))));
    ExpectCloseCode(*bad, 1009);
    EXPECT_EQ(WsCounts().tooBigCloses.load(), 1u);
    ExpectBystandersCarryOn();
}

TEST_P(WsBadInputTest, MessageOfTwoPacketsIsAProtocolError) {
    auto bad = Upgraded("doubler");
    Protocol::C_CHAT chat;
    chat.set_msg("one");
    auto two = Frame(static_cast<std::uint16_t>(PacketId::C_CHAT), Encode(chat));
    const auto second = two;
    two.insert(two.end(), second.begin(), second.end());
    ASSERT_TRUE(bad->Ws().SendPacket(two));
    ExpectReset(*bad);
    const auto kind = static_cast<std::size_t>(ProtocolError::NotOnePacket);
    EXPECT_TRUE(WaitUntil([&] { return WsServiceCounts().protocolErrors[kind].load() == 1; }));
    ExpectBystandersCarryOn();
}

TEST_P(WsBadInputTest, MessageShorterThanItsPacketIsAProtocolError) {
    auto bad = Upgraded("shorty");
    Protocol::C_CHAT chat;
    chat.set_msg("cut short");
    auto packet = Frame(static_cast<std::uint16_t>(PacketId::C_CHAT), Encode(chat));
    packet.resize(packet.size() - 2);
    ASSERT_TRUE(bad->Ws().SendPacket(packet));
    ExpectReset(*bad);
    const auto kind = static_cast<std::size_t>(ProtocolError::NotOnePacket);
    EXPECT_TRUE(WaitUntil([&] { return WsServiceCounts().protocolErrors[kind].load() == 1; }));
    ExpectBystandersCarryOn();
}

INSTANTIATE_TEST_SUITE_P(Backends, WsBadInputTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

// A short idle timeout: a handshake or a frame dribbled a byte at a time never completes a
// packet, so it meets the timeout like any idle session.
class WsSlowInputTest : public WsGameFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = WsGameFixture::Options();
        options.service.idleTimeout = std::chrono::milliseconds(1000);
        return options;
    }

    // Sends `bytes` one every 100 ms until the server closes; true if it did within 10 s.
    static bool DribbleUntilClosed(WsTestClient& client, const std::string& bytes) {
        for (std::size_t i = 0; i < 100 && i < bytes.size(); ++i) {  // 10 s: long past it
            if (!client.Raw().SendAll(&bytes[i], 1)) return true;  // the server reset it
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return client.Raw().WaitForClose(std::chrono::seconds(1));
    }

    // After the cut, a fresh TCP and WebSocket player still get in and talk.
    void ExpectNewPlayersCarryOn() {
        StartBystanders();
        ExpectBystandersCarryOn();
    }
};

TEST_P(WsSlowInputTest, HandshakeDribbledSlowlyMeetsTheIdleTimeout) {
    auto slow = RawWs();
    EXPECT_TRUE(DribbleUntilClosed(*slow, WsTestClient::UpgradeRequest()));
    EXPECT_EQ(WsServiceCounts().idleTimeouts.load(), 1u);
    EXPECT_EQ(WsCounts().upgrades.load(), 0u);
    ExpectNewPlayersCarryOn();
}

TEST_P(WsSlowInputTest, FrameDribbledSlowlyMeetsTheIdleTimeout) {
    auto slow = RawWs();
    ASSERT_TRUE(slow->Upgrade());
    // A masked frame header announcing 100 bytes, then its bytes, slowly.
    std::string frame = "\x82\xE4\x01\x02\x03\x04";
    frame += std::string(100, 'z');
    EXPECT_TRUE(DribbleUntilClosed(*slow, frame));
    EXPECT_EQ(WsServiceCounts().idleTimeouts.load(), 1u);
    ExpectNewPlayersCarryOn();
}

INSTANTIATE_TEST_SUITE_P(Backends, WsSlowInputTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
