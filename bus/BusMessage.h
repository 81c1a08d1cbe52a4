#pragma once

#include <functional>
#include <string>

namespace tavern::bus {

// A message received from the bus, copied out of libnats' buffer so that it can travel to an
// actor as a job. `reply` is set when the sender asked for an answer (Bus::Respond).
struct BusMessage {
    std::string subject;
    std::string reply;
    std::string data;
};

// Runs as a job on the subscribing actor.
using BusMessageHandler = std::function<void(BusMessage&)>;

}  // namespace tavern::bus
