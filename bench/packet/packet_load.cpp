// packet_load: the packet benchmark's load client. Connects N sessions to packet_server, keeps
// `pipeline` C_ECHO packets in flight on each and checks every S_ECHO byte for byte: the same
// work per message as echo_client does against echo_server, so the two rates compare the
// server's packet pipeline with its raw byte echo.
//   packet_load --port 7778 --connections 1000 --payload 32 --pipeline 1 --duration 5
// Exit status: 0 when every session connected, stayed up, and got back exactly what it expected.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "BenchServerPackets.h"
#include "core/BackendSelector.h"
#include "core/ProcessCpu.h"
#include "core/PacketHeader.h"
#include "core/Service.h"
#include "core/SocketUtils.h"

namespace {

using namespace tavern;

struct Totals {
    std::atomic<std::uint64_t> packets{0};
    std::atomic<std::uint64_t> mismatches{0};
    std::atomic<std::uint64_t> connected{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<bool> stopping{false};
};

struct LoadConfig {
    std::size_t pipeline = 1;
    std::vector<std::byte> request;  // one C_ECHO, framed
    std::vector<std::byte> reply;    // the S_ECHO it must come back as
};

std::vector<std::byte> Framed(BenchPackets::PacketId id, const std::string& payload) {
    std::vector<std::byte> bytes(kPacketHeaderSize + payload.size());
    WritePacketHeader(bytes.data(), static_cast<std::uint16_t>(bytes.size()),
                      static_cast<std::uint16_t>(id));
    std::memcpy(bytes.data() + kPacketHeaderSize, payload.data(), payload.size());
    return bytes;
}

// A raw session: the client side must cost what echo_client's does, so that the comparison
// measures the server. It reads the reply stream against the expected S_ECHO bytes.
class LoadSession final : public Session {
public:
    LoadSession(const LoadConfig& config, Totals& totals) : _config(config), _totals(totals) {}

protected:
    void OnConnected() override {
        _totals.connected.fetch_add(1);
        for (std::size_t i = 0; i < _config.pipeline; ++i) SendOne();
    }
    void OnRecv(std::span<const std::byte> bytes) override {
        const std::size_t size = _config.reply.size();
        while (!bytes.empty()) {
            const std::size_t offset = _received % size;
            const std::size_t n = std::min(bytes.size(), size - offset);
            if (std::memcmp(bytes.data(), _config.reply.data() + offset, n) != 0)
                _totals.mismatches.fetch_add(1);
            _received += n;
            bytes = bytes.subspan(n);
            if (_received % size == 0) {
                _totals.packets.fetch_add(1, std::memory_order_relaxed);
                if (!_totals.stopping.load(std::memory_order_relaxed)) SendOne();
            }
        }
    }
    void OnConnectFailed(std::error_code) override { _totals.failed.fetch_add(1); }
    void OnDisconnected() override {
        if (!_totals.stopping.load()) _totals.dropped.fetch_add(1);
    }

private:
    void SendOne() { Send(SendBuffer::Copy(_config.request)); }

    const LoadConfig& _config;
    Totals& _totals;
    std::uint64_t _received = 0;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Tavern packet benchmark load client"};
    std::string host = "127.0.0.1";
    std::uint16_t port = 7778;
    std::size_t connections = 1000;
    std::size_t payload = 32;
    double duration = 3.0;
    std::size_t workers = 1;
    std::string backend = "auto";
    int serverPid = 0;
    LoadConfig config;
    app.add_option("--host", host, "server address (loopback only for load)");
    app.add_option("--port", port);
    app.add_option("--connections", connections);
    app.add_option("--payload", payload, "bytes of C_ECHO data")->check(CLI::Range(0, 60000));
    app.add_option("--pipeline", config.pipeline, "packets in flight per connection");
    app.add_option("--duration", duration, "seconds of load after all connected");
    app.add_option("--workers", workers, "client worker threads");
    app.add_option("--backend", backend, BackendHelp())->check(CLI::IsMember(BackendNames()));
    app.add_option("--server-pid", serverPid,
                   "report this process's CPU seconds over the measured window (Linux)");
    CLI11_PARSE(app, argc, argv);

    BenchPackets::C_ECHO request;
    std::string data(payload, '\0');
    for (std::size_t i = 0; i < payload; ++i) data[i] = static_cast<char>('a' + i % 26);
    request.set_data(data);
    const std::string encoded = request.SerializeAsString();  // S_ECHO encodes the same
    config.request = Framed(BenchPackets::PacketId::C_ECHO, encoded);
    config.reply = Framed(BenchPackets::PacketId::S_ECHO, encoded);

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

    const std::uint64_t startPackets = totals.packets.load();
    const double serverCpuStart = serverPid > 0 ? ProcessCpuSeconds(serverPid) : 0;
    const auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(duration));
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double serverCpu = serverPid > 0 ? ProcessCpuSeconds(serverPid) - serverCpuStart : 0;
    const std::uint64_t packets = totals.packets.load() - startPackets;
    totals.stopping = true;
    client->Stop();
    core->Stop();

    std::printf(
        "packet_load: connections=%zu connected=%llu failed=%llu dropped=%llu packet_size=%zu "
        "pipeline=%zu seconds=%.2f packets=%llu packets_per_s=%.0f mismatches=%llu "
        "server_cpu_s=%.3f\n",
        connections, static_cast<unsigned long long>(totals.connected.load()),
        static_cast<unsigned long long>(totals.failed.load()),
        static_cast<unsigned long long>(totals.dropped.load()), config.request.size(),
        config.pipeline, seconds, static_cast<unsigned long long>(packets),
        static_cast<double>(packets) / seconds,
        static_cast<unsigned long long>(totals.mismatches.load()), serverCpu);
    const bool ok = totals.connected == connections && totals.failed == 0 && totals.dropped == 0 &&
                    totals.mismatches == 0 && packets > 0;
    return ok ? 0 : 1;
}
