#include "tests/game/ClusterNodeProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace tavern::test {

namespace {

std::uint16_t PortAfter(const std::string& text, const std::string& prefix) {
    const auto at = text.find(prefix);
    if (at == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::stoi(text.substr(at + prefix.size())));
}

}  // namespace

ClusterNodeProcess::ClusterNodeProcess(const std::string& natsUrl, const std::string& node,
                                       const std::string& dbUrl, std::vector<std::string> extra) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    const bool admin = std::find(extra.begin(), extra.end(), "--admin-port") != extra.end();
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
                                     "warn",
                                     "--db",
                                     dbUrl,
                                     "--password-cost",
                                     "min",
                                     "--nats",
                                     natsUrl,
                                     "--node",
                                     node};
    args.insert(args.end(), extra.begin(), extra.end());
    // Made before the fork: the child of a threaded test may call nothing that allocates.
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    _pid = ::fork();
    if (_pid == 0) {
        ::dup2(out[1], STDOUT_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    _out = out[0];
    ReadPorts(admin);
}

ClusterNodeProcess::~ClusterNodeProcess() {
    Kill(SIGTERM);
    if (_out >= 0) ::close(_out);
}

NetAddress ClusterNodeProcess::Address() const {
    return *NetAddress::Parse("127.0.0.1", _port);
}

void ClusterNodeProcess::Kill(int signal) {
    if (_pid <= 0) return;
    ::kill(_pid, signal);
    ::waitpid(_pid, nullptr, 0);
    _pid = -1;
}

void ClusterNodeProcess::Signal(int signal) const {
    if (_pid > 0) ::kill(_pid, signal);
}

void ClusterNodeProcess::ReadPorts(bool admin) {
    const std::string gamePrefix = "gameserver listening on port ";
    const std::string adminPrefix = "admin listening on port ";
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    auto complete = [&] {
        const auto game = text.find(gamePrefix);
        if (game == std::string::npos || text.find('\n', game) == std::string::npos) return false;
        if (!admin) return true;
        const auto at = text.find(adminPrefix);
        return at != std::string::npos && text.find('\n', at) != std::string::npos;
    };
    while (!complete() && std::chrono::steady_clock::now() < deadline) {
        pollfd fd{_out, POLLIN, 0};
        if (::poll(&fd, 1, 100) <= 0) continue;
        char buffer[256];
        const ssize_t n = ::read(_out, buffer, sizeof buffer);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    _port = PortAfter(text, gamePrefix);
    if (admin) _adminPort = PortAfter(text, adminPrefix);
}

}  // namespace tavern::test
