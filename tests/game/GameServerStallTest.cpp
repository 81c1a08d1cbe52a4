// The gameserver program as a child process, stopped and continued with signals: what a VM
// pause, a debugger or a stalled disk does to a live server. Linux only (fork, exec, signals).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/game/GameTestClient.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;
using namespace std::chrono_literals;

// The built gameserver, started on a free port; killed at the end if still running.
class ChildServer {
public:
    ~ChildServer() {
        if (_pid > 0) {
            ::kill(_pid, SIGKILL);
            ::waitpid(_pid, nullptr, 0);
        }
        if (_output >= 0) ::close(_output);
    }

    // Starts it and reads the port it prints; false if it did not come up within 10 s.
    bool Start(std::vector<std::string> args) {
        int out[2];
        if (::pipe(out) != 0) return false;
        _pid = ::fork();
        if (_pid == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            std::vector<char*> argv;
            // TAVERN_TEST_GAMESERVER runs another build's program (to compare with the past).
            const char* other = std::getenv("TAVERN_TEST_GAMESERVER");
            std::string path = other != nullptr ? other : TAVERN_GAMESERVER_PATH;
            argv.push_back(path.data());
            for (auto& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(path.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        std::string text;
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd fd{out[0], POLLIN, 0};
            if (::poll(&fd, 1, 100) <= 0) continue;
            char buffer[256];
            const auto n = ::read(out[0], buffer, sizeof(buffer));
            if (n <= 0) break;
            text.append(buffer, static_cast<std::size_t>(n));
            const auto at = text.find("listening on port ");
            if (at != std::string::npos && text.find(' ', at + 18) != std::string::npos) {
                _port = static_cast<std::uint16_t>(std::stoi(text.substr(at + 18)));
                break;
            }
        }
        // Kept open and unread: at --stats-interval 0 the server prints only a few lines more,
        // at its stop, which the pipe's buffer holds (a closed pipe would kill it with SIGPIPE).
        _output = out[0];
        return _port != 0;
    }
    std::uint16_t Port() const { return _port; }
    void Signal(int signal) { ::kill(_pid, signal); }
    // SIGTERM and wait; the exit status, or -1.
    int Stop() {
        ::kill(_pid, SIGTERM);
        int status = 0;
        const pid_t pid = std::exchange(_pid, -1);
        if (::waitpid(pid, &status, 0) != pid) return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    pid_t _pid = -1;
    int _output = -1;
    std::uint16_t _port = 0;
};

// Twenty clients ping at an even 60 or 150 packets a second, under the server's limit of 200.
// The server process is stopped for 4 s (SIGSTOP) and continued (SIGCONT): the clients' packets
// of those 4 s (240 to 600 each) wait in the kernel and arrive at once. Before the fix the rate
// limit judged them by when the server read them, and all 20 clients were cut as "flooding"
// (20 of 20, as the report found); now the time the server did not read is credited, and all
// 20 are still served. A client that really floods is still cut.
TEST(GameServerStallTest, HonestClientsSurviveAServerStall) {
    ChildServer server;
    ASSERT_TRUE(server.Start({"--host", "127.0.0.1", "--port", "0", "--workers", "2",
                              "--stats-interval", "0", "--log-level", "error",
                              // Not about accounts: names only, no database file.
                              "--db", ""}));
    const NetAddress address = NetAddress::Loopback(server.Port());

    constexpr int kClients = 20;
    std::vector<std::unique_ptr<GameTestClient>> clients;
    std::vector<std::chrono::microseconds> period;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<GameTestClient>());
        ASSERT_TRUE(clients.back()->Connect(address));
        ASSERT_NE(clients.back()->Login("p" + std::to_string(i)), 0u);
        period.push_back(i % 2 == 0 ? 16667us : 6667us);  // 60 or 150 packets a second
    }
    auto flooder = std::make_unique<GameTestClient>();
    ASSERT_TRUE(flooder->Connect(address));
    ASSERT_NE(flooder->Login("flooder"), 0u);

    Protocol::C_PING ping;
    ping.set_client_time(1);
    const auto bytes = Frame(static_cast<std::uint16_t>(PacketId::C_PING), Encode(ping));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::chrono::steady_clock::time_point> next(kClients, start);
    bool stopped = false, continued = false;
    while (std::chrono::steady_clock::now() - start < 7s) {
        const auto now = std::chrono::steady_clock::now();
        if (!stopped && now - start >= 1s) {
            server.Signal(SIGSTOP);
            stopped = true;
        }
        if (!continued && now - start >= 5s) {
            server.Signal(SIGCONT);
            continued = true;
        }
        for (int i = 0; i < kClients; ++i) {
            while (next[i] <= now) {
                ASSERT_TRUE(clients[i]->SendRaw(bytes)) << "client " << i << " was cut";
                next[i] += period[i];
            }
        }
        std::this_thread::sleep_for(1ms);
    }
    // 400 packets at once, with no stall to explain them.
    for (int i = 0; i < 400; ++i) flooder->SendRaw(bytes);

    // Every honest client is still served: its last ping comes back.
    ping.set_client_time(2);
    for (int i = 0; i < kClients; ++i) {
        ASSERT_TRUE(clients[i]->Send(PacketId::C_PING, ping)) << "client " << i << " was cut";
        bool answered = false;
        while (!answered) {
            const auto packet = clients[i]->Receive(10s);
            if (!packet) break;
            Protocol::S_PONG pong;
            answered = packet->id == static_cast<std::uint16_t>(PacketId::S_PONG) &&
                       pong.ParseFromArray(packet->payload.data(),
                                           static_cast<int>(packet->payload.size())) &&
                       pong.client_time() == 2;
        }
        EXPECT_TRUE(answered) << "client " << i << " was cut after the stall";
    }
    EXPECT_TRUE(flooder->WaitForClose(10s)) << "a real flood was not cut";
    EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace tavern::test
