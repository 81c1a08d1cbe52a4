#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "TestClientPackets.h"
#include "TestServerPackets.h"

namespace TavernTest {

// What the test protocol's Handle_ functions (TestHandlers.cpp) saw. Tests reset it first.
struct HandlerCalls {
    int total = 0;
    std::string lastPacket;  // the Handle_ function that ran last, e.g. "C_HELLO"
    C_HELLO hello;           // the last parsed packet of each kind
    C_LATE late;
    C_EXTRA extra;
    S_HELLO serverHello;
    S_NOTICE notice;
    S_BLOB blob;
    tavern::PacketSession* session = nullptr;  // the session the last handler was given
};

HandlerCalls& Calls();
void ResetCalls();

}  // namespace TavernTest
