#include "tests/support/Backends.h"

#include <thread>

#include "core/BackendSelector.h"

#if defined(_WIN32)
#include <windows.h>
#endif

namespace tavern::test {

std::vector<BackendKind> TestedBackends() {
#if defined(_WIN32)
    return {BackendKind::Iocp};
#else
    return {BackendKind::Uring, BackendKind::Epoll};
#endif
}

std::string BackendParamName(const testing::TestParamInfo<BackendKind>& info) {
    switch (info.param) {
        case BackendKind::Uring: return "Uring";
        case BackendKind::Epoll: return "Epoll";
        case BackendKind::Iocp: return "Iocp";
        case BackendKind::Auto: return "Auto";
    }
    return "Unknown";
}

bool UnderWine() {
#if defined(_WIN32)
    const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
    return false;
#endif
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

void BackendTest::SetUp() {
    std::error_code error;
    SelectBackend(GetParam(), error);
    if (error) GTEST_SKIP() << ToString(GetParam()) << " is unavailable here: " << error.message();
    EngineOptions options;
    options.workers = Workers();
    options.backend = GetParam();
    core = IocpCore::Create(options);
    ASSERT_FALSE(core->Start());
    ASSERT_EQ(core->Backend(), GetParam());
}

void BackendTest::TearDown() {
    for (auto& service : services) {
        EXPECT_TRUE(service->Stop(std::chrono::seconds(10)));
        EXPECT_EQ(service->SessionCount(), 0u);
    }
    services.clear();
    if (core) core->Stop();
}

std::shared_ptr<ServerService> BackendTest::StartServer(SessionFactory factory,
                                                        ServiceOptions options) {
    auto server = ServerService::Create(core, NetAddress::Loopback(0), std::move(factory), options);
    EXPECT_FALSE(server->Start());
    services.push_back(server);
    return server;
}

std::shared_ptr<ClientService> BackendTest::MakeClient(const NetAddress& address,
                                                       SessionFactory factory,
                                                       ServiceOptions options) {
    auto client = ClientService::Create(core, address, std::move(factory), options);
    services.push_back(client);
    return client;
}

}  // namespace tavern::test
