// The game-side Handle_ functions of the test protocol, both sides: each records what it got.
#include "TestHandlers.h"

#include "tests/protocol/TestSession.h"

namespace TavernTest {

template <typename Message>
tavern::HandlerResult Record(tavern::PacketSession& session, const char* name, Message& slot,
                             const Message& pkt) {
    HandlerCalls& calls = Calls();
    ++calls.total;
    calls.lastPacket = name;
    calls.session = &session;
    slot = pkt;
    return tavern::HandlerResult::Handled();
}

HandlerCalls& Calls() {
    static HandlerCalls calls;
    return calls;
}

void ResetCalls() {
    Calls() = HandlerCalls{};
}

// Server side: the C_ packets.
tavern::HandlerResult Handle_C_HELLO(tavern::test::TestSession& session, C_HELLO& pkt) {
    return Record(session, "C_HELLO", Calls().hello, pkt);
}
tavern::HandlerResult Handle_C_REJECT_ME(tavern::test::TestSession& session, C_REJECT_ME& /*pkt*/) {
    ++Calls().total;
    Calls().lastPacket = "C_REJECT_ME";
    Calls().session = &session;
    // Refuses every packet: HandlePacket must count HandlerRejected.
    return tavern::HandlerResult::Violation("C_REJECT_ME is always refused");
}
tavern::HandlerResult Handle_C_EXTRA(tavern::test::TestSession& session, C_EXTRA& pkt) {
    return Record(session, "C_EXTRA", Calls().extra, pkt);
}

// Client side: the S_ packets.
tavern::HandlerResult Handle_S_HELLO(tavern::PacketSession& session, S_HELLO& pkt) {
    return Record(session, "S_HELLO", Calls().serverHello, pkt);
}
tavern::HandlerResult Handle_S_BLOB(tavern::PacketSession& session, S_BLOB& pkt) {
    return Record(session, "S_BLOB", Calls().blob, pkt);
}
tavern::HandlerResult Handle_S_NOTICE(tavern::PacketSession& session, S_NOTICE& pkt) {
    return Record(session, "S_NOTICE", Calls().notice, pkt);
}

}  // namespace TavernTest

namespace tavern::test {

HandlerResult TestSession::Handle_C_LATE(TavernTest::C_LATE& pkt) {
    ++memberCalls;
    return TavernTest::Record(*this, "C_LATE", TavernTest::Calls().late, pkt);
}

}  // namespace tavern::test
