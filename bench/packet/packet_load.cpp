// packet_load: the packet benchmark's load client. Connects N sessions to packet_server, keeps
// `pipeline` C_ECHO packets in flight on each and checks every S_ECHO byte for byte: the same
// work per message as echo_client does against echo_server, so the two rates compare the
// server's packet pipeline with its raw byte echo.
//   packet_load --port 7778 --connections 1000 --payload 32 --pipeline 1 --duration 5
// Exit status: 0 when every session connected, stayed up, and got back exactly what it expected.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "BenchServerPackets.h"
#include "StreamLoad.h"
#include "core/PacketHeader.h"

namespace {

using namespace tavern;

std::vector<std::byte> Framed(BenchPackets::PacketId id, const std::string& payload) {
    std::vector<std::byte> bytes(kPacketHeaderSize + payload.size());
    WritePacketHeader(bytes.data(), static_cast<std::uint16_t>(bytes.size()),
                      static_cast<std::uint16_t>(id));
    std::memcpy(bytes.data() + kPacketHeaderSize, payload.data(), payload.size());
    return bytes;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace tavern::examples;
    CLI::App app{"Tavern packet benchmark load client"};
    StreamLoadOptions options;
    options.port = 7778;
    options.connections = 1000;
    AddStreamLoadOptions(app, options);
    std::size_t payload = 32;
    app.add_option("--payload", payload, "bytes of C_ECHO data")->check(CLI::Range(0, 60000));
    CLI11_PARSE(app, argc, argv);

    BenchPackets::C_ECHO request;
    std::string data(payload, '\0');
    for (std::size_t i = 0; i < payload; ++i) data[i] = static_cast<char>('a' + i % 26);
    request.set_data(data);
    const std::string encoded = request.SerializeAsString();  // S_ECHO encodes the same
    options.request = Framed(BenchPackets::PacketId::C_ECHO, encoded);
    options.reply = Framed(BenchPackets::PacketId::S_ECHO, encoded);
    const auto result = RunStreamLoad(options);
    if (!result) return 2;

    std::printf(
        "packet_load: connections=%zu connected=%llu failed=%llu dropped=%llu packet_size=%zu "
        "pipeline=%zu seconds=%.2f packets=%llu packets_per_s=%.0f mismatches=%llu "
        "server_cpu_s=%.3f\n",
        options.connections, static_cast<unsigned long long>(result->connected),
        static_cast<unsigned long long>(result->failed),
        static_cast<unsigned long long>(result->dropped), options.request.size(),
        options.pipeline, result->seconds, static_cast<unsigned long long>(result->replies),
        result->RepliesPerSecond(), static_cast<unsigned long long>(result->mismatches),
        result->serverCpuSeconds);
    return result->Ok(options.connections) ? 0 : 1;
}
