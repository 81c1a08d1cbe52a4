#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "PacketTestServerPackets.h"
#include "core/PacketSession.h"
#include "tests/support/Backends.h"
#include "tests/support/RawClient.h"

namespace tavern::test {

// What the server's Handle_ functions (PacketTestSupport.cpp) did, across every session.
struct PacketHandlerCalls {
    std::atomic<std::uint64_t> echoes{0};
    std::atomic<std::uint64_t> throws{0};
    std::atomic<std::uint64_t> rejects{0};
};
PacketHandlerCalls& HandlerCalls();
void ResetHandlerCalls();

// The server side: every packet goes through the generated dispatch table.
class PacketTestSession final : public PacketSession {
protected:
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override;
};

// A fixture with a packet server of the parameter's backend.
class PacketServerTest : public BackendTest {
protected:
    void SetUp() override;
    std::shared_ptr<ServerService> StartPacketServer(ServiceOptions options = {});
    static std::uint64_t Errors(const std::shared_ptr<ServerService>& server, ProtocolError kind) {
        return server->Counters().protocolErrors[static_cast<std::size_t>(kind)].load();
    }
};

// --- The wire, byte by byte (core/PacketHeader.h) -----------------------------------------

// A header alone: any size field, honest or not.
std::vector<std::byte> Header(std::uint16_t size, std::uint16_t id);
// A whole packet: header (size = 4 + payload) + payload.
std::vector<std::byte> Frame(std::uint16_t id, std::span<const std::byte> payload);
// A C_ECHO packet; the server answers S_ECHO with the same seq and data.
std::vector<std::byte> EchoPacket(std::uint32_t seq, const std::string& data);
// The C_ECHO whose whole packet is exactly `total` bytes (at least 4 + 3).
std::vector<std::byte> EchoPacketOfSize(std::uint32_t seq, std::size_t total);
void Append(std::vector<std::byte>& to, std::span<const std::byte> bytes);

struct ReceivedPacket {
    std::uint16_t size = 0;
    std::uint16_t id = 0;
    std::vector<std::byte> payload;
};
// Reads one packet, header then payload; nullopt on EOF or timeout.
std::optional<ReceivedPacket> ReadPacket(
    RawClient& client, std::chrono::milliseconds timeout = std::chrono::seconds(10));
// Reads one packet and checks that it is the S_ECHO of (seq, data).
testing::AssertionResult ReadEcho(RawClient& client, std::uint32_t seq, const std::string& data);
// Sends a C_ECHO and checks its S_ECHO: the server answers this client.
testing::AssertionResult RoundTrip(RawClient& client, std::uint32_t seq);

}  // namespace tavern::test
