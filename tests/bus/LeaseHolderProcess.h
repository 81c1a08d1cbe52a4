#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace tavern::test {

// bus_lease_holder (TAVERN_LEASE_HOLDER, LeaseHolderMain.cpp) as a child process, its stdout on
// a pipe: holds `key` of the lease bucket `bucket` as `holder` until killed.
class LeaseHolderProcess {
public:
    LeaseHolderProcess(const std::string& url, const std::string& bucket,
                       std::chrono::milliseconds lease, const std::string& key,
                       const std::string& holder) {
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe");
        _out = fds[0];
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        std::vector<std::string> args = {TAVERN_LEASE_HOLDER,           url, bucket,
                                         std::to_string(lease.count()), key, holder};
        std::vector<char*> argv;
        for (std::string& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        const int error =
            ::posix_spawn(&_pid, TAVERN_LEASE_HOLDER, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        if (error != 0) throw std::runtime_error("cannot start " TAVERN_LEASE_HOLDER);
    }
    ~LeaseHolderProcess() {
        Kill();
        ::close(_out);
    }
    LeaseHolderProcess(const LeaseHolderProcess&) = delete;
    LeaseHolderProcess& operator=(const LeaseHolderProcess&) = delete;

    // Waits for a line on the child's stdout ("acquired", "lost"); empty on timeout or end of
    // output.
    std::string ReadLine(std::chrono::milliseconds limit) {
        std::string line;
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            pollfd p{_out, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            char c = 0;
            if (::read(_out, &c, 1) != 1) return {};
            if (c == '\n') return line;
            line += c;
        }
        return {};
    }
    void Kill() {
        if (_pid <= 0) return;
        ::kill(_pid, SIGKILL);
        int status = 0;
        ::waitpid(_pid, &status, 0);
        _pid = -1;
    }

private:
    pid_t _pid = -1;
    int _out = -1;
};

}  // namespace tavern::test
