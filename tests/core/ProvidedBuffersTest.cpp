// io_uring's provided receive buffers, consumed incrementally where the kernel has it (6.12+):
// many connections receiving small messages at once share a buffer instead of taking one each.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/Backend.h"
#include "core/BackendSelector.h"
#include "core/IocpCore.h"
#include "core/Service.h"
#include "core/uring/UringBackend.h"
#include "examples/echo/EchoSession.h"
#include "tests/support/RawClient.h"

namespace tavern::test {
namespace {

// Two 16 KiB buffers for the worker, and 200 connections that each send 64 bytes at once.
// Whole buffers (a kernel before 6.12, or Tavern before it asked for incremental consumption):
// a receive takes a buffer per message, so most of the 200 find none and end their multishot
// receive (-ENOBUFS) to be armed again, which finds none again: with incremental consumption
// turned off, one run counted 6,127 receives out of buffers for these 200 messages (every echo
// still arrived). Incremental: 200 x 64 bytes fit in the two buffers, and no receive runs out.
TEST(ProvidedBuffersTest, SmallMessagesOfManyConnectionsShareTheWorkersBuffers) {
    std::error_code error;
    SelectBackend(BackendKind::Uring, error);
    if (error) GTEST_SKIP() << "io_uring is unavailable here: " << error.message();
    EngineOptions options;
    options.workers = 1;
    options.backend = BackendKind::Uring;
    options.backendOptions.recvBufferCount = 2;
    options.backendOptions.recvBufferSize = 16 * 1024;
    auto core = IocpCore::Create(options);
    ASSERT_FALSE(core->Start());
    auto server = ServerService::Create(core, NetAddress::Loopback(0),
                                        [] { return std::make_shared<examples::EchoSession>(); });
    ASSERT_FALSE(server->Start());

    constexpr int kClients = 200;
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<RawClient>());
        ASSERT_TRUE(clients.back()->Connect(server->LocalAddress())) << i;
    }
    const std::vector<std::byte> message(64, std::byte{0x5a});
    const std::uint64_t outOfBuffersBefore = ReceivesOutOfBuffers();
    for (auto& client : clients) ASSERT_TRUE(client->SendAll(message));
    for (auto& client : clients) EXPECT_EQ(client->ReceiveExactly(message.size()), message);
    const std::uint64_t outOfBuffers = ReceivesOutOfBuffers() - outOfBuffersBefore;

    clients.clear();
    EXPECT_TRUE(server->Stop(std::chrono::seconds(10)));
    core->Stop();
    if (!UringBackend::IncrementalBuffers())
        GTEST_SKIP() << "this kernel consumes provided buffers whole (before 6.12); "
                     << outOfBuffers << " receives ran out of buffers";
    EXPECT_EQ(outOfBuffers, 0u);
}

}  // namespace
}  // namespace tavern::test
