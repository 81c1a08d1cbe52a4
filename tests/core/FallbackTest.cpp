#include "core/BackendSelector.h"

#include <gtest/gtest.h>

#if defined(__linux__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "core/Service.h"
#include "examples/echo/EchoSession.h"
#include "tests/support/RawClient.h"

namespace tavern::test {
namespace {

// Makes io_uring_setup fail with EPERM in this process, as Docker's default seccomp profile does.
bool ForbidIoUring() {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

// In a child process (the filter cannot be undone): returns the child's exit code.
int InChild(int (*body)()) {
    const pid_t pid = fork();
    if (pid == 0) _exit(body());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST(FallbackTest, FallsBackToEpollWhenASeccompProfileForbidsIoUring) {
    const int result = InChild([] {
        if (!ForbidIoUring()) return 10;
        std::error_code error;
        if (SelectBackend(BackendKind::Auto, error) != BackendKind::Epoll || error) return 11;
        // And the engine really serves on it.
        EngineOptions options;
        options.workers = 1;
        auto core = IocpCore::Create(options);
        if (core->Start() || core->Backend() != BackendKind::Epoll) return 12;
        auto server = ServerService::Create(core, NetAddress::Loopback(0), [] {
            return std::make_shared<examples::EchoSession>();
        });
        if (server->Start()) return 13;
        RawClient client;
        const auto message = Pattern(1000);
        const bool echoed = client.Connect(server->LocalAddress()) && client.SendAll(message) &&
                            client.ReceiveExactly(message.size()) == message;
        client.Close();
        server->Stop();
        core->Stop();
        return echoed ? 0 : 14;
    });
    EXPECT_EQ(result, 0) << "10: no seccomp, 11: not epoll, 12-13: engine, 14: no echo";
}

TEST(FallbackTest, AnExplicitIoUringRequestFailsInsteadOfFallingBack) {
    const int result = InChild([] {
        if (!ForbidIoUring()) return 10;
        std::error_code error;
        SelectBackend(BackendKind::Uring, error);
        return error == std::errc::operation_not_permitted ? 0 : 11;
    });
    EXPECT_EQ(result, 0);
}

}  // namespace
}  // namespace tavern::test
#endif
