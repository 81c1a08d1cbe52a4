// kill -9 of the real gameserver program between saves: no account is lost, and at most one
// save interval of movement.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ServerPackets.h"
#include "store/OpenStore.h"
#include "tests/game/GameTestClient.h"
#include "tests/support/Backends.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

// The gameserver binary as a child process; its port is read from its first stdout line.
class ServerProcess {
public:
    explicit ServerProcess(const std::string& dbUrl) {
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0) return;
        _pid = ::fork();
        if (_pid == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            std::vector<std::string> args = {TAVERN_GAMESERVER_PATH, "--host", "127.0.0.1",
                                             "--port", "0", "--workers", "1",
                                             "--stats-interval", "0", "--log-level", "warn",
                                             "--db", dbUrl, "--password-cost", "min",
                                             "--save-interval", "0.5"};
            std::vector<char*> argv;
            for (auto& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        _out = out[0];
        ReadPort();
    }
    ~ServerProcess() {
        Kill();
        if (_out >= 0) ::close(_out);
    }

    std::uint16_t Port() const { return _port; }
    void Kill() {
        if (_pid <= 0) return;
        ::kill(_pid, SIGKILL);
        ::waitpid(_pid, nullptr, 0);
        _pid = -1;
    }

private:
    void ReadPort() {
        std::string text;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd fd{_out, POLLIN, 0};
            if (::poll(&fd, 1, 100) <= 0) continue;
            char buffer[256];
            const ssize_t n = ::read(_out, buffer, sizeof buffer);
            if (n <= 0) break;
            text.append(buffer, static_cast<std::size_t>(n));
        }
        const std::string prefix = "gameserver listening on port ";
        const auto at = text.find(prefix);
        if (at != std::string::npos)
            _port = static_cast<std::uint16_t>(std::stoi(text.substr(at + prefix.size())));
    }

    pid_t _pid = -1;
    int _out = -1;
    std::uint16_t _port = 0;
};

class GameCrashTest : public testing::Test {
protected:
    GameCrashTest()
        : _dir(std::filesystem::temp_directory_path() /
               ("tavern-crash-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(_dir);
    }
    ~GameCrashTest() override {
        std::error_code ignored;
        std::filesystem::remove_all(_dir, ignored);
    }
    std::string DbUrl() const { return "sqlite:" + (_dir / "tavern.db").string(); }

    std::filesystem::path _dir;
};

TEST_F(GameCrashTest, AKillBetweenSavesLosesNoAccountAndAtMostOneIntervalOfMovement) {
    std::uint64_t kimId = 0;
    std::uint64_t leeId = 0;
    {
        ServerProcess server(DbUrl());
        ASSERT_NE(server.Port(), 0) << "the gameserver did not start";
        const auto address = NetAddress::Loopback(server.Port());
        GameTestClient kim;
        ASSERT_TRUE(kim.Connect(address));
        const auto login = kim.LoginWith("kim", "secret");
        ASSERT_TRUE(login && login->success() && login->created());
        kimId = login->player_id();
        ASSERT_TRUE(kim.Enter(5));
        ASSERT_TRUE(kim.Move(1.0f, 2.0f));
        const auto db = store::OpenStore(DbUrl());
        ASSERT_TRUE(WaitUntil([&] {
            const auto saved = db->LoadPlayerState(kimId);
            return saved && saved->x == 1.0f && saved->y == 2.0f;
        }));
        // A move right before the kill: the interval may or may not have written it.
        ASSERT_TRUE(kim.Move(3.0f, 4.0f));
        // An account created right before the kill must survive it.
        GameTestClient lee;
        ASSERT_TRUE(lee.Connect(address));
        const auto created = lee.LoginWith("lee", "secret");
        ASSERT_TRUE(created && created->success() && created->created());
        leeId = created->player_id();
        server.Kill();
    }

    ServerProcess again(DbUrl());
    ASSERT_NE(again.Port(), 0) << "the gameserver did not restart";
    const auto address = NetAddress::Loopback(again.Port());
    GameTestClient kim;
    ASSERT_TRUE(kim.Connect(address));
    const auto back = kim.LoginWith("kim", "secret");
    ASSERT_TRUE(back && back->success()) << (back ? back->reason() : "");
    EXPECT_FALSE(back->created());
    EXPECT_EQ(back->player_id(), kimId);
    EXPECT_EQ(back->last_room_id(), 5u);
    const bool first = back->x() == 1.0f && back->y() == 2.0f;
    const bool second = back->x() == 3.0f && back->y() == 4.0f;
    EXPECT_TRUE(first || second) << "restored at (" << back->x() << ", " << back->y() << ")";
    GameTestClient lee;
    ASSERT_TRUE(lee.Connect(address));
    const auto leeBack = lee.LoginWith("lee", "secret");
    ASSERT_TRUE(leeBack && leeBack->success()) << (leeBack ? leeBack->reason() : "");
    EXPECT_FALSE(leeBack->created());
    EXPECT_EQ(leeBack->player_id(), leeId);
}

}  // namespace
}  // namespace tavern::test
