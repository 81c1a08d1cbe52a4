#include "client/ServerSession.h"

#include <gtest/gtest.h>

#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "client/Bot.h"
#include "client/ConsoleClient.h"
#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

// Plays one short scripted session through the client library and writes down every event.
class ScriptedListener final : public client::ServerListener {
public:
    std::vector<std::string> Events() const {
        std::lock_guard guard(_lock);
        return _events;
    }
    bool Saw(const std::string& event) const {
        const auto events = Events();
        return std::find(events.begin(), events.end(), event) != events.end();
    }

    void OnConnected(client::ServerSession& session) override {
        Record("connected");
        Protocol::C_LOGIN login;
        login.set_name("libby");
        session.SendPacket(login);
    }
    void OnLogin(client::ServerSession& session, Protocol::S_LOGIN& pkt) override {
        Record(pkt.success() ? "login" : "login refused");
        Protocol::C_ENTER_GAME enter;
        enter.set_room_id(4);
        session.SendPacket(enter);
    }
    void OnEnterGame(client::ServerSession& session, Protocol::S_ENTER_GAME& pkt) override {
        Record("enter " + std::to_string(pkt.players_size()));
        Protocol::C_PING ping;
        ping.set_client_time(42);
        session.SendPacket(ping);
        Protocol::C_CHAT chat;
        chat.set_msg("hi from the library");
        session.SendPacket(chat);
    }
    void OnSpawn(client::ServerSession&, Protocol::S_SPAWN& pkt) override {
        Record("spawn " + pkt.players(0).name());
    }
    void OnChat(client::ServerSession&, Protocol::S_CHAT& pkt) override {
        Record("chat " + pkt.msg());
    }
    void OnMove(client::ServerSession&, Protocol::S_MOVE& pkt) override {
        Record("move " + std::to_string(static_cast<int>(pkt.x())));
    }
    void OnDespawn(client::ServerSession&, Protocol::S_DESPAWN&) override { Record("despawn"); }
    void OnPong(client::ServerSession&, Protocol::S_PONG& pkt) override {
        Record("pong " + std::to_string(pkt.client_time()));
    }
    void OnError(client::ServerSession&, Protocol::S_ERROR& pkt) override {
        Record("error " + pkt.reason());
    }

private:
    void Record(std::string event) {
        std::lock_guard guard(_lock);
        _events.push_back(std::move(event));
    }
    mutable std::mutex _lock;
    std::vector<std::string> _events;
};

class ClientLibraryTest : public GameServerFixture {};

TEST_P(ClientLibraryTest, ServerSessionHandsEveryServerPacketToItsListener) {
    auto listener = std::make_shared<ScriptedListener>();
    auto service = MakeClient(server->LocalAddress(),
                              [&] { return std::make_shared<client::ServerSession>(listener); });
    ASSERT_EQ(service->Connect(1), 1u);
    ASSERT_TRUE(WaitUntil([&] { return listener->Saw("chat hi from the library"); }))
        << testing::PrintToString(listener->Events());
    EXPECT_TRUE(listener->Saw("pong 42"));
    const auto events = listener->Events();
    ASSERT_GE(events.size(), 3u);
    EXPECT_EQ(events[0], "connected");
    EXPECT_EQ(events[1], "login");
    EXPECT_EQ(events[2], "enter 0");

    auto raw = InRoom("rawley", 4);
    EXPECT_TRUE(WaitUntil([&] { return listener->Saw("spawn rawley"); }));
    Protocol::C_MOVE move;
    move.set_x(9);
    ASSERT_TRUE(raw->Send(PacketId::C_MOVE, move));
    ASSERT_TRUE(raw->Chat("hello library"));
    EXPECT_TRUE(WaitUntil([&] { return listener->Saw("chat hello library"); }));
    EXPECT_TRUE(listener->Saw("move 9"));
    raw->Reset();
    EXPECT_TRUE(WaitUntil([&] { return listener->Saw("despawn"); }));
}

TEST_P(ClientLibraryTest, BotsLogInEnterTheirRoomsAndPlayOnTheirOwnTimers) {
    auto shared = std::make_shared<client::BotShared>();
    shared->rooms = 2;
    shared->chatPerSec = 20;
    shared->movePerSec = 20;
    shared->pingPerSec = 20;
    constexpr std::size_t kBots = 6;
    std::vector<std::shared_ptr<client::Bot>> bots;
    std::mutex lock;
    auto service = MakeClient(server->LocalAddress(), [&] {
        std::lock_guard guard(lock);
        bots.push_back(std::make_shared<client::Bot>(bots.size(), shared));
        return std::make_shared<client::ServerSession>(bots.back());
    });
    ASSERT_EQ(service->Connect(kBots), kBots);
    const auto all = [&](auto done) {
        std::lock_guard guard(lock);
        return std::all_of(bots.begin(), bots.end(), [&](const auto& bot) { return done(*bot); });
    };
    EXPECT_TRUE(WaitUntil(
        [&] { return all([](const client::Bot& bot) { return bot.Counters().inGame.load(); }); }));
    EXPECT_TRUE(WaitUntil([&] {
        return all([](const client::Bot& bot) {
            const auto& c = bot.Counters();
            return c.chatsSent >= 5 && c.chatsReceived >= 10 && c.movesReceived >= 5 &&
                   c.pongs >= 5;
        });
    }));
    EXPECT_EQ(server->Rooms().RoomCount(), 2u);
    EXPECT_EQ(server->Rooms().PlayersInGame(), kBots);
    shared->stopping = true;
    service->Stop();
    for (const auto& bot : bots) {
        EXPECT_EQ(bot->Counters().refused.load(), 0u);
        EXPECT_FALSE(bot->Counters().dropped.load());
    }
    EXPECT_TRUE(WaitUntilEmpty());
}

TEST_P(ClientLibraryTest, ConsoleClientPlaysItsInputLinesAndLeavesAtTheEnd) {
    auto watcher = Connect();
    watcher->Login("watcher");
    ASSERT_TRUE(watcher->Enter(6));

    client::ConsoleOptions options;
    options.port = server->LocalAddress().Port();
    options.backend = GetParam();
    options.name = "typist";
    options.room = 6;
    std::istringstream input("hello there\n/move 3 4\n/ping\n/quit\nnever sent\n");
    const int status = std::make_shared<client::ConsoleClient>(options)->Run(input);
    EXPECT_EQ(status, 0);

    const auto spawn = watcher->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN);
    ASSERT_TRUE(spawn);
    EXPECT_EQ(spawn->players(0).name(), "typist");
    const auto chat = watcher->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->msg(), "hello there");
    const auto move = watcher->Expect<Protocol::S_MOVE>(PacketId::S_MOVE);
    ASSERT_TRUE(move);
    EXPECT_FLOAT_EQ(move->x(), 3.0f);
    EXPECT_FLOAT_EQ(move->y(), 4.0f);
    EXPECT_TRUE(watcher->Expect<Protocol::S_DESPAWN>(PacketId::S_DESPAWN));
    EXPECT_TRUE(watcher->ExpectSilence()) << "nothing after /quit";
}

INSTANTIATE_TEST_SUITE_P(Backends, ClientLibraryTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
