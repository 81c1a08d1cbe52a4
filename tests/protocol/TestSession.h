#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "core/PacketSession.h"

namespace tavern::test {

// A PacketSession with no socket: ReportProtocolError then only counts the error and records the
// reason (Disconnect of a never-attached session just closes it), which is all these tests need.
class TestSession final : public PacketSession {
public:
    static PacketSessionRef Make() { return std::make_shared<TestSession>(); }

    static std::uint64_t Errors(const PacketSessionRef& session, ProtocolError error) {
        return session->Packets().errors[static_cast<std::size_t>(error)].load();
    }
    static std::uint64_t TotalErrors(const PacketSessionRef& session) {
        std::uint64_t total = 0;
        for (const auto& count : session->Packets().errors) total += count.load();
        return total;
    }

protected:
    void OnRecvPacket(std::uint16_t /*id*/, std::span<const std::byte> /*payload*/) override {}
};

}  // namespace tavern::test
