#include "core/BackendSelector.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/IocpCore.h"

namespace tavern::test {
namespace {

#if !defined(_WIN32)
TEST(BackendSelectorTest, EnvironmentVariableForcesEpoll) {
    ::setenv("TAVERN_BACKEND", "epoll", 1);
    std::error_code error;
    EXPECT_EQ(SelectBackend(BackendKind::Auto, error), BackendKind::Epoll);
    EXPECT_FALSE(error);
    ::unsetenv("TAVERN_BACKEND");
}

TEST(BackendSelectorTest, ExplicitRequestWinsOverTheEnvironment) {
    ::setenv("TAVERN_BACKEND", "uring", 1);
    std::error_code error;
    EXPECT_EQ(SelectBackend(BackendKind::Epoll, error), BackendKind::Epoll);
    ::unsetenv("TAVERN_BACKEND");
}

TEST(BackendSelectorTest, AutoPicksUringWhenTheKernelAllowsItElseEpoll) {
    std::error_code error;
    const BackendKind kind = SelectBackend(BackendKind::Auto, error);
    EXPECT_FALSE(error);
    std::error_code uringError;
    SelectBackend(BackendKind::Uring, uringError);
    EXPECT_EQ(kind, uringError ? BackendKind::Epoll : BackendKind::Uring);
}
#endif

#if defined(_WIN32)
TEST(BackendSelectorTest, RefusesTheLinuxBackendsOnWindows) {
    for (BackendKind kind : {BackendKind::Uring, BackendKind::Epoll}) {
        std::error_code error;
        SelectBackend(kind, error);
        EXPECT_EQ(error, std::errc::not_supported) << ToString(kind);
    }
    std::error_code error;
    EXPECT_EQ(SelectBackend(BackendKind::Iocp, error), BackendKind::Iocp);
    EXPECT_FALSE(error);
}
#else
// `--backend iocp` passes every program's option check; the engine refuses it on Linux.
TEST(BackendSelectorTest, RefusesIocpOnLinuxWhenTheEngineStarts) {
    std::error_code error;
    SelectBackend(BackendKind::Iocp, error);
    EXPECT_EQ(error, std::errc::not_supported);
    EngineOptions options;
    options.workers = 1;
    options.backend = BackendKind::Iocp;
    auto core = IocpCore::Create(options);
    EXPECT_EQ(core->Start(), std::errc::not_supported);
    core->Stop();
    EXPECT_EQ(IocpCore::CreateStarted(options), nullptr);
    options.backend = BackendKind::Auto;
    auto started = IocpCore::CreateStarted(options);
    ASSERT_NE(started, nullptr);
    EXPECT_TRUE(started->Running());
    started->Stop();
}
#endif

TEST(BackendSelectorTest, ProgramsAcceptEveryBackendName) {
    for (const std::string& name : BackendNames()) EXPECT_TRUE(ParseBackendKind(name)) << name;
    EXPECT_EQ(BackendNames().size(), 4u);
}

TEST(BackendSelectorTest, ParsesBackendNames) {
    EXPECT_EQ(ParseBackendKind("uring"), BackendKind::Uring);
    EXPECT_EQ(ParseBackendKind("epoll"), BackendKind::Epoll);
    EXPECT_EQ(ParseBackendKind("iocp"), BackendKind::Iocp);
    EXPECT_EQ(ParseBackendKind("auto"), BackendKind::Auto);
    EXPECT_FALSE(ParseBackendKind("kqueue"));
}

}  // namespace
}  // namespace tavern::test
