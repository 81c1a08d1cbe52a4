#include "core/Listener.h"

#include "core/BackendSelector.h"

#include <gtest/gtest.h>

#if defined(__linux__)
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "core/ProcessCpu.h"
#include "core/Service.h"
#include "examples/echo/EchoSession.h"
#include "tests/support/Backends.h"
#include "tests/support/RawClient.h"

namespace tavern::test {
namespace {

using namespace std::chrono_literals;

class DescriptorLimitTest : public testing::TestWithParam<BackendKind> {};

// The server runs in a child process whose descriptor limit leaves room for a handful of
// sessions; the test, as its clients, connects far more than that.
TEST_P(DescriptorLimitTest, RunningOutOfDescriptorsNeitherSpinsNorWedgesTheListener) {
    std::error_code error;
    SelectBackend(GetParam(), error);
    if (error) GTEST_SKIP() << "backend unavailable: " << error.message();
    int portPipe[2];
    ASSERT_EQ(pipe(portPipe), 0);
    const pid_t child = fork();
    if (child == 0) {
        // Room for the engine's own descriptors and about ten sessions, set before the engine
        // starts as `ulimit -n` would be (io_uring reads the limit when its ring is set up).
        int open = 0;
        for (int fd = 0; fd < 1024; ++fd) open += fcntl(fd, F_GETFD) != -1 ? 1 : 0;
        rlimit limit{static_cast<rlim_t>(open + 16), static_cast<rlim_t>(open + 16)};
        setrlimit(RLIMIT_NOFILE, &limit);
        EngineOptions engine;
        engine.workers = 1;
        engine.backend = GetParam();
        auto core = IocpCore::Create(engine);
        if (core->Start()) _exit(2);
        auto server = ServerService::Create(core, NetAddress::Loopback(0), [] {
            return std::make_shared<examples::EchoSession>();
        });
        if (server->Start()) _exit(3);
        const std::uint16_t port = server->LocalAddress().Port();
        if (write(portPipe[1], &port, sizeof(port)) != sizeof(port)) _exit(4);
        std::this_thread::sleep_for(8s);  // the parent kills us sooner
        _exit(0);
    }
    std::uint16_t port = 0;
    ASSERT_EQ(read(portPipe[0], &port, sizeof(port)), static_cast<ssize_t>(sizeof(port)));
    const NetAddress address = NetAddress::Loopback(port);

    std::vector<RawClient> clients(40);
    for (auto& client : clients) ASSERT_TRUE(client.Connect(address));
    // Some got sessions; the rest were accepted with the spare descriptor and closed at once.
    int shed = 0;
    for (auto& client : clients) shed += client.WaitForClose(200ms) ? 1 : 0;
    EXPECT_GE(shed, 25) << "connections beyond the limit must be closed, not left hanging";

    const double cpuBefore = ProcessCpuSeconds(child);
    ASSERT_GE(cpuBefore, 0) << "cannot read the server's CPU time";
    std::this_thread::sleep_for(1s);
    EXPECT_LT(ProcessCpuSeconds(child) - cpuBefore, 0.3) << "the accept loop spins";

    clients.clear();  // descriptors free up in the server
    std::this_thread::sleep_for(300ms);
    RawClient late;
    ASSERT_TRUE(late.Connect(address));
    const auto message = Pattern(1000);
    ASSERT_TRUE(late.SendAll(message));
    EXPECT_EQ(late.ReceiveExactly(message.size(), 3s), message) << "the server did not recover";

    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    close(portPipe[0]);
    close(portPipe[1]);
}

INSTANTIATE_TEST_SUITE_P(Backends, DescriptorLimitTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
#endif
