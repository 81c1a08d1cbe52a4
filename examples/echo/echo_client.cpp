// echo_client: connects N sessions to an echo server, keeps `pipeline` messages of `size` bytes
// in flight on each, checks every echoed byte, and reports messages and bytes per second.
// With --pingpong each connection sends one message and then echoes back whatever arrives.
//   echo_client --port 7777 --connections 100 --size 64 --duration 5 --pipeline 1
//   echo_client --port 7777 --connections 100 --size 16384 --duration 3 --pingpong
// Exit status: 0 when every session connected, stayed up, and got back exactly what it sent.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "StreamLoad.h"

int main(int argc, char** argv) {
    using namespace tavern::examples;
    CLI::App app{"Tavern echo load client"};
    StreamLoadOptions options;
    AddStreamLoadOptions(app, options);
    std::size_t size = 64;
    app.add_option("--size", size, "bytes per message")->check(CLI::Range(1, 1 << 24));
    CLI11_PARSE(app, argc, argv);

    options.request.resize(size);
    for (std::size_t i = 0; i < size; ++i) options.request[i] = static_cast<std::byte>(i % 251);
    options.reply = options.request;
    const auto result = RunStreamLoad(options);
    if (!result) return 2;

    const double mib = result->RepliesPerSecond() * static_cast<double>(size) / (1024.0 * 1024.0);
    std::printf(
        "echo_client: connections=%zu connected=%llu failed=%llu dropped=%llu size=%zu "
        "pipeline=%zu mode=%s seconds=%.2f messages=%llu msgs_per_s=%.0f MiB_per_s=%.1f "
        "bytes_sent=%llu bytes_received=%llu mismatches=%llu server_cpu_s=%.3f\n",
        options.connections, static_cast<unsigned long long>(result->connected),
        static_cast<unsigned long long>(result->failed),
        static_cast<unsigned long long>(result->dropped), size, options.pipeline,
        options.pingpong ? "pingpong" : "pipeline", result->seconds, static_cast<unsigned long long>(result->replies),
        result->RepliesPerSecond(), mib, static_cast<unsigned long long>(result->bytesOut),
        static_cast<unsigned long long>(result->bytesIn),
        static_cast<unsigned long long>(result->mismatches), result->serverCpuSeconds);
    return result->Ok(options.connections) ? 0 : 1;
}
