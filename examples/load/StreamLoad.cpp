#include "StreamLoad.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <span>
#include <thread>

#include "core/BackendSelector.h"
#include "core/ProcessCpu.h"
#include "core/Service.h"
#include "core/SocketUtils.h"

namespace tavern::examples {
namespace {

struct Totals {
    std::atomic<std::uint64_t> replies{0};
    std::atomic<std::uint64_t> mismatches{0};
    std::atomic<std::uint64_t> connected{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<bool> stopping{false};
};

// A raw session: it reads the reply stream against the expected bytes without cutting packets,
// so the client's cost per message is the same whatever the server does with them.
class LoadSession final : public Session {
public:
    LoadSession(const StreamLoadOptions& options, Totals& totals)
        : _options(options), _totals(totals) {}

protected:
    void OnConnected() override {
        _totals.connected.fetch_add(1);
        const std::size_t inFlight = _options.pingpong ? 1 : _options.pipeline;
        for (std::size_t i = 0; i < inFlight; ++i) SendOne();
    }
    void OnRecv(std::span<const std::byte> bytes) override {
        // Ping-pong: what arrives goes straight back, so the stream stays the request repeated.
        if (_options.pingpong && !_totals.stopping.load(std::memory_order_relaxed))
            Send(SendBuffer::Copy(bytes));
        const std::size_t size = _options.reply.size();
        while (!bytes.empty()) {
            const std::size_t offset = _received % size;
            const std::size_t n = std::min(bytes.size(), size - offset);
            if (std::memcmp(bytes.data(), _options.reply.data() + offset, n) != 0)
                _totals.mismatches.fetch_add(1);
            _received += n;
            bytes = bytes.subspan(n);
            if (_received % size == 0) {
                _totals.replies.fetch_add(1, std::memory_order_relaxed);
                if (!_options.pingpong && !_totals.stopping.load(std::memory_order_relaxed))
                    SendOne();
            }
        }
    }
    void OnConnectFailed(std::error_code) override { _totals.failed.fetch_add(1); }
    void OnDisconnected() override {
        if (!_totals.stopping.load()) _totals.dropped.fetch_add(1);
    }

private:
    void SendOne() { Send(SendBuffer::Copy(_options.request)); }

    const StreamLoadOptions& _options;
    Totals& _totals;
    std::uint64_t _received = 0;
};

}  // namespace

void AddStreamLoadOptions(CLI::App& app, StreamLoadOptions& options) {
    app.add_option("--host", options.host, "server address (loopback only for load)");
    app.add_option("--port", options.port);
    app.add_option("--connections", options.connections);
    app.add_option("--pipeline", options.pipeline, "requests in flight per connection");
    app.add_flag("--pingpong", options.pingpong,
                 "each connection sends one message, then echoes back whatever arrives "
                 "(the muduo / Asio ping-pong test; --pipeline is ignored)");
    app.add_option("--duration", options.duration, "seconds of load after all connected");
    app.add_option("--workers", options.workers, "client worker threads");
    app.add_option_function<std::string>(
           "--backend", [&options](const std::string& name) {
               options.backend = *ParseBackendKind(name);
           },
           BackendHelp())
        ->check(CLI::IsMember(BackendNames()));
    app.add_option("--server-pid", options.serverPid,
                   "report this process's CPU seconds over the measured window (Linux)");
}

std::optional<StreamLoadResult> RunStreamLoad(const StreamLoadOptions& options) {
    socket::RaiseFileLimit();
    const auto address = NetAddress::Parse(options.host, options.port);
    if (!address) {
        spdlog::error("not a numeric address: {}", options.host);
        return std::nullopt;
    }
    if (options.request.empty() || options.reply.empty()) {
        spdlog::error("a load needs a request and the reply it expects");
        return std::nullopt;
    }
    EngineOptions engine;
    engine.workers = options.workers;
    engine.backend = options.backend;
    auto core = IocpCore::CreateStarted(engine);
    if (!core) return std::nullopt;

    Totals totals;
    ServiceOptions serviceOptions;
    serviceOptions.sendQueueLimit = 64 * 1024 * 1024;
    auto client = ClientService::Create(
        core, *address, [&] { return std::make_shared<LoadSession>(options, totals); },
        serviceOptions);
    // In batches, each let in before the next: 10,000 connects at once overflow a listen
    // backlog, and a dropped SYN is retried only after 1, 3, 7, 15 s.
    constexpr std::size_t kConnectBatch = 1000;
    const auto connectDeadline = Clock::now() + std::chrono::seconds(30);
    for (std::size_t started = 0; started < options.connections;) {
        const std::size_t batch = std::min(kConnectBatch, options.connections - started);
        client->Connect(batch);
        started += batch;
        while (totals.connected + totals.failed < started && Clock::now() < connectDeadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }

    const std::uint64_t startReplies = totals.replies.load();
    const std::uint64_t startBytesOut = client->Counters().bytesOut.load();
    const std::uint64_t startBytesIn = client->Counters().bytesIn.load();
    const int pid = options.serverPid;
    const double serverCpuStart = pid > 0 ? ProcessCpuSeconds(pid) : 0;
    const auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(options.duration));

    StreamLoadResult result;
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.serverCpuSeconds = pid > 0 ? ProcessCpuSeconds(pid) - serverCpuStart : 0;
    result.replies = totals.replies.load() - startReplies;
    result.bytesOut = client->Counters().bytesOut.load() - startBytesOut;
    result.bytesIn = client->Counters().bytesIn.load() - startBytesIn;
    totals.stopping = true;
    client->Stop();
    core->Stop();
    result.connected = totals.connected.load();
    result.failed = totals.failed.load();
    result.dropped = totals.dropped.load();
    result.mismatches = totals.mismatches.load();
    return result;
}

}  // namespace tavern::examples
