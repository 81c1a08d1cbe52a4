#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "core/PacketSession.h"
#include "protocol/HandlerResult.h"

namespace TavernTest {
class C_LATE;
}  // namespace TavernTest

namespace tavern::test {

// A PacketSession with no socket: ReportProtocolError then only counts the error and records the
// reason (Disconnect of a never-attached session just closes it), which is all these tests need.
// It is the server side's session type (SESSION in CMakeLists.txt): the handlers take a
// TestSession&, and C_LATE is handled by a member function rather than a free one.
class TestSession final : public PacketSession {
public:
    static std::shared_ptr<TestSession> Make() { return std::make_shared<TestSession>(); }

    // The member form of a handler: the generated dispatch prefers it to a free Handle_C_LATE.
    HandlerResult Handle_C_LATE(TavernTest::C_LATE& pkt);
    int memberCalls = 0;

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
