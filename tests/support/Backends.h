#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/Backend.h"
#include "core/IocpCore.h"
#include "core/Service.h"

namespace tavern::test {

// The backends this platform builds: io_uring and epoll on Linux, IOCP on Windows. Socket tests
// run once per backend and skip (not fail) where a backend is unavailable.
std::vector<BackendKind> TestedBackends();
std::string BackendParamName(const testing::TestParamInfo<BackendKind>& info);

// True when this Windows build runs under Wine (Wine's ntdll exports wine_get_version). Under
// Wine every socket call is a round trip to the one wineserver process (50-130 us each,
// measured with Wine 8 on a 2-core machine; microseconds on Windows), so a few timing budgets
// are wider there, each saying why. What the tests check stays the same.
bool UnderWine();

// Polls `done` until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A fixture with an engine of the parameter's backend, and the services a test starts on it;
// TearDown stops them (and checks that every session was released), then the engine.
class BackendTest : public testing::TestWithParam<BackendKind> {
protected:
    void SetUp() override;
    void TearDown() override;

    std::shared_ptr<ServerService> StartServer(SessionFactory factory, ServiceOptions options = {});
    std::shared_ptr<ClientService> MakeClient(const NetAddress& address, SessionFactory factory,
                                              ServiceOptions options = {});

    virtual std::size_t Workers() const { return 2; }

    IocpCoreRef core;
    std::vector<std::shared_ptr<Service>> services;
};

}  // namespace tavern::test
