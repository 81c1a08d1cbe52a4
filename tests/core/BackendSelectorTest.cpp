#include "core/BackendSelector.h"

#include <gtest/gtest.h>

#include <cstdlib>

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

TEST(BackendSelectorTest, ParsesBackendNames) {
    EXPECT_EQ(ParseBackendKind("uring"), BackendKind::Uring);
    EXPECT_EQ(ParseBackendKind("epoll"), BackendKind::Epoll);
    EXPECT_EQ(ParseBackendKind("iocp"), BackendKind::Iocp);
    EXPECT_EQ(ParseBackendKind("auto"), BackendKind::Auto);
    EXPECT_FALSE(ParseBackendKind("kqueue"));
}

}  // namespace
}  // namespace tavern::test
