#pragma once

#include <string>

#include "core/Service.h"
#include "gameserver/GameLimits.h"

namespace tavern::game {

// Checks the limits against each other before the server starts: every packet a client may
// send within the name and chat limits must fit the packet limit (else an honest client would
// be cut off as a protocol error), and every packet the server builds from them must fit the
// wire format's 65,535 bytes (else the server could not answer). Returns "" when they fit, or
// what does not, naming the gameserver flags involved:
//   "--max-chat 65535 makes a C_CHAT of 65,542 bytes, over --max-packet 65535"
// Pure; safe from any thread.
std::string CheckLimits(const ServiceOptions& service, const GameLimits& limits);

}  // namespace tavern::game
