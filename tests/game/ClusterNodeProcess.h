// `gameserver --nats ... --node ...` as a child process, for the cluster tests (Linux only).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/NetAddress.h"

namespace tavern::test {

// A cluster node: its port is read from the line that announces it; stopped with SIGTERM at the end
// unless killed before.
class ClusterNodeProcess {
public:
    ClusterNodeProcess(const std::string& natsUrl, const std::string& node,
                       const std::string& dbUrl, const std::string& leaseSeconds = "3") {
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0) return;
        _pid = ::fork();
        if (_pid == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            std::vector<std::string> args = {TAVERN_GAMESERVER_PATH,
                                             "--host",
                                             "127.0.0.1",
                                             "--port",
                                             "0",
                                             "--workers",
                                             "2",
                                             "--stats-interval",
                                             "0",
                                             "--log-level",
                                             std::getenv("TAVERN_TEST_NODE_LOG") ? "info" : "warn",
                                             "--db",
                                             dbUrl,
                                             "--password-cost",
                                             "min",
                                             "--nats",
                                             natsUrl,
                                             "--node",
                                             node,
                                             "--lease",
                                             leaseSeconds};
            std::vector<char*> argv;
            for (auto& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        _out = out[0];
        ReadPort();
        // The node's log after that: drained so that a full pipe never stops it, and shown
        // with TAVERN_TEST_NODE_LOG=1.
        _drain = std::thread([fd = _out, show = std::getenv("TAVERN_TEST_NODE_LOG") != nullptr] {
            char buffer[4096];
            ssize_t n = 0;
            while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
                if (show) std::fwrite(buffer, 1, static_cast<std::size_t>(n), stderr);
        });
    }
    ~ClusterNodeProcess() {
        if (_pid > 0) {
            ::kill(_pid, SIGTERM);
            ::waitpid(_pid, nullptr, 0);
        }
        if (_drain.joinable()) _drain.join();  // the pipe's end came with the process's
        if (_out >= 0) ::close(_out);
    }
    ClusterNodeProcess(const ClusterNodeProcess&) = delete;
    ClusterNodeProcess& operator=(const ClusterNodeProcess&) = delete;

    NetAddress Address() const { return *NetAddress::Parse("127.0.0.1", _port); }
    std::uint16_t Port() const { return _port; }
    // Sends `signal` and reaps the process (SIGKILL: a crash, nothing cleaned up).
    void Kill(int signal) {
        if (_pid <= 0) return;
        ::kill(_pid, signal);
        ::waitpid(_pid, nullptr, 0);
        _pid = -1;
    }
    // Whether the process is still running (not exited, not crashed).
    bool Alive() const {
        if (_pid <= 0) return false;
        int status = 0;
        return ::waitpid(_pid, &status, WNOHANG) == 0;
    }

private:
    void ReadPort() {
        using namespace std::chrono_literals;
        std::string text;
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        const std::string prefix = "gameserver listening on port ";
        const auto found = [&] {
            const auto at = text.find(prefix);
            return at != std::string::npos && text.find('\n', at) != std::string::npos;
        };
        while (!found() && std::chrono::steady_clock::now() < deadline) {
            pollfd fd{_out, POLLIN, 0};
            if (::poll(&fd, 1, 100) <= 0) continue;
            char buffer[256];
            const ssize_t n = ::read(_out, buffer, sizeof buffer);
            if (n <= 0) break;
            text.append(buffer, static_cast<std::size_t>(n));
        }
        const auto at = text.find(prefix);
        if (at != std::string::npos)
            _port = static_cast<std::uint16_t>(std::stoi(text.substr(at + prefix.size())));
    }

    pid_t _pid = -1;
    int _out = -1;
    std::uint16_t _port = 0;
    std::thread _drain;
};

}  // namespace tavern::test
