// The client library's reconnect (ResumeLink) against the real server: the console client and
// the bots come back by themselves when the server cuts their connection. Linux only: the
// console's input is a pipe.
#include "client/ResumeLink.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <ext/stdio_filebuf.h>

#include <istream>
#include <thread>

#include "client/Bot.h"
#include "client/ConsoleClient.h"
#include "gameserver/GameSession.h"
#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using namespace std::chrono_literals;

class ClientResumeTest : public GameServerFixture {
protected:
    game::GameServerOptions Options() const override {
        auto options = GameServerFixture::Options();
        options.limits.resumeWindow = 30s;
        return options;
    }
    // Cuts the server's session of player `playerId` (a reset reaches the client).
    void CutPlayer(std::uint64_t playerId) {
        const auto player = server->Sessions().FindPlayer(playerId);
        ASSERT_TRUE(player);
        const auto session = player->Session();
        ASSERT_TRUE(session);
        session->Cut("test: cut", false);
    }
};

TEST_P(ClientResumeTest, ConsoleClientResumesAfterAResetAndSaysSo) {
    auto watcher = InRoom("watcher", 6);
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    __gnu_cxx::stdio_filebuf<char> buffer(fds[0], std::ios::in);
    std::istream input(&buffer);
    const auto write = [&](const std::string& line) {
        ASSERT_EQ(::write(fds[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
    };

    client::ConsoleOptions options;
    options.port = server->LocalAddress().Port();
    options.backend = GetParam();
    options.name = "typist";
    options.room = 6;
    testing::internal::CaptureStdout();
    int status = -1;
    std::thread console(
        [&] { status = std::make_shared<client::ConsoleClient>(options)->Run(input); });

    const auto spawn = watcher->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(spawn);
    write("before\n");
    EXPECT_EQ(watcher->Expect<Protocol::S_CHAT>(PacketId::S_CHAT)->msg(), "before");
    CutPlayer(spawn->players(0).player_id());
    EXPECT_TRUE(WaitUntil([&] { return server->Resumes().Counters().resumed.load() == 1; }));
    write("after\n");
    const auto after = watcher->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->msg(), "after");
    EXPECT_TRUE(watcher->ExpectSilence()) << "no despawn, no second spawn";
    write("/quit\n");
    ::close(fds[1]);
    console.join();
    const std::string printed = testing::internal::GetCapturedStdout();
    EXPECT_EQ(status, 0);
    // K is 0, or 1 when "after" was typed before the client had the resume's S_LOGIN: the
    // line then waits and goes out with the resume, as one of its packets.
    const bool none = printed.find("reconnected: resumed, 0 packets replayed") != std::string::npos;
    const bool held = printed.find("reconnected: resumed, 1 packets replayed") != std::string::npos;
    EXPECT_TRUE(none || held) << printed;
    EXPECT_TRUE(watcher->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN)) << "/quit leaves";
}

TEST_P(ClientResumeTest, BotsResumeAfterResetsAndKeepPlaying) {
    auto shared = std::make_shared<client::BotShared>();
    shared->rooms = 1;
    shared->chatPerSec = 10;
    shared->movePerSec = 0;
    shared->pingPerSec = 10;
    auto bot = std::make_shared<client::Bot>(0, shared);
    std::shared_ptr<ClientService> service;
    auto link = std::make_shared<client::ResumeLink>(
        core->GetScheduler(), [&service, bot](const std::shared_ptr<client::ResumeLink>&) {
            std::error_code ignored;
            return service->Connect(ignored) != nullptr;
        });
    service = MakeClient(server->LocalAddress(), [bot, link] {
        return std::make_shared<client::ServerSession>(bot, link);
    });
    std::error_code error;
    ASSERT_TRUE(service->Connect(error));
    ASSERT_TRUE(WaitUntil([&] { return bot->Counters().inGame.load(); }));
    for (std::uint64_t round = 1; round <= 3; ++round) {
        const auto sent = bot->Counters().chatsSent.load();
        EXPECT_TRUE(WaitUntil([&] { return bot->Counters().chatsReceived.load() >= sent + 2; }));
        const auto players = server->Sessions().PlayerCount();
        ASSERT_EQ(players, 1u);
        link->Current()->Cut("test: reset", false);
        EXPECT_TRUE(WaitUntil([&] { return link->Counts().resumes.load() == round; }));
    }
    const auto sent = bot->Counters().chatsSent.load();
    EXPECT_TRUE(WaitUntil([&] { return bot->Counters().chatsReceived.load() >= sent + 2; }))
        << "chatting again after the last resume";
    EXPECT_EQ(link->Counts().drops.load(), 3u);
    EXPECT_EQ(link->Counts().refused.load(), 0u);
    EXPECT_EQ(bot->Counters().refused.load(), 0u);
    EXPECT_FALSE(bot->Counters().dropped.load());
    shared->stopping = true;
    link->Stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, ClientResumeTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
