// packet_stream_fuzzer: the receive path of a PacketSession, from bytes off the wire to the
// generated handlers, with no socket. A detached session (Session::StartDetached) is fed the
// fuzz input's byte stream in receives cut where the input says, exactly as a backend would
// call IoReceived / IoRecvEnded; framing, the tail, the packet job, the dispatch table,
// protobuf parsing and the handlers (which answer, refuse, throw or overflow the wire format)
// all run for real, on this thread.
//
// Beyond "no crash, leak, hang or sanitizer report", each input is checked against a reference
// framer written from the wire format alone (design.md, "Wire format"):
//   - the packets handled are a prefix of the stream's packets, in order, each whole and once;
//   - at most one protocol error ends the session, and nothing is handled after it;
//   - with no error, every whole packet was handled, and a peer close left no partial packet;
//   - a framing error is the one the reference finds, and TruncatedPacket only when the peer
//     closed inside a packet;
//   - the packet rate limit (when the input turns it on) cuts off only a stream of more whole
//     packets than it allows, and not as a protocol error.
#include "core/PacketSession.h"
#include "jobs/Scheduler.h"
#include "jobs/ThreadContext.h"

#include <google/protobuf/stubs/logging.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "FuzzServerPackets.h"
#include "core/Service.h"
#include "tests/fuzz/FuzzInput.h"

namespace {

using namespace tavern;
using fuzz::FuzzPlan;

struct SeenPacket {
    std::uint16_t id;
    std::vector<std::byte> payload;
};

// The session under test. OnRecvPacket records each packet, then dispatches it.
class FuzzSession final : public PacketSession {
public:
    explicit FuzzSession(const FuzzPlan& plan) {
        ServiceOptions options;
        options.maxPacketSize = plan.maxPacketSize;
        options.maxPacketsPerSecond = plan.maxPacketsPerSecond;
        ApplyOptions(options);
    }

    const std::vector<SeenPacket>& Seen() const { return _seen; }

protected:
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) override {
        _seen.push_back({id, {payload.begin(), payload.end()}});
        FuzzPackets::ServerPacketHandler::HandlePacket(*this, id, payload);
    }

private:
    std::vector<SeenPacket> _seen;
};

// What the wire format says the stream holds.
struct Reference {
    std::vector<SeenPacket> packets;            // every whole packet before any framing error
    std::optional<ProtocolError> framingError;  // HeaderTooSmall or PacketTooLarge
    std::size_t tailBytes = 0;                  // after the last whole packet, if no error
};

Reference Frame(std::span<const std::byte> stream, std::size_t maxPacketSize) {
    Reference ref;
    std::size_t offset = 0;
    while (stream.size() - offset >= kPacketHeaderSize) {
        const std::size_t size = std::to_integer<std::size_t>(stream[offset]) |
                                 (std::to_integer<std::size_t>(stream[offset + 1]) << 8);
        const std::uint16_t id =
            static_cast<std::uint16_t>(std::to_integer<unsigned>(stream[offset + 2]) |
                                       (std::to_integer<unsigned>(stream[offset + 3]) << 8));
        if (size < kPacketHeaderSize) {
            ref.framingError = ProtocolError::HeaderTooSmall;
            return ref;
        }
        if (size > maxPacketSize) {
            ref.framingError = ProtocolError::PacketTooLarge;
            return ref;
        }
        if (stream.size() - offset < size) break;
        const auto payload = stream.subspan(offset + kPacketHeaderSize, size - kPacketHeaderSize);
        ref.packets.push_back({id, {payload.begin(), payload.end()}});
        offset += size;
    }
    ref.tailBytes = stream.size() - offset;
    return ref;
}

bool gVerbose = false;  // PACKET_FUZZ_VERBOSE=1: one line per input, for replaying a corpus

void Describe(const FuzzSession& session, const FuzzPlan& plan) {
    std::string error = "none";
    for (std::size_t kind = 0; kind < kProtocolErrorKinds; ++kind)
        if (session.Packets().errors[kind].load() > 0)
            error = std::string(ToString(static_cast<ProtocolError>(kind)));
    std::fprintf(stderr,
                 "max %zu, rate %u, %zu receives, %zu bytes: %zu packets handled, "
                 "%llu sends, error: %s, %s (%s)\n",
                 plan.maxPacketSize, plan.maxPacketsPerSecond, plan.cuts.size() + 1,
                 plan.stream.size(), session.Seen().size(),
                 static_cast<unsigned long long>(session.Counters().sends.load()), error.c_str(),
                 session.IsConnected() ? "connected" : "closed",
                 session.DisconnectReason().c_str());
}

[[noreturn]] void Fail(const char* what) {
    std::fprintf(stderr, "packet_stream_fuzzer: invariant broken: %s\n", what);
    std::abort();
}

void Check(bool holds, const char* what) {
    if (!holds) Fail(what);
}

void CheckAgainstReference(const FuzzSession& session, const FuzzPlan& plan) {
    const Reference ref = Frame(plan.stream, plan.maxPacketSize);
    const auto& seen = session.Seen();

    Check(seen.size() <= ref.packets.size(), "more packets handled than the stream holds");
    for (std::size_t i = 0; i < seen.size(); ++i) {
        Check(seen[i].id == ref.packets[i].id, "a handled packet has the wrong id");
        Check(seen[i].payload == ref.packets[i].payload, "a handled packet has the wrong payload");
    }

    std::size_t errors = 0;
    std::optional<ProtocolError> error;
    for (std::size_t kind = 0; kind < kProtocolErrorKinds; ++kind) {
        const std::uint64_t count = session.Packets().errors[kind].load();
        errors += count;
        if (count > 0) error = static_cast<ProtocolError>(kind);
    }
    Check(errors <= 1, "more than one protocol error for one session");
    Check(session.Packets().packetsIn.load() <= ref.packets.size(), "packetsIn past the stream");

    // The rate limit cuts a flood off without a protocol error, once more whole packets than
    // the limit arrived (within the microseconds an input takes).
    if (session.DisconnectReason().starts_with("flooding")) {
        Check(plan.maxPacketsPerSecond > 0, "flooding reported with no rate limit");
        Check(errors == 0, "a flood also counted as a protocol error");
        Check(ref.packets.size() > plan.maxPacketsPerSecond, "a flood of too few packets");
        Check(!session.IsConnected(), "a flood left the session connected");
        return;
    }

    if (!error) {
        Check(!ref.framingError, "a framing error went unreported");
        Check(seen.size() == ref.packets.size(), "a whole packet was never handled");
        Check(session.Packets().packetsIn.load() == ref.packets.size(), "packetsIn is off");
        Check(!(plan.peerCloses && !plan.receiveFails && ref.tailBytes > 0),
              "the peer closed inside a packet and nothing was reported");
        Check(session.IsConnected() == !(plan.peerCloses || plan.receiveFails),
              "the session's state does not match how the connection ended");
        return;
    }
    Check(!session.IsConnected(), "a protocol error left the session connected");
    switch (*error) {
        case ProtocolError::HeaderTooSmall:
        case ProtocolError::PacketTooLarge:
            Check(ref.framingError == error, "a framing error the stream does not have");
            break;
        case ProtocolError::TruncatedPacket:
            Check(plan.peerCloses && !plan.receiveFails, "TruncatedPacket without a peer close");
            Check(!ref.framingError && ref.tailBytes > 0, "TruncatedPacket with no partial packet");
            Check(seen.size() == ref.packets.size(), "TruncatedPacket with packets unhandled");
            break;
        case ProtocolError::UnknownPacketId:
            Check(!seen.empty() && !FuzzPackets::ServerPacketHandler::IsHandledId(seen.back().id),
                  "UnknownPacketId for an id the server handles");
            break;
        case ProtocolError::MalformedPayload:
        case ProtocolError::HandlerException:
        case ProtocolError::HandlerRejected:
            Check(!seen.empty(), "a dispatch error with no packet handled");
            break;
        case ProtocolError::NotOnePacket:
            Check(false, "a transport's framing error on a session without a transport");
            break;
    }
}

}  // namespace

// --- The server's handlers for the fuzz protocol -------------------------------------------

namespace FuzzPackets {

tavern::HandlerResult Handle_C_ECHO(tavern::PacketSession& session, C_ECHO& pkt) {
    S_ECHO reply;
    reply.set_data(std::move(*pkt.mutable_data()));
    session.Send(ServerPacketHandler::MakeSendBuffer(reply));
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_RICH(tavern::PacketSession& session, C_RICH& pkt) {
    // Up to 100 copies: a packet of a few hundred bytes can overflow 65535, and then
    // MakeSendBuffer throws.
    S_RICH reply;
    const std::uint64_t copies = 1 + pkt.stamp() % 100;
    for (std::uint64_t i = 0; i < copies; ++i) *reply.add_copies() = pkt;
    session.Send(ServerPacketHandler::MakeSendBuffer(reply));
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_LATER(tavern::PacketSession& session, C_LATER& pkt) {
    // Answers from another job on the same queue, behind the packets still in this one.
    session.DoAsync([session = session.SharedPacketSession(), value = pkt.value()] {
        S_ECHO reply;
        reply.set_data(std::to_string(value));
        session->Send(ServerPacketHandler::MakeSendBuffer(reply));
    });
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_REJECT(tavern::PacketSession& /*session*/, C_REJECT& /*pkt*/) {
    return tavern::HandlerResult::Violation("C_REJECT is always refused");
}

tavern::HandlerResult Handle_C_THROW(tavern::PacketSession& /*session*/, C_THROW& pkt) {
    throw std::runtime_error("C_THROW: " + pkt.why());
}

tavern::HandlerResult Handle_C_FAR(tavern::PacketSession& /*session*/, C_FAR& pkt) {
    if (pkt.value() < 0) return tavern::HandlerResult::Violation("C_FAR with a negative value");
    return tavern::HandlerResult::Handled();
}

}  // namespace FuzzPackets

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    // Every rejected input would log a warning, and protobuf an error per bad UTF-8 string.
    spdlog::set_level(spdlog::level::off);
    google::protobuf::SetLogHandler(nullptr);
    gVerbose = std::getenv("PACKET_FUZZ_VERBOSE") != nullptr;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto plan = fuzz::ParseFuzzInput(std::as_bytes(std::span(data, size)));
    if (!plan) return 0;
    // This thread plays the session's worker: it runs the packet jobs it pushes, at once (a
    // thread that is no worker would hand them to a scheduler this fuzzer does not run).
    static const SchedulerRef scheduler = Scheduler::Create();
    const WorkerScope worker(*scheduler);

    auto session = std::make_shared<FuzzSession>(*plan);
    session->StartDetached();
    Check(session->IsConnected(), "a detached session did not start");

    // The receives, as a backend would deliver them.
    std::span<const std::byte> left = plan->stream;
    for (std::size_t cut : plan->cuts) {
        if (left.empty() || !session->IsConnected()) break;
        const std::size_t n = std::min(cut, left.size());
        if (n == 0) continue;
        session->IoReceived(left.first(n));
        left = left.subspan(n);
    }
    if (!left.empty() && session->IsConnected()) session->IoReceived(left);
    // How the connection ends: a backend reports the end of receiving once, if still connected.
    if (session->IsConnected()) {
        if (plan->receiveFails)
            session->IoRecvEnded(std::make_error_code(std::errc::connection_reset));
        else if (plan->peerCloses)
            session->IoRecvEnded({});
    }

    if (gVerbose) Describe(*session, *plan);
    CheckAgainstReference(*session, *plan);
    return 0;
}
