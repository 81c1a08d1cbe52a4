#pragma once

// The load driver behind echo_client and the packet benchmark's packet_load: N sessions each keep
// `pipeline` requests in flight, check every reply byte for byte against the one expected, and
// send the next request for every reply. Both programs run the same client-side work per
// message, so their rates compare the servers they are pointed at.

#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/Backend.h"

namespace tavern::examples {

struct StreamLoadOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 7777;
    std::size_t connections = 10;
    std::size_t pipeline = 1;  // requests in flight per connection
    // Ping-pong instead: one request per connection, then every byte received is sent back.
    // A reply is then each whole request's worth of bytes received.
    bool pingpong = false;
    double duration = 3.0;     // seconds measured, once every session has connected (or failed)
    std::size_t workers = 1;
    BackendKind backend = BackendKind::Auto;
    int serverPid = 0;             // if set: that process's CPU seconds over the measured window
    std::vector<std::byte> request;  // what a session sends, whole
    std::vector<std::byte> reply;    // what each request must come back as
};

struct StreamLoadResult {
    std::uint64_t connected = 0;
    std::uint64_t failed = 0;      // connects that failed
    std::uint64_t dropped = 0;     // sessions that ended before the run did
    std::uint64_t mismatches = 0;  // reply bytes that differed from the expected ones
    std::uint64_t replies = 0;     // whole replies in the measured window
    std::uint64_t bytesOut = 0;    // bytes sent in the measured window
    std::uint64_t bytesIn = 0;     // bytes received in the measured window
    double seconds = 0;
    double serverCpuSeconds = 0;

    double RepliesPerSecond() const { return seconds > 0 ? replies / seconds : 0; }
    // Every session connected and stayed up, every byte came back right, and some did.
    bool Ok(std::size_t connections) const {
        return connected == connections && failed == 0 && dropped == 0 && mismatches == 0 &&
               replies > 0;
    }
};

// Adds --host, --port, --connections, --pipeline, --pingpong, --duration, --workers, --backend
// and --server-pid, stored into `options`.
void AddStreamLoadOptions(CLI::App& app, StreamLoadOptions& options);

// Runs the load; nullopt (the reason logged) if the address does not parse or the engine does
// not start.
std::optional<StreamLoadResult> RunStreamLoad(const StreamLoadOptions& options);

}  // namespace tavern::examples
