// The game-side Handle_ functions of the test protocol, both sides: each records what it got.
#include "TestHandlers.h"

namespace TavernTest {

namespace {

template <typename Message>
bool Record(tavern::PacketSessionRef& session, const char* name, Message& slot,
            const Message& pkt) {
    HandlerCalls& calls = Calls();
    ++calls.total;
    calls.lastPacket = name;
    calls.session = session.get();
    slot = pkt;
    return true;
}

}  // namespace

HandlerCalls& Calls() {
    static HandlerCalls calls;
    return calls;
}

void ResetCalls() {
    Calls() = HandlerCalls{};
}

// Server side: the C_ packets.
bool Handle_C_HELLO(tavern::PacketSessionRef& session, C_HELLO& pkt) {
    return Record(session, "C_HELLO", Calls().hello, pkt);
}
bool Handle_C_REJECT_ME(tavern::PacketSessionRef& session, C_REJECT_ME& /*pkt*/) {
    ++Calls().total;
    Calls().lastPacket = "C_REJECT_ME";
    Calls().session = session.get();
    return false;  // refuses every packet: HandlePacket must count HandlerRejected
}
bool Handle_C_LATE(tavern::PacketSessionRef& session, C_LATE& pkt) {
    return Record(session, "C_LATE", Calls().late, pkt);
}
bool Handle_C_EXTRA(tavern::PacketSessionRef& session, C_EXTRA& pkt) {
    return Record(session, "C_EXTRA", Calls().extra, pkt);
}

// Client side: the S_ packets.
bool Handle_S_HELLO(tavern::PacketSessionRef& session, S_HELLO& pkt) {
    return Record(session, "S_HELLO", Calls().serverHello, pkt);
}
bool Handle_S_BLOB(tavern::PacketSessionRef& session, S_BLOB& pkt) {
    return Record(session, "S_BLOB", Calls().blob, pkt);
}
bool Handle_S_NOTICE(tavern::PacketSessionRef& session, S_NOTICE& pkt) {
    return Record(session, "S_NOTICE", Calls().notice, pkt);
}

}  // namespace TavernTest
