#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/PacketHeader.h"
#include "core/PacketMetrics.h"
#include "core/ProtocolError.h"
#include "core/Session.h"

namespace tavern {

class PacketSession;
using PacketSessionRef = std::shared_ptr<PacketSession>;

struct PacketCounters {
    std::atomic<std::uint64_t> packetsIn{0};
    std::array<std::atomic<std::uint64_t>, kProtocolErrorKinds> errors{};
};

// A session that speaks the packet wire format (PacketHeader.h). The home worker cuts the byte
// stream into packets and checks each header: a size below 4 or above the maximum is a protocol
// error at once. Complete packets go to the job queue in one job per receive, where each runs
// through OnRecvPacket in arrival order (the generated dispatch table parses and handles it).
// Only the incomplete tail of a receive is copied into the session.
class PacketSession : public Session {
public:
    // Safe to call from any thread: counts `error` and cuts this session (a reset, Session::Cut)
    // with a logged reason naming it and `detail`. Other sessions are untouched.
    void ReportProtocolError(ProtocolError error, std::string_view detail);

    // Safe to call from any thread.
    const PacketCounters& Packets() const { return _packets; }
    std::size_t MaxPacketSize() const { return _maxPacketSize; }
    PacketSessionRef SharedPacketSession() {
        return std::static_pointer_cast<PacketSession>(shared_from_this());
    }

protected:
    // On the job queue, once per packet, in arrival order. `payload` excludes the header and is
    // valid only during the call.
    virtual void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) = 0;

    std::size_t OnRecvBytes(std::span<const std::byte> bytes) final;
    void ApplyOptions(const ServiceOptions& options) override;
    std::size_t MaxTailBytes() const final { return _maxPacketSize; }
    void OnPeerClosed(std::size_t tailBytes) override;
    void OnJobException(std::exception_ptr error) override;
    void OnSendQueued(std::span<const std::byte> bytes) override;
    void OnTransportProtocolError(std::string detail) override {
        ReportProtocolError(ProtocolError::NotOnePacket, detail);
    }

private:
    friend class Service;
    void RunPackets(const SendBufferRef& block);
    void RunPacketsMeasured(std::span<const std::byte> bytes);
    // The PacketMetrics of the calling thread's worker, else of the home worker, else nullptr.
    PacketMetrics* MetricsHere() const;

    bool TakePacketTokens(std::size_t packets);

protected:
    // Any thread: whether a log line about this session's error of `kind` may go out now (the
    // service's LogThrottle: one a second per kind), and how many were left out before it.
    bool AllowErrorLog(std::size_t kind, std::uint64_t& suppressed);
    static std::string MoreLikeIt(std::uint64_t suppressed);

private:

    std::size_t _maxPacketSize = kMaxWirePacketSize;  // set from the service's options
    bool _packetMetrics = false;                       // set from the service's options
    // Packet rate limit, a token bucket; home worker only. The home worker's stall time is
    // credited: packets that piled up while the server did not read were sent over that time.
    double _packetRate = 0;
    double _packetTokens = 0;
    Clock::time_point _tokensAt{};
    Clock::time_point _stallStart{};  // the home worker's stall credited last, and how much of it
    Clock::duration _stallCredited{};
    PacketCounters _packets;
};

}  // namespace tavern
