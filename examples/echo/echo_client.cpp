// echo_client: connects N sessions to an echo server, keeps `pipeline` messages of `size` bytes
// in flight on each, checks every echoed byte, and reports messages and bytes per second.
//   echo_client --port 7777 --connections 100 --size 64 --duration 5 --pipeline 1
// Exit status: 0 when every session connected, stayed up, and got back exactly what it sent.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "core/BackendSelector.h"
#include "core/ProcessCpu.h"
#include "core/Service.h"
#include "core/SocketUtils.h"

namespace {

using namespace tavern;

struct Totals {
    std::atomic<std::uint64_t> messages{0};
    std::atomic<std::uint64_t> mismatches{0};
    std::atomic<std::uint64_t> connected{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<bool> stopping{false};
};

struct LoadConfig {
    std::size_t size = 64;
    std::size_t pipeline = 1;
    std::vector<std::byte> pattern;  // two copies of one message, so any offset has `size` bytes
};

class LoadSession final : public Session {
public:
    LoadSession(const LoadConfig& config, Totals& totals) : _config(config), _totals(totals) {}

protected:
    void OnConnected() override {
        _totals.connected.fetch_add(1);
        for (std::size_t i = 0; i < _config.pipeline; ++i) SendOne();
    }
    void OnRecv(std::span<const std::byte> bytes) override {
        const std::size_t size = _config.size;
        while (!bytes.empty()) {
            const std::size_t offset = _received % size;
            const std::size_t n = std::min(bytes.size(), size - offset);
            if (std::memcmp(bytes.data(), _config.pattern.data() + offset, n) != 0)
                _totals.mismatches.fetch_add(1);
            _received += n;
            bytes = bytes.subspan(n);
            if (_received % size == 0) {
                _totals.messages.fetch_add(1, std::memory_order_relaxed);
                if (!_totals.stopping.load(std::memory_order_relaxed)) SendOne();
            }
        }
    }
    void OnConnectFailed(std::error_code) override { _totals.failed.fetch_add(1); }
    void OnDisconnected() override {
        if (!_totals.stopping.load()) _totals.dropped.fetch_add(1);
    }

private:
    void SendOne() { Send(SendBuffer::Copy({_config.pattern.data(), _config.size})); }

    const LoadConfig& _config;
    Totals& _totals;
    std::uint64_t _received = 0;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Tavern echo load client"};
    std::string host = "127.0.0.1";
    std::uint16_t port = 7777;
    std::size_t connections = 10;
    double duration = 3.0;
    std::size_t workers = 1;
    std::string backend = "auto";
    LoadConfig config;
    app.add_option("--host", host, "server address (loopback only for load)");
    app.add_option("--port", port);
    app.add_option("--connections", connections);
    app.add_option("--size", config.size, "bytes per message")->check(CLI::Range(1, 1 << 24));
    app.add_option("--pipeline", config.pipeline, "messages in flight per connection");
    app.add_option("--duration", duration, "seconds of load after all connected");
    app.add_option("--workers", workers, "client worker threads");
    app.add_option("--backend", backend, BackendHelp())->check(CLI::IsMember(BackendNames()));
    int serverPid = 0;
    app.add_option("--server-pid", serverPid,
                   "report this process's CPU seconds over the measured window (Linux)");
    CLI11_PARSE(app, argc, argv);

    config.pattern.resize(config.size * 2);
    for (std::size_t i = 0; i < config.pattern.size(); ++i)
        config.pattern[i] = static_cast<std::byte>((i % config.size) % 251);

    socket::RaiseFileLimit();
    auto address = NetAddress::Parse(host, port);
    if (!address) {
        spdlog::error("not a numeric address: {}", host);
        return 2;
    }
    EngineOptions engine;
    engine.workers = workers;
    engine.backend = *ParseBackendKind(backend);
    auto core = IocpCore::Create(engine);
    if (auto error = core->Start()) {
        spdlog::error("cannot start the engine: {}", error.message());
        return 2;
    }
    Totals totals;
    ServiceOptions options;
    options.sendQueueLimit = 64 * 1024 * 1024;
    auto client = ClientService::Create(
        core, *address, [&] { return std::make_shared<LoadSession>(config, totals); }, options);
    client->Connect(connections);

    const auto connectDeadline = Clock::now() + std::chrono::seconds(10);
    while (totals.connected + totals.failed < connections && Clock::now() < connectDeadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));

    const std::uint64_t startMessages = totals.messages.load();
    const std::uint64_t startBytesOut = client->Counters().bytesOut.load();
    const double serverCpuStart = serverPid > 0 ? ProcessCpuSeconds(serverPid) : 0;
    const auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(duration));
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double serverCpu = serverPid > 0 ? ProcessCpuSeconds(serverPid) - serverCpuStart : 0;
    const std::uint64_t messages = totals.messages.load() - startMessages;
    const std::uint64_t bytesOut = client->Counters().bytesOut.load() - startBytesOut;
    totals.stopping = true;
    client->Stop();
    core->Stop();

    const double rate = static_cast<double>(messages) / seconds;
    const double mib = static_cast<double>(messages) * static_cast<double>(config.size) /
                       seconds / (1024.0 * 1024.0);
    std::printf(
        "echo_client: connections=%zu connected=%llu failed=%llu dropped=%llu size=%zu "
        "pipeline=%zu seconds=%.2f messages=%llu msgs_per_s=%.0f MiB_per_s=%.1f "
        "bytes_sent=%llu mismatches=%llu server_cpu_s=%.3f\n",
        connections, static_cast<unsigned long long>(totals.connected.load()),
        static_cast<unsigned long long>(totals.failed.load()),
        static_cast<unsigned long long>(totals.dropped.load()), config.size, config.pipeline,
        seconds, static_cast<unsigned long long>(messages), rate, mib,
        static_cast<unsigned long long>(bytesOut),
        static_cast<unsigned long long>(totals.mismatches.load()), serverCpu);
    const bool ok = totals.connected == connections && totals.failed == 0 &&
                    totals.dropped == 0 && totals.mismatches == 0 && messages > 0;
    return ok ? 0 : 1;
}
