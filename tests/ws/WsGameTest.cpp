#include "core/ws/WebSocket.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/ws/WsHandshake.h"
#include "tests/ws/WsGameFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

std::vector<std::byte> Bytes(const std::string& text) {
    std::vector<std::byte> out(text.size());
    std::memcpy(out.data(), text.data(), text.size());
    return out;
}

TEST(WsHandshakeTest, AcceptKeyIsTheRfcExample) {
    EXPECT_EQ(ws::WsHandshake::AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    EXPECT_TRUE(ws::WsHandshake::ValidKey(ws::WsHandshake::NewKey()));
    EXPECT_FALSE(ws::WsHandshake::ValidKey("c2hvcnQ="));  // 5 bytes
    EXPECT_FALSE(ws::WsHandshake::ValidKey("!!!!!!!!!!!!!!!!!!!!!!=="));
}

class WsGameTest : public WsGameFixture {};

TEST_P(WsGameTest, WebSocketAndTcpPlayersShareARoom) {
    auto tcp = InRoom("tessa", 1);
    auto web = WsInRoom("walt", 1);
    const auto spawn = tcp->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(spawn);
    EXPECT_EQ(spawn->players(0).name(), "walt");

    ASSERT_TRUE(web->Chat("hello from the browser"));
    for (auto chat : {tcp->Expect<Protocol::S_CHAT>(PacketId::S_CHAT),
                      web->Expect<Protocol::S_CHAT>(PacketId::S_CHAT)}) {
        ASSERT_TRUE(chat);
        EXPECT_EQ(chat->msg(), "hello from the browser");
    }
    ASSERT_TRUE(web->Move(3.5f, -2.0f));
    const auto move = tcp->Expect<Protocol::S_MOVE>(PacketId::S_MOVE);
    ASSERT_TRUE(move);
    EXPECT_FLOAT_EQ(move->x(), 3.5f);
    ASSERT_TRUE(tcp->Chat("hello from tcp"));
    for (auto chat : {tcp->Expect<Protocol::S_CHAT>(PacketId::S_CHAT),
                      web->Expect<Protocol::S_CHAT>(PacketId::S_CHAT)}) {
        ASSERT_TRUE(chat);
        EXPECT_EQ(chat->msg(), "hello from tcp");
    }
    EXPECT_EQ(WsCounts().upgrades.load(), 1u);
    EXPECT_GE(WsServiceCounts().packetsIn.load(), 4u);  // login, enter, chat, move
}

TEST_P(WsGameTest, ServesThePageFilesAndNothingElse) {
    StartBystanders();
    const auto get = [&](const std::string& path) {
        return RawWs()->Request("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    };
    const HttpAnswer index = get("/");
    EXPECT_EQ(index.status, 200);
    EXPECT_NE(index.head.find("Content-Type: text/html"), std::string::npos);
    EXPECT_NE(index.body.find("<title>Tavern</title>"), std::string::npos);
    const HttpAnswer script = get("/app.js?v=1");
    EXPECT_EQ(script.status, 200);
    EXPECT_NE(script.head.find("Content-Type: text/javascript"), std::string::npos);
    EXPECT_EQ(script.body, "console.log('tavern');");
    EXPECT_NE(get("/app.css").head.find("Content-Type: text/css"), std::string::npos);
    for (const char* missing : {"/nothing.js", "/../index.html", "/%2e%2e/index.html",
                                "/..%2fapp.js", "//etc/passwd", "/index.html/.."})
        EXPECT_EQ(get(missing).status, 404) << missing;
    EXPECT_EQ(WsCounts().filesServed.load(), 3u);
    EXPECT_EQ(WsCounts().notFound.load(), 6u);
    ExpectBystandersCarryOn();
}

TEST_P(WsGameTest, FragmentedMessageWithAPingBetweenIsOnePacketAndThePingGetsAPong) {
    StartBystanders();
    WsPlayer web;
    ASSERT_TRUE(web.Connect(WsAddress()));
    ASSERT_NE(web.Login("frida"), 0u);
    ASSERT_TRUE(web.Enter(1));
    Protocol::C_CHAT chat;
    chat.set_msg("in three pieces");
    const auto packet = Frame(static_cast<std::uint16_t>(PacketId::C_CHAT), Encode(chat));
    const std::vector<std::byte> a(packet.begin(), packet.begin() + 3);
    const std::vector<std::byte> b(packet.begin() + 3, packet.begin() + 9);
    const std::vector<std::byte> c(packet.begin() + 9, packet.end());
    ASSERT_TRUE(web.Ws().SendFrame(0x2, a, false));
    ASSERT_TRUE(web.Ws().SendFrame(0x9, Bytes("are you there")));  // ping between fragments
    ASSERT_TRUE(web.Ws().SendFrame(0x0, b, false));
    ASSERT_TRUE(web.Ws().SendFrame(0x0, c, true));
    const auto pong = web.Ws().ReadFrame();
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->opcode, 0xA);
    EXPECT_EQ(pong->payload, Bytes("are you there"));
    const auto heard = web.Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(heard);
    EXPECT_EQ(heard->msg(), "in three pieces");
    ASSERT_TRUE(tcpBystander->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
    const auto overTcp = tcpBystander->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(overTcp);
    EXPECT_EQ(overTcp->msg(), "in three pieces");
}

TEST_P(WsGameTest, CloseHandshakeCompletesAndThePlayerLeaves) {
    StartBystanders();
    WsPlayer web;
    ASSERT_TRUE(web.Connect(WsAddress()));
    const auto id = web.Login("clara");
    ASSERT_TRUE(web.Enter(1));
    ASSERT_TRUE(tcpBystander->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
    ASSERT_TRUE(wsBystander->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
    ASSERT_TRUE(web.Ws().SendFrame(0x8, {std::byte{0x03}, std::byte{0xE8}}));  // 1000
    EXPECT_EQ(web.Ws().ReadUntilCloseFrame(), 1000);
    EXPECT_EQ(web.Ws().Raw().ReadUntilClosed(std::chrono::seconds(5)), CloseSeen::EndOfStream);
    const auto despawn = tcpBystander->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN);
    ASSERT_TRUE(despawn);
    EXPECT_EQ(despawn->player_ids(0), id);
    ASSERT_TRUE(wsBystander->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN));
    EXPECT_EQ(WsCounts().peerCloses.load(), 1u);
    ExpectBystandersCarryOn();
}

TEST_P(WsGameTest, AStoppingServerSaysGoingAwayBeforeItCloses) {
    WsPlayer web;
    ASSERT_TRUE(web.Connect(WsAddress()));
    ASSERT_NE(web.Login("gwen"), 0u);
    ASSERT_TRUE(web.Enter(1));
    server->Stop();
    EXPECT_EQ(web.Ws().ReadUntilCloseFrame(), 1001);
    EXPECT_EQ(web.Ws().Raw().ReadUntilClosed(std::chrono::seconds(5)), CloseSeen::EndOfStream);
}

INSTANTIATE_TEST_SUITE_P(Backends, WsGameTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
