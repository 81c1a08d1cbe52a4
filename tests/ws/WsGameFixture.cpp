#include "tests/ws/WsGameFixture.h"

#include <atomic>
#include <fstream>

#include <unistd.h>

namespace tavern::test {

using Protocol::PacketId;

namespace {
void Write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
}
}  // namespace

WsGameFixture::WsGameFixture() {
    static std::atomic<int> next{0};
    webRoot = std::filesystem::temp_directory_path() /
              ("tavern-ws-test-" + std::to_string(::getpid()) + "-" + std::to_string(next++));
    std::filesystem::create_directories(webRoot);
    Write(webRoot / "index.html", "<!doctype html><title>Tavern</title><script src=app.js></script>");
    Write(webRoot / "app.js", "console.log('tavern');");
    Write(webRoot / "app.css", "body { margin: 0 }");
}

WsGameFixture::~WsGameFixture() {
    std::error_code error;
    std::filesystem::remove_all(webRoot, error);
}

game::GameServerOptions WsGameFixture::Options() const {
    game::GameServerOptions options = GameServerFixture::Options();
    options.wsAddress = NetAddress::Loopback(0);
    options.webRoot = webRoot;
    return options;
}

std::unique_ptr<WsTestClient> WsGameFixture::RawWs() {
    auto client = std::make_unique<WsTestClient>();
    EXPECT_TRUE(client->Connect(WsAddress()));
    return client;
}

std::unique_ptr<WsPlayer> WsGameFixture::WsInRoom(const std::string& name, std::uint32_t room) {
    auto player = std::make_unique<WsPlayer>();
    EXPECT_TRUE(player->Connect(WsAddress()));
    EXPECT_NE(player->Login(name), 0u) << name;
    EXPECT_TRUE(player->Enter(room)) << name;
    return player;
}

void WsGameFixture::StartBystanders() {
    tcpBystander = InRoom("tessa", 1);
    wsBystander = WsInRoom("walt", 1);
    ASSERT_TRUE(tcpBystander->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
}

void WsGameFixture::ExpectBystandersCarryOn() {
    // One line at a time: lines from two connections have no order between them.
    for (const std::string line : {"from walt", "from tessa"}) {
        if (line == "from walt")
            ASSERT_TRUE(wsBystander->Chat(line));
        else
            ASSERT_TRUE(tcpBystander->Chat(line));
        const auto overTcp = tcpBystander->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(overTcp);
        EXPECT_EQ(overTcp->msg(), line);
        const auto overWs = wsBystander->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
        ASSERT_TRUE(overWs);
        EXPECT_EQ(overWs->msg(), line);
    }
}

}  // namespace tavern::test
