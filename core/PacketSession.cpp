#include "core/PacketSession.h"

#include <spdlog/spdlog.h>

#include "core/Service.h"
#include "core/Worker.h"

namespace tavern {

bool PacketSession::AllowErrorLog(std::size_t kind, std::uint64_t& suppressed) {
    suppressed = 0;
    const auto service = GetService();
    return !service || service->ErrorLog().Allow(kind, suppressed);
}

std::string PacketSession::MoreLikeIt(std::uint64_t suppressed) {
    if (suppressed == 0) return {};
    return " (and " + std::to_string(suppressed) + " more like it since the last such line)";
}

void PacketSession::ApplyOptions(const ServiceOptions& options) {
    Session::ApplyOptions(options);
    _maxPacketSize = std::clamp<std::size_t>(options.maxPacketSize, kPacketHeaderSize,
                                             kMaxWirePacketSize);
    _packetMetrics = options.packetMetrics;
    _packetRate = options.maxPacketsPerSecond;
    _packetTokens = _packetRate;  // a full second's burst to start with
    _tokensAt = Clock::now();
}

bool PacketSession::TakePacketTokens(std::size_t packets) {
    if (_packetRate <= 0) return true;
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - _tokensAt).count();
    _tokensAt = now;
    // The bucket holds a second's burst, plus the home worker's latest stall if it ended less
    // than a second ago (or goes on): the client kept sending at its pace while nobody read,
    // and all of it arrives at once right after. Judged by the reading rate, an honest client
    // would look like a flood. Each stall is credited once; a client that sends its burst later
    // gets no credit for it.
    double stalled = 0;
    if (Worker* home = Home(); home != nullptr && home->IsCurrentThread()) {
        const Worker::Stall stall = home->LatestStall(now);
        if (stall.length > Clock::duration::zero() &&
            now - (stall.start + stall.length) < std::chrono::seconds(1)) {
            if (stall.start != _stallStart) _stallCredited = {};
            stalled = std::chrono::duration<double>(stall.length - _stallCredited).count();
            _stallStart = stall.start;
            _stallCredited = stall.length;
        }
    }
    const double cap = _packetRate * (1.0 + std::max(stalled, 0.0));
    if (_packetTokens <= cap)
        _packetTokens = std::min(cap, _packetTokens + elapsed * _packetRate);
    else  // credit left from a stall: it drains as fast as the bucket fills, not at once
        _packetTokens = std::max(cap, _packetTokens - elapsed * _packetRate);
    if (static_cast<double>(packets) > _packetTokens) return false;
    _packetTokens -= static_cast<double>(packets);
    return true;
}

void PacketSession::ReportProtocolError(ProtocolError error, std::string_view detail) {
    const auto kind = static_cast<std::size_t>(error);
    _packets.errors[kind].fetch_add(1, std::memory_order_relaxed);
    if (ServiceCounters* totals = ServiceTotals())
        totals->protocolErrors[kind].fetch_add(1, std::memory_order_relaxed);
    std::uint64_t suppressed = 0;
    if (AllowErrorLog(kind, suppressed))
        spdlog::warn("session {} ({}): protocol error: {} ({}); cut{}", Id(),
                     PeerAddress().ToString(), ToString(error), detail, MoreLikeIt(suppressed));
    Cut(std::string("protocol error: ") + std::string(ToString(error)) + " (" +
            std::string(detail) + ")",
        false);
}

std::size_t PacketSession::OnRecvBytes(std::span<const std::byte> bytes) {
    std::size_t offset = 0;
    std::size_t packets = 0;
    while (bytes.size() - offset >= kPacketHeaderSize) {
        const PacketHeader header = ReadPacketHeader(bytes.data() + offset);
        if (header.size < kPacketHeaderSize) {
            ReportProtocolError(ProtocolError::HeaderTooSmall,
                                "size " + std::to_string(header.size) + ", id " +
                                    std::to_string(header.id));
            return bytes.size();
        }
        if (header.size > _maxPacketSize) {
            ReportProtocolError(ProtocolError::PacketTooLarge,
                                "size " + std::to_string(header.size) + " > " +
                                    std::to_string(_maxPacketSize) + ", id " +
                                    std::to_string(header.id));
            return bytes.size();
        }
        if (bytes.size() - offset < header.size) break;  // the rest comes with a later receive
        offset += header.size;
        ++packets;
    }
    if (packets > 0 && !TakePacketTokens(packets)) {
        if (ServiceCounters* totals = ServiceTotals())
            totals->rateLimited.fetch_add(1, std::memory_order_relaxed);
        std::uint64_t suppressed = 0;
        if (AllowErrorLog(kProtocolErrorKinds, suppressed))
            spdlog::warn("session {} ({}): more than {} packets per second; cut{}", Id(),
                         PeerAddress().ToString(), _packetRate, MoreLikeIt(suppressed));
        Cut("flooding: more than " + std::to_string(static_cast<long>(_packetRate)) +
                " packets per second",
            false);
        return bytes.size();
    }
    if (packets > 0) {
        MarkActivity();
        _packets.packetsIn.fetch_add(packets, std::memory_order_relaxed);
        if (ServiceCounters* totals = ServiceTotals())
            totals->packetsIn.fetch_add(packets, std::memory_order_relaxed);
        // One copy and one job for every whole packet of this receive.
        DoAsync([self = SharedPacketSession(), block = SendBuffer::Copy(bytes.first(offset))] {
            self->RunPackets(block);
        });
    }
    return offset;
}

void PacketSession::RunPackets(const SendBufferRef& block) {
    std::span<const std::byte> bytes = block->Bytes();
    if (_packetMetrics) return RunPacketsMeasured(bytes);
    while (!bytes.empty() && IsConnected()) {
        const PacketHeader header = ReadPacketHeader(bytes.data());
        OnRecvPacket(header.id, bytes.subspan(kPacketHeaderSize, header.size - kPacketHeaderSize));
        bytes = bytes.subspan(header.size);
    }
}

PacketMetrics* PacketSession::MetricsHere() const {
    Worker* worker = Worker::Current();
    if (worker == nullptr) worker = Home();
    return worker != nullptr ? &worker->Packets() : nullptr;
}

void PacketSession::RunPacketsMeasured(std::span<const std::byte> bytes) {
    PacketMetrics* metrics = MetricsHere();
    // One clock read per packet: each handler's end is the next one's start.
    auto start = std::chrono::steady_clock::now();
    while (!bytes.empty() && IsConnected()) {
        const PacketHeader header = ReadPacketHeader(bytes.data());
        OnRecvPacket(header.id, bytes.subspan(kPacketHeaderSize, header.size - kPacketHeaderSize));
        const auto end = std::chrono::steady_clock::now();
        if (metrics != nullptr) {
            metrics->CountIn(header.id, header.size);
            metrics->CountHandler(header.id, end - start);
        }
        start = end;
        bytes = bytes.subspan(header.size);
    }
}

void PacketSession::OnSendQueued(std::span<const std::byte> bytes) {
    if (!_packetMetrics) return;
    PacketMetrics* metrics = MetricsHere();
    if (metrics == nullptr) return;
    // A buffer holds whole packets (a broadcast tick's batch holds several, mostly of one id:
    // each run of one id is counted with one add); a raw one is counted as far as it parses.
    std::uint16_t runId = 0;
    std::size_t runPackets = 0;
    std::size_t runBytes = 0;
    while (bytes.size() >= kPacketHeaderSize) {
        const PacketHeader header = ReadPacketHeader(bytes.data());
        if (header.size < kPacketHeaderSize || header.size > bytes.size()) break;
        if (runPackets != 0 && header.id != runId) {
            metrics->CountOut(runId, runPackets, runBytes);
            runPackets = runBytes = 0;
        }
        runId = header.id;
        ++runPackets;
        runBytes += header.size;
        bytes = bytes.subspan(header.size);
    }
    if (runPackets != 0) metrics->CountOut(runId, runPackets, runBytes);
}

void PacketSession::OnPeerClosed(std::size_t tailBytes) {
    if (tailBytes > 0) {
        ReportProtocolError(ProtocolError::TruncatedPacket,
                            std::to_string(tailBytes) + " bytes of an unfinished packet");
        return;
    }
    Session::OnPeerClosed(tailBytes);
}

void PacketSession::OnJobException(std::exception_ptr error) {
    std::string what = "unknown exception";
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
    }
    ReportProtocolError(ProtocolError::HandlerException, what);
}

}  // namespace tavern
