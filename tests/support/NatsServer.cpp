#include "tests/support/NatsServer.h"

#include "tests/support/FreePort.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace tavern::test {

namespace {

bool Accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::string FindProgram() {
    if (const char* program = std::getenv("TAVERN_NATS_SERVER"); program != nullptr && *program)
        return program;
    for (const char* path : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
        if (std::filesystem::exists(path)) return path;
    }
    return {};
}

std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::unique_ptr<NatsServer> NatsServer::Start(std::string& why) {
    auto server = std::make_unique<NatsServer>(PrivateTag{});
    server->_program = FindProgram();
    if (server->_program.empty() || !std::filesystem::exists(server->_program)) {
        why = "nats-server is not installed (apt-get install nats-server)";
        return nullptr;
    }
    std::string folder = (std::filesystem::temp_directory_path() / "tavern-nats-XXXXXX").string();
    if (::mkdtemp(folder.data()) == nullptr) {
        why = "cannot make a temporary folder for nats-server";
        return nullptr;
    }
    server->_folder = folder;
    for (int attempt = 0; attempt < 3; ++attempt) {
        server->_port = FreeLoopbackPort();
        try {
            server->Launch();
            return server;
        } catch (const std::runtime_error& e) {
            why = e.what();  // another process may have taken the port between probe and start
        }
    }
    return nullptr;
}

bool NatsServer::Required() {
    const char* value = std::getenv("TAVERN_REQUIRE_NATS");
    return value != nullptr && std::string(value) == "1";
}

NatsServer::~NatsServer() {
    if (_pid > 0) Stop(SIGKILL);
    std::error_code ignored;
    if (!_folder.empty()) std::filesystem::remove_all(_folder, ignored);
}

std::string NatsServer::Url() const {
    return "nats://127.0.0.1:" + std::to_string(_port);
}

void NatsServer::Launch() {
    const std::string log = _folder + "/server.log";
    const std::string port = std::to_string(_port);
    const std::string store = _folder + "/js";
    std::vector<std::string> args = {_program, "-a", "127.0.0.1", "-p", port, "-js", "-sd", store};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    const std::size_t logged = ReadFile(log).size();  // a restart appends to the same log
    pid_t pid = -1;
    const int error =
        ::posix_spawn(&pid, _program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) throw std::runtime_error("cannot start " + _program);
    _pid = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(_pid, &status, WNOHANG) == _pid) {
            _pid = -1;
            throw std::runtime_error("nats-server exited at start; see " + log + ":\n" +
                                     ReadFile(log).substr(logged));
        }
        if (ReadFile(log).find("Server is ready", logged) != std::string::npos && Accepts(_port))
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Stop(SIGKILL);
    throw std::runtime_error("nats-server did not become ready in 30 s; see " + log);
}

void NatsServer::Stop(int signal) {
    if (_pid <= 0) return;
    ::kill(_pid, signal);
    int status = 0;
    while (::waitpid(_pid, &status, 0) < 0 && errno == EINTR) {
    }
    _pid = -1;
}

void NatsServer::Restart() {
    if (_pid > 0) throw std::runtime_error("nats-server is running");
    Launch();
}

}  // namespace tavern::test
