#include "tests/packet/PacketTestSupport.h"

#include <stdexcept>

#include "core/PacketHeader.h"

namespace PacketTest {

// The server's handlers. They run on the session's job queue, one packet at a time.
tavern::HandlerResult Handle_C_ECHO(tavern::PacketSession& session, C_ECHO& pkt) {
    tavern::test::HandlerCalls().echoes.fetch_add(1);
    S_ECHO reply;
    reply.set_seq(pkt.seq());
    reply.set_data(std::move(*pkt.mutable_data()));
    session.Send(ServerPacketHandler::MakeSendBuffer(reply));
    return tavern::HandlerResult::Handled();
}

tavern::HandlerResult Handle_C_THROW(tavern::PacketSession& /*session*/, C_THROW& /*pkt*/) {
    tavern::test::HandlerCalls().throws.fetch_add(1);
    throw std::runtime_error("C_THROW's handler throws, as asked");
}

tavern::HandlerResult Handle_C_REJECT(tavern::PacketSession& /*session*/, C_REJECT& /*pkt*/) {
    tavern::test::HandlerCalls().rejects.fetch_add(1);
    return tavern::HandlerResult::Violation("C_REJECT is always refused");
}

}  // namespace PacketTest

namespace tavern::test {

PacketHandlerCalls& HandlerCalls() {
    static PacketHandlerCalls calls;
    return calls;
}

void ResetHandlerCalls() {
    HandlerCalls().echoes = 0;
    HandlerCalls().throws = 0;
    HandlerCalls().rejects = 0;
}

void PacketTestSession::OnRecvPacket(std::uint16_t id, std::span<const std::byte> payload) {
    PacketTest::ServerPacketHandler::HandlePacket(*this, id, payload);
}

void PacketServerTest::SetUp() {
    BackendTest::SetUp();
    ResetHandlerCalls();
}

std::shared_ptr<ServerService> PacketServerTest::StartPacketServer(ServiceOptions options) {
    return StartServer([] { return std::make_shared<PacketTestSession>(); }, options);
}

std::vector<std::byte> Header(std::uint16_t size, std::uint16_t id) {
    std::vector<std::byte> bytes(kPacketHeaderSize);
    WritePacketHeader(bytes.data(), size, id);
    return bytes;
}

std::vector<std::byte> Frame(std::uint16_t id, std::span<const std::byte> payload) {
    std::vector<std::byte> bytes =
        Header(static_cast<std::uint16_t>(kPacketHeaderSize + payload.size()), id);
    Append(bytes, payload);
    return bytes;
}

std::vector<std::byte> EchoPacket(std::uint32_t seq, const std::string& data) {
    PacketTest::C_ECHO pkt;
    pkt.set_seq(seq);
    pkt.set_data(data);
    const std::string payload = pkt.SerializeAsString();
    return Frame(static_cast<std::uint16_t>(PacketTest::PacketId::C_ECHO),
                 std::as_bytes(std::span(payload.data(), payload.size())));
}

std::vector<std::byte> EchoPacketOfSize(std::uint32_t seq, std::size_t total) {
    // Header, seq and the data's tag and length prefix take at most 16 bytes: start below and
    // grow the data until the packet is exactly `total` bytes.
    for (std::size_t dataSize = total > 16 ? total - 16 : 0; dataSize <= total; ++dataSize) {
        std::vector<std::byte> packet = EchoPacket(seq, std::string(dataSize, 'x'));
        if (packet.size() == total) return packet;
        if (packet.size() > total) break;
    }
    throw std::invalid_argument("no C_ECHO is exactly " + std::to_string(total) + " bytes");
}

void Append(std::vector<std::byte>& to, std::span<const std::byte> bytes) {
    to.insert(to.end(), bytes.begin(), bytes.end());
}

std::optional<ReceivedPacket> ReadPacket(RawClient& client, std::chrono::milliseconds timeout) {
    const auto header = client.ReceiveExactly(kPacketHeaderSize, timeout);
    if (header.size() != kPacketHeaderSize) return std::nullopt;
    const PacketHeader parsed = ReadPacketHeader(header.data());
    ReceivedPacket packet{parsed.size, parsed.id, {}};
    if (parsed.size < kPacketHeaderSize) return packet;  // the caller sees the bad size
    packet.payload = client.ReceiveExactly(parsed.size - kPacketHeaderSize, timeout);
    if (packet.payload.size() != parsed.size - kPacketHeaderSize) return std::nullopt;
    return packet;
}

testing::AssertionResult ReadEcho(RawClient& client, std::uint32_t seq, const std::string& data) {
    const auto packet = ReadPacket(client);
    if (!packet) return testing::AssertionFailure() << "no S_ECHO for seq " << seq;
    if (packet->id != static_cast<std::uint16_t>(PacketTest::PacketId::S_ECHO))
        return testing::AssertionFailure() << "packet id " << packet->id << ", not S_ECHO";
    PacketTest::S_ECHO echo;
    if (!echo.ParseFromArray(packet->payload.data(), static_cast<int>(packet->payload.size())))
        return testing::AssertionFailure() << "S_ECHO does not parse";
    if (echo.seq() != seq)
        return testing::AssertionFailure() << "S_ECHO seq " << echo.seq() << ", expected " << seq;
    if (echo.data() != data)
        return testing::AssertionFailure() << "S_ECHO " << seq << " carries " << echo.data().size()
                                           << " bytes, not the " << data.size() << " sent";
    return testing::AssertionSuccess();
}

testing::AssertionResult RoundTrip(RawClient& client, std::uint32_t seq) {
    const std::string data = "ping " + std::to_string(seq);
    if (!client.SendAll(EchoPacket(seq, data)))
        return testing::AssertionFailure() << "could not send C_ECHO " << seq;
    return ReadEcho(client, seq, data);
}

}  // namespace tavern::test
